"""sum, mean, logsumexp (every entry or an axis), norm1, norm2, softmax along an axis, and the
symbolic forms of the costs.

The registry-wide tests (test_core_ops) check the default options; here every axis, on
hypothesis-drawn shapes, against the complex step (central differences for norm1, whose kink
complex step does not see), the structures, the symbolic forms of every rule, and the inputs
refused with their wording.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobians as J
from jacobians import COSTS, OPERATIONS, InputError, numeric
from tests.jacobians.symbolic_forms import check_forms

sizes = st.integers(1, 5)
seeds = st.integers(0, 2**32 - 1)
axes = st.sampled_from([None, 1, 2])
REDUCE = {"sum": np.sum, "mean": np.mean}


def assert_numeric(name, X, method="complex", **options):
    op = OPERATIONS[name]
    got = op(X, **options).jacobian
    N = numeric(lambda v: op(v, **options).value, X, method=method)
    assert (got.out_shape, got.in_shape) == (N.out_shape, N.in_shape)
    tol = 1e-12 if method == "complex" else 1e-7
    np.testing.assert_allclose(got.matrix, N.matrix, rtol=tol, atol=tol)


def numpy_axis(axis):
    return None if axis is None else axis - 1  # MATLAB numbering: 1 down the columns


# ----- values and numerics on every axis -----
@pytest.mark.parametrize("name", ["sum", "mean"])
@given(n=sizes, m=sizes, axis=axes, seed=seeds)
def test_sum_and_mean_on_every_axis(name, n, m, axis, seed):
    X = np.random.default_rng(seed).normal(size=(n, m))
    r = OPERATIONS[name](X, axis=axis)
    want = REDUCE[name](X, axis=numpy_axis(axis), keepdims=axis is not None)
    np.testing.assert_allclose(r.value, want, rtol=1e-14)
    assert r.jacobian.kind == ("row" if axis is None else "kronecker")
    assert_numeric(name, X, axis=axis)


@given(n=sizes, m=sizes, axis=axes, seed=seeds)
def test_logsumexp_on_every_axis(n, m, axis, seed):
    X = 3 * np.random.default_rng(seed).normal(size=(n, m))
    r = J.logsumexp(X, axis=axis)
    k = numpy_axis(axis)
    want = np.log(np.exp(X).sum(axis=k, keepdims=axis is not None))
    np.testing.assert_allclose(r.value, want, rtol=1e-13)
    assert_numeric("logsumexp", X, axis=axis)


@given(n=sizes, m=sizes, axis=st.sampled_from([1, 2]), seed=seeds)
def test_softmax_along_either_axis(n, m, axis, seed):
    Z = 2 * np.random.default_rng(seed).normal(size=(n, m))
    a = J.softmax(Z, axis=axis).value
    k = axis - 1
    np.testing.assert_allclose(a, np.exp(Z) / np.exp(Z).sum(axis=k, keepdims=True), rtol=1e-13)
    assert_numeric("softmax", Z, axis=axis)


@given(n=sizes, m=sizes, seed=seeds)
def test_norms_against_numerics(n, m, seed):
    X = np.random.default_rng(seed).normal(size=(n, m))
    assert J.norm2(X).value == pytest.approx(np.linalg.norm(X), rel=1e-14)
    assert J.norm1(X).value == pytest.approx(np.abs(X).sum(), rel=1e-14)
    assert_numeric("norm2", X)
    assert_numeric("norm1", X + np.sign(X) * 0.05, method="central")


# ----- structures, stability, documented values -----
def test_the_summing_jacobians_are_kronecker_products_of_ones():
    X = np.arange(6.0).reshape(2, 3)
    columns, rows = J.sum(X, axis=1).jacobian, J.sum(X, axis=2).jacobian
    np.testing.assert_array_equal(columns.matrix, np.kron(np.ones((1, 2)), np.eye(3)))
    np.testing.assert_array_equal(rows.matrix, np.kron(np.eye(2), np.ones((1, 3))))
    np.testing.assert_array_equal(J.mean(X).jacobian.matrix, np.full((1, 6), 1 / 6))


def test_logsumexp_is_stable_for_large_entries():
    X = np.array([[1e4, -1e4], [1e4, 0.0]])
    np.testing.assert_allclose(J.logsumexp(X, axis=1).value, [[1e4 + np.log(2), 0.0]])
    r = J.logsumexp(X)
    assert np.isfinite(r.value) and np.isfinite(r.jacobian.matrix).all()


def test_norm1_takes_the_subgradient_zero_at_an_entry_zero_and_lets_complex_values_flow():
    np.testing.assert_array_equal(
        J.norm1(np.array([-2.0, 0.0, 3.0])).jacobian.matrix, [[-1.0, 0.0, 1.0]]
    )
    assert not OPERATIONS["norm1"].rules["X"].analytic
    z = np.array([2.0 + 1e-20j, -3.0 + 1e-20j])
    assert J.norm1(z).value == pytest.approx(5.0 + 0j) and J.norm1(z).value.imag == 0.0


def test_norm2_does_not_overflow():
    assert J.norm2(np.array([3e200, 4e200])).value == pytest.approx(5e200)
    assert J.norm2(np.array([3e-200, 4e-200])).value == pytest.approx(5e-200)
    assert J.norm2(np.zeros(3)).value == 0.0


# ----- refused, with the reason -----
def test_norm2_has_no_derivative_at_zero():
    r = J.norm2(np.zeros((2, 2)))
    with pytest.raises(InputError, match=r"norm2: .*'X'.*\n.*X ≠ 0.*\n.*X = 0.*\n.*2X"):
        _ = r.jacobian


@pytest.mark.parametrize("axis", [0, 3, 1.5, True, "1"])
@pytest.mark.parametrize("name", ["sum", "mean", "logsumexp", "softmax"])
def test_an_axis_other_than_1_or_2_is_refused(name, axis):
    with pytest.raises(InputError, match=rf"{name}: .*'axis'.*\n.*1 \(down each column"):
        OPERATIONS[name](np.ones((2, 2)), axis=axis)


def test_softmax_has_no_axis_none():
    with pytest.raises(InputError, match="axis"):
        J.softmax(np.ones(2), axis=None)


# ----- the symbolic forms of every rule -----
@pytest.mark.parametrize("name", ["sum", "mean", "logsumexp"])
@given(n=sizes, m=sizes, axis=axes, seed=seeds)
def test_symbolic_forms_of_the_reductions(name, n, m, axis, seed):
    X = np.random.default_rng(seed).normal(size=(n, m))
    check_forms(name, {"X": X}, axis=axis)


@given(n=sizes, m=sizes, axis=st.sampled_from([1, 2]), seed=seeds)
def test_symbolic_forms_of_softmax_and_the_norms(n, m, axis, seed):
    X = np.random.default_rng(seed).normal(size=(n, m))
    check_forms("softmax", {"z": X}, axis=axis)
    check_forms("norm1", {"X": X})
    check_forms("norm2", {"X": X})


def _cost_inputs(name, rng, shape):
    a, y = rng.random(shape) * 0.8 + 0.1, rng.random(shape)
    if name in ("cross_entropy", "softmax_cross_entropy"):
        y = y / y.sum(axis=0)
    return {"z" if "z" in OPERATIONS[name].rules else "a": a, "y": y}


@pytest.mark.parametrize("name", list(COSTS))
@given(n=sizes, d=sizes, seed=seeds)
def test_symbolic_forms_of_the_costs(name, n, d, seed):
    check_forms(name, _cost_inputs(name, np.random.default_rng(seed), (n, d)))


def test_the_gradient_of_a_cost_reads_as_its_formula():
    from jacobians.expressions import Variable

    a, y = Variable("a", (3, 1)), Variable("y", (3, 1))
    rule = OPERATIONS["squared_error"].rules["a"]
    assert str(rule.adjoint(Variable("G", ()), J.squared_error(a, y))) == "G*(a - y)"
    node = J.softmax_cross_entropy(a, y)
    got = str(OPERATIONS["softmax_cross_entropy"].rules["z"].adjoint(Variable("G", ()), node))
    assert got == "G*(softmax(a)*sum(y) - y)"
