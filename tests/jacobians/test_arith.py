"""Elementwise arithmetic: add, subtract, negate, multiply, divide, power.

The registry-wide tests (test_core_ops) check every rule against central differences and the
complex step on the operations' own examples, which put a scalar on either side for some m. Here:
scalar broadcasting on each side with its structures and shapes, Python numbers and 0-D arrays,
what is refused and how it is worded, and each rule's ``expression`` and ``adjoint`` evaluated
against the Jacobian the rule builds.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobians as J
from jacobians import OPERATIONS, InputError, ShapeError, numeric
from jacobians.expressions import Variable
from jacobians.expressions._evaluate import evaluate

BINARY = ["add", "subtract", "multiply", "divide", "power"]
sizes = st.integers(1, 5)
seeds = st.integers(0, 2**32 - 1)
needs_expressions = pytest.mark.skipif(
    not {"diag", "vec", "sum"} <= set(OPERATIONS), reason="diag, vec and sum not registered yet"
)


def operands(name, rng, u_shape, v_shape):
    """Valid operands of ``name`` with the given shapes (positive bases, non-zero divisors)."""
    u, v = rng.normal(size=u_shape), rng.normal(size=v_shape)
    if name == "power":
        u = np.exp(0.5 * u)
    if name == "divide":
        v = np.where(v < 0, v - 0.5, v + 0.5)
    return np.asarray(u), np.asarray(v)


NUMPY = {
    "add": np.add,
    "subtract": np.subtract,
    "multiply": np.multiply,
    "divide": np.divide,
    "power": np.power,
}
CASES = {  # which operand is a scalar
    "same": lambda s: (s, s),
    "u scalar": lambda s: ((), s),
    "v scalar": lambda s: (s, ()),
    "both scalar": lambda s: ((), ()),
}


# ----- values and Jacobians, a scalar on either side -----
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("name", BINARY)
@given(n=sizes, m=sizes, seed=seeds)
def test_jacobians_equal_the_complex_step_with_a_scalar_on_either_side(name, case, n, m, seed):
    u, v = operands(name, np.random.default_rng(seed), *CASES[case]((n, m)))
    op = OPERATIONS[name]
    res = op(u, v)
    np.testing.assert_allclose(res.value, NUMPY[name](u, v), rtol=1e-15)
    for wrt, x in (("u", u), ("v", v)):
        Jx = res.jacobians[wrt]
        f = (lambda t: op(t, v).value) if wrt == "u" else (lambda t: op(u, t).value)
        N = numeric(f, x, method="complex")
        assert Jx.shape == N.shape == (res.value.size, x.size)
        assert (Jx.out_shape, Jx.in_shape) == (res.value.shape, x.shape)
        np.testing.assert_allclose(Jx.matrix, N.matrix, rtol=1e-12, atol=1e-12)
        broadcast = x.ndim == 0 and res.value.ndim > 0
        assert Jx.kind in (("dense", "row") if broadcast else ("identity", "diagonal")), Jx


def test_the_structures_of_each_case():
    A, s = np.arange(1.0, 7.0).reshape(2, 3), np.asarray(2.0)
    assert J.add(A, A).jacobians["u"].kind == "identity"
    assert J.subtract(A, A).jacobians["v"].kind == "diagonal"
    np.testing.assert_array_equal(J.subtract(A, A).jacobians["v"].matrix, -np.eye(6))
    col = J.add(A, s).jacobians["v"]
    assert (col.kind, col.shape, col.in_shape) == ("dense", (6, 1), ())
    np.testing.assert_array_equal(J.subtract(s, A).jacobians["u"].matrix, np.ones((6, 1)))
    np.testing.assert_array_equal(J.subtract(A, s).jacobians["v"].matrix, -np.ones((6, 1)))
    np.testing.assert_array_equal(J.multiply(s, A).jacobians["u"].matrix, A.reshape(6, 1))
    np.testing.assert_array_equal(J.multiply(s, A).jacobians["v"].matrix, 2 * np.eye(6))
    one = J.multiply(s, np.asarray(3.0))
    assert one.value.shape == () and one.jacobians["u"].shape == (1, 1)
    assert one.jacobians["u"].matrix[0, 0] == 3.0


def test_negate():
    r = J.negate(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(r.value, -np.arange(6.0).reshape(2, 3))
    assert r.jacobian.kind == "diagonal"
    np.testing.assert_array_equal(r.jacobian.matrix, -np.eye(6))
    assert J.negate(2.0).jacobian.matrix.tolist() == [[-1.0]]


def test_python_numbers_0d_arrays_vectors_and_columns():
    x = np.array([1.0, 2.0, 3.0])
    assert J.add(2, 3).value == 5.0 and J.add(2, 3).value.dtype == np.float64
    np.testing.assert_array_equal(J.power(x, 2).value, x**2)
    np.testing.assert_array_equal(J.power(2.0, x).value, 2.0**x)
    # (n,) meets (n, 1): the same vector, as everywhere in the toolkit; w has u's shape
    r = J.multiply(x, x[:, None])
    assert r.value.shape == (3,) and r.jacobians["v"].in_shape == (3, 1)
    np.testing.assert_array_equal(r.jacobians["v"].matrix, np.diag(x))


def test_dtypes_of_a_float32_scalar_and_a_complex_matrix():
    A = np.ones((2, 2), dtype=np.float32)
    r = J.multiply(np.float32(2), A)
    assert r.value.dtype == np.float32 and r.jacobians["u"].matrix.dtype == np.float32
    Z = np.ones((2, 2)) + 1e-20j
    r = J.divide(Z, 2.0)
    assert r.value.dtype == np.complex128 and r.jacobians["v"].matrix.dtype == np.complex128


# ----- what is refused -----
BAD = [
    (lambda: J.add(np.ones(3), np.ones(2)), ShapeError,
     ["add", "'v'", "the shape of u, (3,), or a scalar", "(2,)", "only a scalar is broadcast"]),
    (lambda: J.multiply(np.ones((2, 3)), np.ones((1, 3))), ShapeError, ["multiply", "(1, 3)"]),
    (lambda: J.add(np.ones((3, 1)), np.ones((1, 1))), ShapeError, ["add", "(1, 1)"]),
    (lambda: J.divide(np.ones(3), np.array([1.0, 0.0, 2.0])), InputError,
     ["divide", "'v'", "no zero entry", "index (1,)"]),
    (lambda: J.divide(1.0, 0.0), InputError, ["divide", "'v'", "no zero entry"]),
    (lambda: J.power(np.array([4.0, -8.0]), 0.5), InputError,
     ["power", "'u'", "u ≥ 0 where the exponent v is not an integer", "(1,)", "(-8.0)"]),
    (lambda: J.power(0.0, -1.0), InputError,
     ["power", "'u'", "u ≠ 0 where the exponent v is negative"]),
    (lambda: J.power(np.array([0.0, 1.0]), 0.5).jacobians["u"], InputError,
     ["power", "'u'", "0 < v < 1", "infinite slope"]),
    (lambda: J.power(np.array([-2.0, 1.0]), 2.0).jacobians["v"], InputError,
     ["power", "'u'", "u > 0 for the derivative with respect to the exponent"]),
    (lambda: J.power(0.0, 2.0).jacobians["v"], InputError, ["power", "u > 0"]),
    (lambda: J.multiply(np.full(2, 1e200), 1e200), InputError,
     ["multiply", "floating-point range", "overflows"]),
    (lambda: J.divide(1e300, 1e-300), InputError, ["divide", "overflows"]),
    (lambda: J.add(np.array([1.0, np.nan]), 1.0), InputError, ["add", "'u'", "finite"]),
    (lambda: J.subtract(np.array([True]), 1.0), J.InputTypeError, ["subtract", "'u'", "bool"]),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "words"), BAD)
def test_refused_with_a_message_naming_the_operation_and_argument(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), str(info.value)


def test_what_power_allows_at_its_edges():
    # a negative base with an integer exponent; 0 to a positive or zero power; v = 0 anywhere
    np.testing.assert_array_equal(J.power(np.array([-2.0, 3.0]), 3).value, [-8.0, 27.0])
    r = J.power(np.array([0.0, 0.0, 2.0]), np.array([0.0, 2.0, 0.0]))
    np.testing.assert_array_equal(r.value, [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(r.jacobians["u"].matrix, np.zeros((3, 3)))
    np.testing.assert_array_equal(J.power(0.0, 1.0).jacobians["u"].matrix, [[1.0]])
    r = J.power(np.array([-2.0, 3.0]), 2)
    np.testing.assert_array_equal(r.jacobians["u"].matrix, np.diag([-4.0, 6.0]))


# ----- each rule's expression and adjoint against the Jacobian it builds -----
def as_value(a):
    """An array as an expression is given it: a scalar 0-D, a vector a column."""
    a = np.asarray(a)
    return a.reshape(-1, 1) if a.ndim == 1 else a


def check_symbolic(name, args, rng):
    """For every rule of ``name`` at ``args``: the value of ``rule.expression(node)`` is the built
    Jacobian's matrix and that of ``rule.adjoint(G, node)`` is Gᵀ·J folded to the input's shape,
    both to 1e-12. Returns the forms, printed, for the caller to look at."""
    op = OPERATIONS[name]
    values = {k: as_value(v) for k, v in args.items()}
    variables = [Variable(k, v.shape) for k, v in values.items()]
    node = op(*variables)
    ev = evaluate(node, values)
    out = ev.value(node)
    values["G"] = rng.normal(size=out.shape)
    G = Variable("G", out.shape)
    printed = {}
    for p, x in zip(op.params, variables, strict=True):
        rule = op.rules[p.name]
        built = rule.build(ev.contexts[node.key]).matrix
        e, a = rule.expression(node), rule.adjoint(G, node)
        got = np.asarray(evaluate(e, values).value(e))
        assert got.size == built.size, (name, p.name, str(e), got.shape, built.shape)
        np.testing.assert_allclose(got.reshape(built.shape), built, rtol=1e-12, atol=1e-12)
        want = (values["G"].reshape(-1) @ built).reshape(np.shape(ev.value(x)))
        got = np.asarray(evaluate(a, values).value(a))
        assert got.shape == want.shape, (name, p.name, str(a), got.shape, want.shape)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
        printed[p.name] = (str(e), str(a))
    return printed


@needs_expressions
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("name", [*BINARY, "negate"])
@given(n=sizes, m=sizes, seed=seeds)
def test_expression_and_adjoint_equal_the_built_jacobian(name, case, n, m, seed):
    rng = np.random.default_rng(seed)
    u, v = operands(name, rng, *CASES[case]((n, m)))
    check_symbolic(name, {"u": u} if name == "negate" else {"u": u, "v": v}, rng)


@needs_expressions
def test_the_forms_read_as_the_mathematics():
    rng = np.random.default_rng(0)
    x, s = rng.normal(size=(3, 1)) + 3, np.asarray(2.0)
    assert check_symbolic("multiply", {"u": s, "v": x}, rng) == {
        "u": ("v", "sum(G.*v)"),
        "v": ("u*eye(3)", "G*u"),
    }
    assert check_symbolic("power", {"u": x, "v": s}, rng)["u"][1] == "G.*(v*u.^(v - 1))"
    assert check_symbolic("subtract", {"u": x, "v": x}, rng)["v"] == ("-eye(3)", "-G")
    assert check_symbolic("add", {"u": s, "v": x}, rng)["u"] == ("vector(1, 3)", "sum(G)")


@needs_expressions
def test_a_constant_exponent_differentiates_as_written():
    x = Variable("x", (3, 1))
    node = x**2
    assert str(OPERATIONS["power"].rules["u"].expression(node)) == "diag(2*x)"
    node = x**3
    assert str(OPERATIONS["power"].rules["u"].adjoint(Variable("G", (3, 1)), node)) == (
        "G.*(3*x.^2)"
    )


def test_shape_of_and_syntax():
    same_calls = []

    def same(a, b):
        same_calls.append((a, b))

    add = OPERATIONS["add"]
    assert add.shape_of(same, (3, 4), (3, 4)) == (3, 4) and same_calls == [(3, 3), (4, 4)]
    assert add.shape_of(same, (), (3, 4)) == (3, 4)
    assert add.shape_of(same, (3, 1), ()) == (3, 1)
    assert add.shape_of(same, (), ()) == ()
    assert OPERATIONS["negate"].shape_of(same, (2, 5)) == (2, 5)
    syntax = {n: OPERATIONS[n].syntax for n in [*BINARY, "negate"]}
    assert syntax == {
        "add": ("infix", "+"),
        "subtract": ("infix", "-"),
        "multiply": ("infix", ".*"),
        "divide": ("infix", "./"),
        "power": ("infix", ".^"),
        "negate": ("prefix", "-"),
    }


def test_a_shape_mismatch_in_an_expression_names_both_shapes():
    with pytest.raises(ShapeError, match="3×1"):
        Variable("x", (3, 1)) + Variable("y", (4, 1))
    assert (Variable("x", (3, 2)) * 2).shape == (3, 2)
    assert (2 - Variable("a", ())).shape == ()
