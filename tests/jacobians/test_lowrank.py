"""The diagonal plus low rank, D + U Vᵀ per sample: against a dense matrix built here, sample by
sample, for its actions, transpose, products and sums with every structure, column-major order;
its argument checks; softmax's Jacobian in it; and a row times it, which makes no n×n block.

(Its multiply-add counts are held to what it executes in test_structures, with every pair.)
"""

import tracemalloc
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobians as J
from jacobians import (
    BlockDiagonal,
    DiagonalPlusLowRank,
    Identity,
    InputError,
    InputTypeError,
    ShapeError,
    Sum,
    add_jacobians,
    chain,
    compose,
)
from jacobians._column_major import column_major
from jacobians._planner import STRUCTURES
from jacobians._sum import plan_sum
from reshape import commutation

from .test_structures_more import build

LOW = DiagonalPlusLowRank.kind
DTYPES = [np.float32, np.float64, np.complex128]
seeds = st.integers(0, 2**32 - 1)


def draw_array(rng, shape, dtype):
    a = rng.normal(size=shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.normal(size=shape)
    return a.astype(dtype)


def reference(d, U, V, axis):
    """The dense matrix, written from the definition: entry i of sample j of an (n, b) batch sits
    at i·b + j (samples as columns) or j·b + i (as rows); its block is diag(d_j) + U_j V_jᵀ."""
    N = d.size
    if d.ndim == 1:
        samples = [(np.arange(N), d, U, V)]
    else:
        n, b = d.shape
        if axis == 1:
            samples = [(np.arange(n) * b + j, d[:, j], U[:, j], V[:, j]) for j in range(b)]
        else:
            samples = [(j * b + np.arange(b), d[j], U[j], V[j]) for j in range(n)]
    M = np.zeros((N, N), dtype=np.result_type(d, U, V))
    for idx, dj, Uj, Vj in samples:
        M[np.ix_(idx, idx)] = np.diag(dj) + Uj @ Vj.T
    return M


@st.composite
def low_ranks(draw, dtype=None):
    """(d, U, V, axis, the Jacobian): one sample (d a vector) or a batch along either axis."""
    rng = np.random.default_rng(draw(seeds))
    dtype = draw(st.sampled_from(DTYPES)) if dtype is None else dtype
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=2)))
    k, axis = draw(st.integers(1, 3)), draw(st.sampled_from([1, 2]))
    d, U, V = (draw_array(rng, s, dtype) for s in (shape, (*shape, k), (*shape, k)))
    return d, U, V, axis, DiagonalPlusLowRank(d, U, V, axis)


def close(got, want, dtype=np.float64):
    tol = 1e-4 if np.dtype(dtype) in (np.float32, np.complex64) else 1e-12
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * max(1, np.abs(want).max()))


# ----- the structure against its dense form -----
@given(low=low_ranks(), m=st.integers(1, 3), seed=seeds)
def test_dense_form_actions_and_transpose_equal_the_definition(low, m, seed):
    d, U, V, axis, L = low
    rng = np.random.default_rng(seed)
    D = reference(d, U, V, axis)
    assert L.kind == LOW and L.dtype == d.dtype and L.shape == D.shape
    assert (L.out_shape, L.in_shape) == (d.shape, d.shape)
    assert L.structure == L._structure_of()
    close(L.matrix, D, d.dtype)
    assert L.matrix.dtype == d.dtype
    M, G = draw_array(rng, (d.size, m), d.dtype), draw_array(rng, (m, d.size), d.dtype)
    close(L.left(M), D @ M, d.dtype)
    close(L.right(G), G @ D, d.dtype)
    assert L.left(M).dtype == L.right(G).dtype == d.dtype
    Mc = M + 1j * rng.normal(size=M.shape)  # complex steps go through the actions
    close(L.left(Mc), D @ Mc, d.dtype)
    T = L.T
    assert type(T) is DiagonalPlusLowRank and T.structure == T._structure_of()
    assert (T.out_shape, T.in_shape) == (L.in_shape, L.out_shape)
    close(T.matrix, D.T, d.dtype)
    close(T.right(G), G @ D.T, d.dtype)
    close(T.T.matrix, D, d.dtype)


def test_one_sample_or_samples_of_one_entry_are_the_same_in_either_order():
    rng = np.random.default_rng(0)
    for shape in [(5, 1), (1, 5)]:
        d, U, V = rng.normal(size=shape), rng.normal(size=(*shape, 2)), rng.normal(size=(*shape, 2))
        by_column, by_row = DiagonalPlusLowRank(d, U, V, 1), DiagonalPlusLowRank(d, U, V, 2)
        assert by_column.structure.low_rank == by_row.structure.low_rank == (2, 1)
        close(by_column.matrix, reference(d, U, V, 1))
        close(by_row.matrix, reference(d, U, V, 2))


# ----- products and sums with every structure -----
def _squares(r):
    """A Jacobian of each structure with an r×r matrix (the pick always the first variant)."""
    rng = np.random.default_rng(r)
    return [build(kind, r, r, rng, lambda options: options[0]) for kind in STRUCTURES]


@given(data=st.data())
def test_products_with_every_structure_equal_the_dense_product(data):
    n, b = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    rng = np.random.default_rng(data.draw(seeds))
    pick = lambda options: data.draw(st.sampled_from(options))
    axis, k = pick([1, 2]), pick([1, 2])
    d, U, V = rng.normal(size=(n, b)), rng.normal(size=(n, b, k)), rng.normal(size=(n, b, k))
    L = DiagonalPlusLowRank(d, U, V, axis, (n * b,), (n * b,))
    for kind in STRUCTURES:
        A = build(kind, n * b, n * b, rng, pick)
        for P, want in ((compose(L, A), L.matrix @ A.matrix), (compose(A, L), A.matrix @ L.matrix)):
            close(P.matrix, want)
            assert P.structure == P._structure_of() and type(P) is STRUCTURES[P.structure.kind]
    assert compose(L, L).kind == LOW and compose(L, L).structure.low_rank == (2 * k, L.axis)
    close(compose(L, L).matrix, L.matrix @ L.matrix)


def test_products_keep_the_structure_where_the_mathematics_gives_one():
    rng = np.random.default_rng(1)
    a = rng.random((4, 3)) + 0.1
    a /= a.sum(axis=0)
    L = J.softmax(np.log(a)).jacobian  # samples as columns, n = 4
    G = J.Diagonal(rng.normal(size=(4, 3)))
    for P in (compose(G, L), compose(L, G), compose(L, L)):
        assert P.kind == LOW
    B = BlockDiagonal(rng.normal(size=(3, 4, 4)))
    assert compose(B, L).kind == compose(L, B).kind == "block-diagonal"
    close(compose(L, B).matrix, L.matrix @ B.matrix)
    rows = J.softmax(np.log(a), axis=2).jacobian  # samples as rows: they do not meet L's
    assert compose(L, rows).kind == "dense" and compose(B, rows).kind == "dense"
    close(compose(L, rows).matrix, L.matrix @ rows.matrix)


@given(low=low_ranks(dtype=np.float64), data=st.data())
def test_chains_with_low_ranks_agree_in_every_order(low, data):
    *_, L = low
    N = L.shape[0]
    dims = [data.draw(st.sampled_from([1, 2, N])), N, N, data.draw(st.sampled_from([1, N, 5]))]
    rng = np.random.default_rng(data.draw(seeds))
    first = J.Dense(rng.normal(size=(dims[0], N)), (dims[0],), L.out_shape)
    factors = [first, L, L.T, J.Dense(rng.normal(size=(N, dims[3])), L.in_shape, (dims[3],))]
    dense = np.linalg.multi_dot([F.matrix for F in factors])
    for order in J.ORDERS:
        close(chain(*factors, order=order).matrix, dense)
    for F, G in pairwise(factors):
        assert J.plan(F.structure, G.structure)[0] >= 0


def test_sums_keep_the_structure_and_plan_sum_follows():
    rng = np.random.default_rng(2)
    shape = (3, 2)
    L = DiagonalPlusLowRank(*(rng.normal(size=s) for s in (shape, (*shape, 1), (*shape, 1))))
    L2 = DiagonalPlusLowRank(*(rng.normal(size=s) for s in (shape, (*shape, 2), (*shape, 2))))
    rows = DiagonalPlusLowRank(*(rng.normal(size=s) for s in (shape, (*shape, 1), (*shape, 1))), 2)
    cases = {
        (L, Identity((6,))): LOW,
        (J.Diagonal(rng.normal(size=6)), L): LOW,
        (L, L2): LOW,  # rank 1 + 2
        (L, rows): "sum",  # samples that do not meet
        (L, BlockDiagonal(rng.normal(size=(2, 3, 3)))): "sum",
        (L, J.Dense(rng.normal(size=(6, 6)))): "dense",
    }
    for (A, B), kind in cases.items():
        S = add_jacobians(A, B)
        assert S.kind == kind, (A, B)
        close(S.matrix, A.matrix + B.matrix)
        assert plan_sum(A.structure, B.structure)[1] == S.structure
    assert add_jacobians(L, L2).structure.low_rank == (3, 1)


# ----- column-major order -----
def _f_dense(J_, shape):
    K = commutation(*shape)
    return K.T @ J_.matrix @ K


@pytest.mark.parametrize("axis", [1, 2])
@pytest.mark.parametrize("shape", [(3, 2), (2, 4), (1, 3), (3, 1)])
def test_column_major_turns_columns_into_rows(axis, shape):
    rng = np.random.default_rng(3)
    L = DiagonalPlusLowRank(*(rng.normal(size=s) for s in (shape, (*shape, 2), (*shape, 2))), axis)
    F = column_major(L)
    assert F.kind == LOW and (F.out_shape, F.in_shape) == (shape, shape)
    if 1 not in shape:
        assert F.structure.low_rank == (2, 3 - axis)
        close(F.matrix, _f_dense(L, shape))
    one = DiagonalPlusLowRank(*(rng.normal(size=s) for s in ((6,), (6, 1), (6, 1))))
    one = one.label("a", "z", out_shape=(2, 3), in_shape=(2, 3))  # one sample: entries permuted
    assert column_major(one).kind == LOW
    close(column_major(one).matrix, _f_dense(one, (2, 3)))
    odd = L.labelled("a", "z").label("a", "z", out_shape=shape[::-1], in_shape=shape[::-1])
    if 1 not in shape and shape[0] != shape[1]:  # samples that are no columns or rows: dense
        assert column_major(odd).kind == "dense"
        close(column_major(odd).matrix, _f_dense(odd, shape[::-1]))


# ----- the constructor's checks -----
@pytest.mark.parametrize(
    ("args", "error", "arg"),
    [
        ((np.ones((2, 2, 2)), np.ones((2, 2, 2, 1)), np.ones((2, 2, 2, 1))), ShapeError, "d"),
        ((np.ones(3), np.ones(3), np.ones(3)), ShapeError, "U"),  # no k axis
        ((np.ones((3, 2)), np.ones((2, 3, 1)), np.ones((2, 3, 1))), ShapeError, "U"),
        ((np.ones(3), np.ones((3, 1)), np.ones((3, 2))), ShapeError, "V"),
        ((np.ones(3), np.ones((3, 1)), [[1.0], [np.nan], [1.0]]), InputError, "V"),
        ((np.ones(3), "U", np.ones((3, 1))), InputTypeError, "U"),
        ((np.ones(3, dtype=bool), np.ones((3, 1)), np.ones((3, 1))), InputTypeError, "d"),
        ((np.ones(3), np.ones((3, 1)), np.ones((3, 1)), 3), InputError, "axis"),
        ((np.ones(3), np.ones((3, 1)), np.ones((3, 1)), True), InputError, "axis"),
        ((np.ones(3), np.ones((3, 1)), np.ones((3, 1)), 1, (4,)), ShapeError, "out_shape/in_shape"),
    ],
)
def test_the_constructor_refuses_what_is_no_diagonal_plus_low_rank(args, error, arg):
    with pytest.raises(error, match="DiagonalPlusLowRank") as err:
        DiagonalPlusLowRank(*args)
    assert err.value.arg == arg


def test_the_constructor_says_how_to_pass_a_rank_one_term():
    u = np.ones((3, 2))
    with pytest.raises(ShapeError, match=r"u\[\.\.\., None\]"):
        DiagonalPlusLowRank(np.ones((3, 2)), u, u)
    L = DiagonalPlusLowRank([1.0, 2.0], [[1.0], [0.0]], [[0.0], [1.0]])  # lists are converted
    np.testing.assert_array_equal(L.matrix, [[1.0, 1.0], [0.0, 2.0]])


# ----- softmax's Jacobian -----
@pytest.mark.parametrize("axis", [1, 2])
@pytest.mark.parametrize("shape", [(4,), (4, 1), (1, 4), (4, 3)])
def test_softmax_jacobian_is_a_diagonal_plus_rank_one_per_sample(shape, axis):
    z = np.random.default_rng(4).normal(size=shape)
    A = J.softmax(z, axis=axis).jacobians["z"]
    assert A.kind == LOW and A.structure.low_rank[0] == 1
    assert (A.out_shape, A.in_shape) == (shape, shape)
    num = J.numeric(lambda z: J.softmax(z, axis=axis).value, z)
    np.testing.assert_allclose(A.matrix, num.matrix, atol=1e-9)
    assert J.OPERATIONS["softmax"].structures("z") == (LOW, LOW)


def test_a_row_times_the_softmax_jacobian_makes_no_block(monkeypatch):
    """n = 2000 classes, d = 300 samples: the blocks would take 9.6 GB, the dense matrix
    2.9 TB; a row times the Jacobian keeps to a few arrays of the batch's size."""

    def refuse(*args, **kwargs):
        raise AssertionError("an n×n block was made")

    monkeypatch.setattr(DiagonalPlusLowRank, "_dense", refuse)
    monkeypatch.setattr(J._lowrank, "per_sample", refuse)  # type: ignore[attr-defined]
    rng = np.random.default_rng(5)
    n, d = 2000, 300
    z = rng.normal(size=(n, d))
    A = J.softmax(z).jacobian
    g = rng.normal(size=(1, n * d))
    tracemalloc.start()
    row = A.right(g)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    a, G = J.softmax(z).value, g.reshape(n, d)
    np.testing.assert_allclose(row.reshape(n, d), a * (G - (a * G).sum(axis=0)), atol=1e-15)
    assert peak < 4 * g.nbytes, f"{peak / 2**20:.1f} MiB for a row of {g.nbytes / 2**20:.1f} MiB"
    assert isinstance(compose(J.Dense(g, (1,), A.out_shape), A), J.Dense)  # a row's product
    assert A.right_cost(A.structure, 1) == 5 * n * d  # a ⊙ g, the sums, a times them, added


def test_a_sum_with_the_softmax_jacobian_stays_lazy_without_blocks(monkeypatch):
    monkeypatch.setattr(DiagonalPlusLowRank, "_dense", lambda self: 1 / 0)
    z = np.random.default_rng(6).normal(size=(50, 40))
    A = J.softmax(z).jacobian
    S = Sum([A, J.Permutation(np.arange(A.shape[0])[::-1])])
    g = np.ones((1, A.shape[0]))
    np.testing.assert_allclose(S.right(g), A.right(g) + g[:, ::-1])
