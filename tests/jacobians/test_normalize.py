"""layernorm and batchnorm: values, closed forms against complex step, their structures (layer
norm block-diagonal over samples, batch norm coupling them) and their refusals."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jacobians import (
    OPERATIONS,
    DiagonalPlusLowRank,
    InputError,
    ShapeError,
    batchnorm,
    layernorm,
    numeric,
)

seeds = st.integers(0, 2**32 - 1)


def reference(x, gamma, beta, eps, axis):
    """y = γ ⊙ (x − μ)/√(var + eps) + β by numpy, groups along ``axis`` (0: columns, 1: rows)."""
    mu, var = x.mean(axis=axis, keepdims=True), x.var(axis=axis, keepdims=True)
    return gamma.reshape(-1, 1) * (x - mu) / np.sqrt(var + eps) + beta.reshape(-1, 1)


def draw(seed, n, d):
    r = np.random.default_rng(seed)
    return r.normal(size=(n, d)) * 2, 1 + r.normal(size=n) / 2, r.normal(size=n)


# ----- values -----
def test_layernorm_of_one_column_is_the_worked_example():
    r = layernorm(np.array([1.0, 2.0, 3.0]), np.ones(3), np.zeros(3))
    s = np.sqrt(2 / 3 + 1e-5)  # the population variance of 1, 2, 3 is 2/3
    np.testing.assert_allclose(r.value, [-1 / s, 0, 1 / s], rtol=1e-15)
    assert r.value.shape == (3,)


@given(n=st.integers(1, 6), d=st.integers(1, 5), seed=seeds, eps=st.sampled_from([1e-5, 0.1]))
def test_values_are_the_textbook_formula(n, d, seed, eps):
    x, g, b = draw(seed, n, d)
    np.testing.assert_allclose(layernorm(x, g, b, eps=eps).value, reference(x, g, b, eps, 0))
    if d >= 2:
        np.testing.assert_allclose(batchnorm(x, g, b, eps=eps).value, reference(x, g, b, eps, 1))


def test_huge_entries_normalize_as_small_ones():
    """The moments are taken of x/max|x|: x = ±1e308 is finite, as is x̂."""
    x = np.array([1e308, -1e308, 0.0])
    r = layernorm(x, np.ones(3), np.zeros(3))
    np.testing.assert_allclose(r.value, [np.sqrt(1.5), -np.sqrt(1.5), 0], rtol=1e-12)
    assert np.isfinite(r.jacobians["x"].matrix).all()


def test_a_constant_group_has_zero_xhat_and_the_centering_jacobian():
    """x̂ = 0 and σ = √eps: ∂y/∂x = diag(γ/√eps)(I − 11ᵀ/n)."""
    g = np.array([1.0, 2.0, 3.0])
    r = layernorm(np.full(3, 5.0), g, np.zeros(3), eps=0.25)
    np.testing.assert_array_equal(r.value, 0)
    np.testing.assert_allclose(r.jacobians["x"].matrix, np.diag(g / 0.5) @ (np.eye(3) - 1 / 3))


# ----- Jacobians against complex step, with options the registry-wide tests do not vary -----
@settings(max_examples=30)
@given(
    n=st.integers(1, 5),
    d=st.integers(1, 4),
    seed=seeds,
    name=st.sampled_from(["layernorm", "batchnorm"]),
    wrt=st.sampled_from(["x", "gamma", "beta"]),
    eps=st.sampled_from([1e-5, 0.5]),
    column=st.booleans(),
)
def test_every_rule_equals_complex_step(n, d, seed, name, wrt, eps, column):
    d = max(d, 2) if name == "batchnorm" else d
    x, g, b = draw(seed, n, d)
    args = {"x": x, "gamma": g[:, None] if column else g, "beta": b}
    op = OPERATIONS[name]
    J = op(**args, eps=eps).jacobians[wrt]
    N = numeric(lambda v: op(**{**args, wrt: v}, eps=eps).value, args[wrt], method="complex")
    scale = max(1.0, np.abs(N.matrix).max())
    np.testing.assert_allclose(J.matrix, N.matrix, rtol=1e-12, atol=1e-12 * scale)
    assert J.in_shape == args[wrt].shape and J.out_shape == x.shape


@given(n=st.integers(1, 6), d=st.integers(2, 5), seed=seeds)
def test_a_row_times_the_jacobian_is_the_row_times_its_matrix(n, d, seed):
    """The structured row action (9 multiply-adds an entry) is g · J of the dense matrix."""
    x, g, b = draw(seed, n, d)
    row = np.random.default_rng(seed + 1).normal(size=(1, n * d))
    for op in (layernorm, batchnorm):
        for J in op(x, g, b).jacobians.values():
            np.testing.assert_allclose(J.right(row), row @ J.matrix, rtol=1e-12, atol=1e-12)


# ----- structures: layer norm per sample, batch norm per feature -----
def test_layernorm_jacobian_is_diagonal_plus_rank_two_per_sample():
    x, g, b = draw(0, 4, 3)
    J = layernorm(x, g, b).jacobians["x"]
    assert isinstance(J, DiagonalPlusLowRank)
    s = J.structure
    assert (s.kind, s.block, s.low_rank) == ("diagonal-plus-low-rank", 4, (2, 1))
    assert J.U.shape == (2, 12)  # 2 columns of 12 entries, never the 12×12 matrix
    M = J.matrix.reshape(4, 3, 4, 3)  # (i, j) × (k, l): zero unless j = l, the same sample
    for j in range(3):
        for m in range(3):
            if j != m:
                np.testing.assert_array_equal(M[:, j, :, m], 0)


def test_batchnorm_couples_the_samples_and_its_structure_says_so():
    """A batch's Jacobian is not block-diagonal over samples: entries between different samples
    of one feature are non-zero; its blocks are the features' (d×d), along rows (axis 2)."""
    n, d = 3, 4
    x, g, b = draw(1, n, d)
    J = batchnorm(x, g, b).jacobians["x"]
    s = J.structure
    assert (s.kind, s.block, s.low_rank) == ("diagonal-plus-low-rank", d, (2, 2))
    M = J.matrix.reshape(n, d, n, d)
    for i in range(n):
        block = M[i, :, i, :]
        assert np.abs(block[~np.eye(d, dtype=bool)]).min() > 1e-6  # sample j moves with each l
        for k in range(n):
            if k != i:  # features stay apart
                np.testing.assert_array_equal(M[i, :, k, :], 0)
    # the same x through layer norm: no coupling between samples
    L = layernorm(x, g, b).jacobians["x"].matrix.reshape(n, d, n, d)
    assert all(np.abs(L[:, j, :, m]).max() == 0 for j in range(d) for m in range(d) if j != m)


def test_batchnorm_of_two_samples_sees_only_eps():
    """With d = 2, x̂ = ±√(var/(var + eps)): the output barely moves, ∂y/∂x → 0 as eps → 0."""
    x = np.array([[0.0, 2.0]])
    small = batchnorm(x, np.ones(1), np.zeros(1), eps=1e-12).jacobians["x"].matrix
    assert np.abs(small).max() < 1e-10


def test_parameter_jacobians_keep_their_structures():
    x, g, b = draw(2, 3, 2)
    r1, rb = layernorm(x[:, 0], g, b), layernorm(x, g, b)
    assert [r1.jacobians[p].kind for p in ("gamma", "beta")] == ["diagonal", "identity"]
    assert [rb.jacobians[p].kind for p in ("gamma", "beta")] == ["product", "kronecker"]
    # sample 0's rows of the batch's ∂y/∂γ are the one column's diag(x̂)
    np.testing.assert_array_equal(r1.jacobians["gamma"].matrix, rb.jacobians["gamma"].matrix[::2])


def test_unchecked_is_prepare_without_the_checks():
    x, g, b = draw(3, 4, 3)
    for op in (layernorm, batchnorm):
        np.testing.assert_array_equal(op.unchecked(x, g, b).value, op(x, g, b).value)


# ----- refusals -----
@pytest.mark.parametrize("x", [np.ones(3), np.ones((3, 1)), 0.5])
def test_batchnorm_refuses_one_sample(x):
    with pytest.raises(ShapeError, match="at least 2 samples") as e:
        batchnorm(x, np.ones(np.size(x)), np.zeros(np.size(x)))
    assert e.value.op == "batchnorm" and e.value.arg == "x"


@pytest.mark.parametrize("op", [layernorm, batchnorm])
@pytest.mark.parametrize(
    ("args", "arg", "error"),
    [
        ({"gamma": np.ones(4)}, "gamma", ShapeError),
        ({"beta": np.ones((3, 2))}, "beta", ShapeError),
        ({"x": np.ones((3, 2, 2))}, "x", ShapeError),
        ({"x": np.array([[1.0, np.nan], [0, 0], [0, 0]])}, "x", InputError),
        ({"eps": 0.0}, "eps", InputError),
        ({"eps": -1.0}, "eps", InputError),
        ({"eps": "small"}, "eps", InputError),
        ({"x": np.ones((3, 2)), "gamma": np.full(3, 1e200), "eps": 1e-300}, "gamma", InputError),
        ({"gamma": np.full(3, 1e308), "beta": np.full(3, 1e308)}, "gamma", InputError),
    ],
)
def test_bad_arguments_are_refused_by_name(op, args, arg, error):
    good = {"x": np.arange(6.0).reshape(3, 2), "gamma": np.ones(3), "beta": np.zeros(3)}
    with pytest.raises(error) as e:
        op(**{**good, **args})
    assert e.value.op == op.name and e.value.arg == arg


@pytest.mark.parametrize(
    "dtype, big", [(np.float64, 1e160), (np.float64, 1e300), (np.float32, 1e20)]
)
def test_a_constant_input_of_any_size_normalizes_to_zero(dtype, big):
    # x̂ = 0 and σ = √eps; eps/s² made as eps/(s·s) overflowed s·s, and 0/0 was refused
    x, g, b = np.full(3, big, dtype), np.ones(3, dtype), np.full(3, 0.5, dtype)
    r = layernorm(x, g, b)
    np.testing.assert_array_equal(r.value, b)
    assert r.value.dtype == dtype and np.isfinite(r.jacobians["x"].matrix).all()
    np.testing.assert_array_equal(batchnorm(np.full((3, 2), big, dtype), g, b).value, 0.5)
