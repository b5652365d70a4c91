"""Closed forms: every printed Jacobian and gradient reads back and reproduces the numbers."""

import numpy as np
import pytest

from jacobians import numeric
from jacobians.expressions import parse

from .test_build import _values

CASES = [
    ("x'*A*x", ["A=3x3"], "x"),
    ("norm2(A*x - y)^2", ["A=3x2"], "x"),
    ("tr(A*X'*B*X*C)", ["A=2x2", "X=3x2", "B=3x3", "C=2x2"], "X"),
    ("A*X*B", ["A=2x3", "X=3x4", "B=4x2"], "X"),
    ("inv(X)", ["X=3x3"], "X"),
    ("X'*X", ["X=3x2"], "X"),
    ("X", ["X=2x3"], "X"),
    ("det(X)", ["X=3x3"], "X"),
    ("logdet(X)", ["X=3x3"], "X"),
    ("x + tanh(W*x)", ["W=3x3"], "x"),
    ("sum(log(exp(-y.*(X*w)) + vector(1)))", ["X=4x3"], "w"),
    ("sin(x).*exp(x) - sqrt(x.*x + 1)", ["x=3"], "x"),
    ("kron(A, X)", ["A=2x2", "X=2x3"], "X"),
    ("softmax(W*x)", ["W=3x2"], "x"),
    # the kinds of example matrixcalculus.org offers, in its own language
    ("exp(x'*A*x)", ["A=3x3"], "x"),
    ("norm2(X*w - y)^2", ["X=4x3"], "w"),
    ("norm2(T - U*V')^2", ["T=4x3", "U=4x2", "V=3x2"], "U"),
    ("norm2(T - U*V')^2", ["T=4x3", "U=4x2", "V=3x2"], "V"),
    ("norm2(W2*tanh(W1*x) - y)^2", ["W1=3x2", "W2=2x3"], "W1"),
    ("tr(X'*A*X)", ["X=3x2", "A=3x3"], "X"),
    ("log(det(X))", ["X=3x3"], "X"),
    ("sum(sigmoid(A*x))", ["A=2x3"], "x"),
    # a batch as columns (W*X + b·1ᵀ) and as rows (X*W + 1·bᵀ)
    ("W*X + b*vector(1)'", ["W=3x2", "X=2x4", "b=3"], "b"),
    ("X*W + vector(1)*b'", ["X=4x2", "W=2x3", "b=3"], "b"),
    ("X*W + vector(1)*b'", ["X=4x2", "W=2x3", "b=3"], "W"),
]


def _numeric(e, wrt, values):
    def f(v):
        return e.evaluate({**values, wrt: v})

    return numeric(f, np.asarray(values[wrt], dtype=float)).matrix


@pytest.mark.parametrize(("text", "shapes", "wrt"), CASES)
def test_the_printed_jacobian_reads_back_and_equals_the_computed_one(text, shapes, wrt):
    e = parse(text, shapes)
    values = _values(e)
    J = e.jacobian(wrt, values).matrix
    closed = parse(str(e.jacobian_expression(wrt)), shapes).evaluate(values)
    np.testing.assert_allclose(closed.reshape(J.shape), J, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(J, _numeric(e, wrt, values), rtol=1e-7, atol=1e-8)


SCALAR = [c for c in CASES if parse(c[0], c[1]).is_scalar]


@pytest.mark.parametrize(("text", "shapes", "wrt"), SCALAR)
def test_the_printed_gradient_reads_back_and_equals_the_computed_one(text, shapes, wrt):
    e = parse(text, shapes)
    values = _values(e)
    g = e.gradient(wrt, values)
    closed = parse(str(e.gradient_expression(wrt)), shapes).evaluate(values)
    np.testing.assert_allclose(closed.reshape(np.shape(g)), g, rtol=1e-12, atol=1e-12)


def test_textbook_forms():
    assert str(parse("norm2(A*x - y)^2", ["A=3x2"]).gradient_expression("x")) == "2*A'*(A*x - y)"
    AXB = parse("A*X*B", ["A=2x3", "X=3x4", "B=4x2"])
    assert str(AXB.jacobian_expression("X")) == "kron(A, B')"
    assert str(parse("x'*A*x", ["A=3x3"]).gradient_expression("x")) == "A'*x + A*x"


@pytest.mark.parametrize(
    ("text", "wrt", "printed"),
    [
        ("sqrt(x'*x)", "x", "x/sqrt(x'*x)"),  # 2·(0.5/s)·x: the numbers gathered
        ("log(sum(exp(x)))", "x", "exp(x)/sum(exp(x))"),  # (1/s)·1 .* e
        ("1/(x'*x)", "x", "-2*(x/(x'*x)^2)"),
        ("norm2(A*x - y)^2", "x", "2*A'*(A*x - y)"),
        ("det(A)^2", "A", "2*det(A)^2*inv(A)'"),  # det·det gathered into a power
        ("det(A)^3", "A", "3*det(A)^3*inv(A)'"),  # det²·det: the exponents added
        ("(x - y)'*(x + y)", "x", "2*x"),  # x − y + (x + y): equal terms collected
    ],
)
def test_scalars_are_gathered_and_a_quotient_by_one_is_a_division(text, wrt, printed):
    e = parse(text, ["A=3x3", "x=3"])
    g = e.gradient_expression(wrt)
    assert str(g) == printed
    r = np.random.default_rng(0)
    v = {"A": r.normal(size=(3, 3)), "x": r.normal(size=3), "y": r.normal(size=3)}
    np.testing.assert_allclose(g.evaluate(v).ravel(), e.gradient(wrt, v).ravel(), rtol=1e-12)


def _closed_forms_agree(text, shapes, values):
    """Every variable's printed Jacobian parses back (with the shapes) to the computed one."""
    e = parse(text, shapes)
    for name in e.variables():
        J = e.jacobian(name, values).matrix
        printed = str(e.jacobian_expression(name))
        got = np.asarray(parse(printed, shapes).evaluate(values))
        assert got.shape == J.shape, (text, name, printed)
        np.testing.assert_allclose(got, J, rtol=1e-12, atol=1e-14, err_msg=f"{text}: {printed}")


@pytest.mark.parametrize(
    "text",
    [
        "A*(x'*y*z)",  # a scalar product inside a matrix product: printed with its brackets
        "x'*x*vector(1, 1)",  # a 1×1 constant is a scalar, as a 1×1 variable is
        "hadamard(a, matrix(1, 1, 1))*x",
        "x*eye(1) + x",
        "Y.*(a - (Y - Y))",  # a scalar minus a zero matrix is spread over it, not left a scalar
        "Y*(a - (Y - Y))",
        "sum(Y*(a + (Y - Y)))*x",
    ],
)
def test_printed_forms_keep_their_meaning(text):
    shapes = ["A=2x3", "x=3", "y=3", "z=3", "Y=3x3"]
    r = np.random.default_rng(0)
    values = {"A": r.normal(size=(2, 3)), "Y": r.normal(size=(3, 3)), "a": 0.7}
    values |= {k: r.normal(size=3) for k in "xyz"}
    e = parse(text, shapes)
    used = {k: v for k, v in values.items() if k in e.variables()}
    np.testing.assert_allclose(parse(str(e), shapes).evaluate(used), e.evaluate(used))
    _closed_forms_agree(text, shapes, used)
