"""BlockDiagonal with rectangular p×q blocks (attention's ∂O/∂Q): its dense form, actions,
transpose, and the planned products with blocks and with a diagonal plus low rank, each against
the dense product and with the cost its plan states."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jacobians import BlockDiagonal, DiagonalPlusLowRank, ShapeError, compose, plan, softmax
from jacobians._blocks import block_sizes


def dense_of(B):
    d, p, q = B.shape
    M = np.zeros((p, d, q, d))
    for j in range(d):
        M[:, j, :, j] = B[j]
    return M.reshape(p * d, q * d)


@settings(max_examples=20)
@given(d=st.integers(1, 4), p=st.integers(1, 4), q=st.integers(1, 4), seed=st.integers(0, 99))
def test_dense_actions_and_transpose(d, p, q, seed):
    r = np.random.default_rng(seed)
    B = r.normal(size=(d, p, q))
    Jb = BlockDiagonal(B)
    assert (Jb.out_shape, Jb.in_shape, Jb.shape) == ((p, d), (q, d), (p * d, q * d))
    assert block_sizes(Jb.structure) == (d, p, q)
    np.testing.assert_array_equal(Jb.matrix, dense_of(B))
    M, R = r.normal(size=(q * d, 3)), r.normal(size=(2, p * d))
    np.testing.assert_allclose(Jb.left(M), dense_of(B) @ M, rtol=1e-12)
    np.testing.assert_allclose(Jb.right(R), R @ dense_of(B), rtol=1e-12)
    np.testing.assert_array_equal(Jb.T.matrix, dense_of(B).T)
    assert Jb.T.out_shape == (q, d)
    s = Jb.structure
    assert BlockDiagonal.left_cost(s, 3) == BlockDiagonal.right_cost(s, 3) == 3 * d * p * q


@settings(max_examples=20)
@given(d=st.integers(1, 4), p=st.integers(1, 3), q=st.integers(1, 3), r_=st.integers(1, 3))
def test_products_of_rectangular_blocks_stay_blocks(d, p, q, r_):
    rng = np.random.default_rng(d * 100 + p * 10 + q)
    A, B = BlockDiagonal(rng.normal(size=(d, p, q))), BlockDiagonal(rng.normal(size=(d, q, r_)))
    cost, s, method = plan(A.structure, B.structure)
    assert (method, s.kind, cost) == ("blocks_blocks", "block-diagonal", d * p * q * r_)
    AB = compose(A, B)
    assert AB.kind == "block-diagonal" and AB.structure == AB._structure_of()
    np.testing.assert_allclose(AB.matrix, A.matrix @ B.matrix, rtol=1e-12)


def test_blocks_of_other_samples_are_multiplied_dense():
    A = BlockDiagonal(np.ones((2, 3, 2)), (6,), (4,))  # 6×4
    B = BlockDiagonal(np.ones((4, 1, 1)), (4,), (4,))  # 4×4
    assert plan(A.structure, B.structure)[2] == "dense_dense"
    np.testing.assert_allclose(compose(A, B).matrix, A.matrix @ B.matrix)


@pytest.mark.parametrize(("p", "q"), [(2, 4), (4, 2), (3, 3)])
def test_rectangular_blocks_meet_a_softmax_of_their_samples(p, q):
    rng = np.random.default_rng(p * q)
    d = 3
    A = BlockDiagonal(rng.normal(size=(d, p, q)))
    right = softmax(rng.normal(size=(q, d))).jacobian  # samples of q: one per block
    left = softmax(rng.normal(size=(p, d))).jacobian  # samples of p
    assert isinstance(right, DiagonalPlusLowRank)
    for X, Y, method in ((A, right, "blocks_lowrank"), (left, A, "lowrank_blocks")):
        cost, s, m = plan(X.structure, Y.structure)
        assert (m, s.kind, cost) == (method, "block-diagonal", d * p * q * 4)
        P = compose(X, Y)
        assert P.kind == "block-diagonal" and P.B.shape == (d, p, q)
        np.testing.assert_allclose(P.matrix, X.matrix @ Y.matrix, rtol=1e-12, atol=1e-15)


def test_bad_blocks_are_named():
    with pytest.raises(ShapeError, match=r"(?s)BlockDiagonal.*'B'.*\(d, p, q\).*\(2, 3\)"):
        BlockDiagonal(np.ones((2, 3)))
    with pytest.raises(ShapeError, match="6 entries out and 8 in for 2 blocks of 3×4"):
        BlockDiagonal(np.ones((2, 3, 4)), (7,), (8,))
    assert BlockDiagonal(np.ones((2, 3, 4)), (6,), (8,)).shape == (6, 8)
