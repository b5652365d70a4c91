"""The worked examples of issue 15 for the structures, the chain, the limit and the tables: each
bad input refused by name before any work, each valid one (lists, numpy scalars, a structure
far larger than memory that allocates nothing) accepted."""

from __future__ import annotations

import numpy as np
import pytest

import jacobians as J
from derivations import mlp, single_layer
from jacobians import DenseLimitError, InputError, InputTypeError, ShapeError

R = np.ones((1, 3))


def _raises(error, arg, call):
    with pytest.raises(error) as info:
        call()
    assert f"bad argument '{arg}'" in str(info.value), str(info.value)
    return str(info.value)


@pytest.mark.parametrize(
    ("error", "arg", "call"),
    [
        (InputError, "shape", lambda: J.Identity((-2, -3))),
        (InputTypeError, "shape", lambda: J.Identity((2.5, 3))),  # never truncated to 2
        (InputTypeError, "shape", lambda: J.Identity("ab")),
        (InputTypeError, "dtype", lambda: J.Identity((2,), dtype=bool)),
        (InputTypeError, "M", lambda: J.Dense(None)),
        (InputTypeError, "M", lambda: J.Dense(np.ones((2, 2), dtype=bool))),
        (InputTypeError, "M", lambda: J.Dense(np.array([["a"]]))),
        (InputError, "M", lambda: J.Dense(np.array([[np.nan]]))),
        (ShapeError, "M", lambda: J.Dense(np.ones((2, 2, 2)))),
        (ShapeError, "d", lambda: J.Diagonal([])),
        (InputError, "d", lambda: J.Diagonal([1.0, np.inf])),
        (InputTypeError, "L", lambda: J.Kronecker(True, R)),
        (InputError, "L", lambda: J.Kronecker(-2, R)),
        (ShapeError, "R", lambda: J.Kronecker(2, np.ones(3))),
        (ShapeError, "B", lambda: J.BlockDiagonal(np.ones((2, 2)))),
        (InputTypeError, "terms", lambda: J.Sum("J")),
        (InputTypeError, "A", lambda: J.compose("x", J.Identity((2,)))),
        (InputTypeError, "sa", lambda: J.plan("a", "b")),
        (
            InputError,
            "sa",
            lambda: J.plan(J.Structure("nonsense", 3, 3), J.Structure("dense", 3, 3)),
        ),
        (InputTypeError, "J", lambda: J.to_gradient(["a", "b"], (2,))),
        (InputTypeError, "J", lambda: J.to_gradient(np.array([[True, False]]), (2,))),
        (InputError, "J", lambda: J.to_gradient(np.array([[1.0, np.nan]]), (2,))),
        (InputTypeError, "shape", lambda: J.to_gradient(J.Dense(np.ones((1, 2))), "ab")),
        (InputError, "nbytes", lambda: J.set_dense_limit(float("inf"))),
        (InputError, "nbytes", lambda: J.set_dense_limit(0.5)),  # never rounded down to 0
        (InputError, "limit", lambda: J.Diagonal(np.ones(2)).dense(limit=float("nan"))),
        (InputError, "limit", lambda: J.Dense(np.ones((2, 2))).dense(limit=-1)),
        (ShapeError, "M", lambda: J.Diagonal(np.ones(2)).left(np.ones((3, 1)))),
        (ShapeError, "M", lambda: J.Diagonal(np.ones(2)).right(np.ones(2))),
        (InputTypeError, "seed", lambda: single_layer(seed="0")),
        (InputTypeError, "n", lambda: single_layer(n=2.5)),
        (InputTypeError, "show_matrices", lambda: single_layer(show_matrices="yes")),
        (InputTypeError, "sizes", lambda: mlp(sizes="2,3")),
        (InputTypeError, "sizes[1]", lambda: mlp(sizes=[2, 2.5, 1])),
    ],
)
def test_bad_input_is_refused_by_name(error, arg, call):
    _raises(error, arg, call)


def test_overflowing_products_and_sums_are_refused_without_a_warning():
    big = J.Dense(np.array([[1e200]]))
    assert "overflows" in _raises(InputError, "factors", lambda: J.chain(big, big))
    _raises(InputError, "factors", lambda: J.compose(big, big))
    _raises(InputError, "M", lambda: J.Diagonal([2.0]).right([[1e308]]))
    K = J.Kronecker(2, np.array([[1e200, 1.0]]))
    _raises(InputError, "M", lambda: K.left(np.full((4, 1), 1e200)))
    D = J.Diagonal([1e308])
    _raises(InputError, "B", lambda: J.add_jacobians(D, D))


def test_a_nan_factor_cannot_reach_the_chain():
    with pytest.raises(InputError):
        J.Dense(np.array([[1.0, np.nan]]))
    row = J.Dense(np.array([[1.0, 2.0]]))
    assert np.isfinite(J.chain(row, J.Diagonal([3.0, 4.0])).matrix).all()


def test_lists_and_numpy_scalars_are_accepted():
    assert J.Dense([[1, 2], [3, 4]]).M.dtype == np.float64  # integers promoted, as operations do
    assert J.Kronecker(np.int64(2), [[1.0, 2.0]]).shape == (2, 4)
    assert J.BlockDiagonal([[[1.0]], [[2.0]]]).shape == (2, 2)
    assert J.Identity([np.int64(2), 3]).shape == (6, 6)
    np.testing.assert_array_equal(J.Diagonal([1.0, 2.0]).left([[1.0], [1.0]]), [[1.0], [2.0]])
    assert J.to_gradient([[1.0, 2.0]], [2]).tolist() == [1.0, 2.0]
    previous = J.set_dense_limit(4e9)  # a whole number of bytes written as a float
    assert J.set_dense_limit(previous) == 4_000_000_000


def test_a_structure_larger_than_memory_allocates_nothing_and_is_refused_dense():
    K = J.Kronecker(10**12, R)  # I ⊗ xᵀ of 10¹² blocks: two numbers kept
    assert K.shape == (10**12, 3 * 10**12)
    assert J.chain_costs(K.T, K)["cheapest"] == 9  # (I ⊗ x)(I ⊗ xᵀ) = I ⊗ x xᵀ: 9 products
    with pytest.raises(DenseLimitError):
        K.dense()
    assert J.Identity((10**12,)).T.shape == (10**12, 10**12)


def test_sizes_that_would_allocate_are_weighed_before_the_work():
    with pytest.raises(DenseLimitError):
        J.Permutation.transpose_of(10**6, 10**6)  # an index of 10¹² integers
    with pytest.raises(DenseLimitError):  # 2·I needs the diagonal of I_n as numbers
        J.add_jacobians(J.Identity((10**12,)), J.Identity((10**12,)))
