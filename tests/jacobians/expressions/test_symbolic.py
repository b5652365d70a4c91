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
