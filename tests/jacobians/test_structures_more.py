"""The permutation and sum structures, and add_jacobians: each against its dense matrix.

Dense forms, actions from either side, transposes, products through compose and chain, and the
structured sum of every pair of structure kinds, on hypothesis-drawn shapes; the transpose's
Jacobian against the commutation matrix and numeric differentiation; the dense limit.
"""

from itertools import pairwise, product

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobians as J
from jacobians import (
    BlockDiagonal,
    Dense,
    DenseLimitError,
    Diagonal,
    DiagonalPlusLowRank,
    Identity,
    InputError,
    InputTypeError,
    Kronecker,
    Permutation,
    ShapeError,
    Sum,
    add_jacobians,
    chain,
    chain_costs,
    compose,
)
from jacobians._kronecker import _OUTER, matmul
from jacobians._planner import STRUCTURES
from reshape import commutation

KINDS = list(STRUCTURES)
LOW = DiagonalPlusLowRank.kind
SIZES = [1, 2, 3, 4, 6]
seeds = st.integers(0, 2**32 - 1)


def _divisors(k):
    return [i for i in range(1, k + 1) if k % i == 0]


def build(kind, r, c, rng, pick, dtype=np.float64):
    """A Jacobian of structure ``kind`` with an r×c matrix in ``dtype``, or None where the kind
    needs r == c; ``pick(options)`` chooses among variants (hypothesis's draw, or the first)."""
    normal = lambda *shape: rng.normal(size=shape).astype(dtype, copy=False)
    if kind == "dense":
        return Dense(normal(r, c))
    if kind == "kronecker":
        a, b = pick(_divisors(r)), pick(_divisors(c))
        p, q = r // a, c // b
        L = a if a == b and pick([False, True]) else normal(a, b)
        return Kronecker(L, p if p == q and pick([False, True]) else normal(p, q))
    if kind == "sum":
        other = build(
            pick(["kronecker", "dense", "permutation", "diagonal"]), r, c, rng, pick, dtype
        )
        first = Identity((r,), dtype=dtype) if r == c else Kronecker(normal(1, c), normal(r, 1))
        return Sum([first, other or Dense(normal(r, c))])
    if r != c:
        return None
    if kind == "identity":
        return Identity((r,), dtype=dtype)
    if kind == "diagonal":
        return Diagonal(normal(r))
    if kind == "block-diagonal":
        n = pick(_divisors(r))
        return BlockDiagonal(normal(r // n, n, n), (r,), (r,))
    if kind == LOW:  # samples of n as the columns (axis 1) or rows (2) of the batch, rank k
        n, axis, k = pick(_divisors(r)), pick([1, 2]), pick([1, 2])
        sheet = (n, r // n) if axis == 1 else (r // n, n)
        U, V = normal(*sheet, k), normal(*sheet, k)
        return DiagonalPlusLowRank(normal(*sheet), U, V, axis, (r,), (r,))
    a = pick(_divisors(r))  # a permutation: the transpose of an a×(r/a) matrix, or a random one
    index = Permutation.transpose_of(a, r // a).index if pick([True, False]) else rng.permutation(r)
    return Permutation(index, dtype=dtype)


@st.composite
def structured(draw, r=None, c=None, kinds=KINDS):
    """(kind, a Jacobian of that kind), r×c drawn unless given."""
    r = draw(st.sampled_from(SIZES)) if r is None else r
    c = draw(st.sampled_from(SIZES)) if c is None else c
    kind = draw(st.sampled_from([k for k in kinds if k in ("dense", "kronecker", "sum") or r == c]))
    rng = np.random.default_rng(draw(seeds))
    return kind, build(kind, r, c, rng, lambda options: draw(st.sampled_from(options)))


def close(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * max(1, np.abs(want).max()))


# ----- each new structure: dense form, actions, transpose -----
@given(F=structured(kinds=["permutation", "sum"]), k=st.integers(1, 3), seed=seeds)
def test_left_right_and_transpose_equal_the_dense_matrix(F, k, seed):
    kind, F = F
    rng = np.random.default_rng(seed)
    assert F.kind == kind == F.structure.kind and F.structure == F._structure_of()
    D = F.matrix
    assert D.shape == F.shape
    M, G = rng.normal(size=(F.shape[1], k)), rng.normal(size=(k, F.shape[0]))
    close(F.left(M), D @ M)
    close(F.right(G), G @ D)
    T = F.T
    assert type(T) is type(F) and (T.out_shape, T.in_shape) == (F.in_shape, F.out_shape)
    close(T.matrix, D.T)
    close(T.T.matrix, D)
    # complex values flow through (complex-step checks run through these actions)
    Mc = M + 1j * rng.normal(size=M.shape)
    close(F.left(Mc), D @ Mc)


@given(n=st.integers(1, 12), seed=seeds)
def test_a_permutation_is_its_index(n, seed):
    index = np.random.default_rng(seed).permutation(n)
    P = Permutation(index)
    np.testing.assert_array_equal(P.matrix, np.eye(n)[index])
    np.testing.assert_array_equal(P.T.index, np.argsort(index))
    v = np.arange(n, dtype=float)[:, None]
    np.testing.assert_array_equal(P.left(v)[:, 0], v[index, 0])
    s = P.structure  # it moves entries and multiplies none
    assert P.left_cost(s, 5) == P.right_cost(s, 5) == P.dense_cost(s) == 0


# ----- the transpose: K_{n,m}, and what numeric differentiation of X ↦ Xᵀ says -----
@given(m=st.integers(1, 6), n=st.integers(1, 6))
def test_transpose_of_is_the_commutation_matrix_and_the_numeric_jacobian(m, n):
    K = Permutation.transpose_of(m, n)
    assert (K.out_shape, K.in_shape, K.closed_form) == ((n, m), (m, n), f"K_{{{n},{m}}}")
    np.testing.assert_array_equal(K.matrix, commutation(n, m))
    X = np.random.default_rng(m * 7 + n).normal(size=(m, n))
    np.testing.assert_array_equal(K.left(X.reshape(-1, 1)).ravel(), X.T.ravel())
    num = J.numeric(lambda X: X.T, X)
    np.testing.assert_allclose(K.matrix, num.matrix, atol=1e-9)
    np.testing.assert_array_equal(K.T.matrix, Permutation.transpose_of(n, m).matrix)


# ----- products with the new structures: compose and chain against dense products -----
@given(data=st.data())
def test_compose_with_permutations_and_sums_equals_the_dense_product(data):
    p, n, m = (data.draw(st.sampled_from(SIZES)) for _ in range(3))
    ka, A = data.draw(structured(p, n))
    new = ["permutation", "sum"]  # at least one factor of a new structure
    kb, B = data.draw(structured(n, m, KINDS if ka in new else new))
    P = compose(A, B)
    close(P.matrix, A.matrix @ B.matrix)
    assert P.structure == P._structure_of() and type(P) is STRUCTURES[P.structure.kind]
    if ka == kb == "permutation":
        assert P.kind == "permutation"


@given(data=st.data())
def test_chains_with_every_structure_agree_in_every_order(data):
    dims = data.draw(st.lists(st.sampled_from(SIZES), min_size=2, max_size=5))
    factors = [data.draw(structured(r, c))[1] for r, c in pairwise(dims)]
    dense = factors[0].matrix
    for F in factors[1:]:
        dense = dense @ F.matrix
    for order in J.ORDERS:
        close(chain(*factors, order=order).matrix, dense)
    costs = chain_costs(*factors)
    assert costs["cheapest"] <= min(costs["left"], costs["right"])


def test_permutations_compose_without_arithmetic():
    K = Permutation.transpose_of(2, 3)
    assert compose(K.T, K).kind == "permutation"
    np.testing.assert_array_equal(compose(K.T, K).matrix, np.eye(6))
    row = Dense(np.arange(6.0)[None, :], (1,), (3, 2))
    assert chain_costs(row, K) == {"left": 0, "right": 0, "cheapest": 0}


def test_a_row_times_a_sum_is_applied_term_by_term():
    rng = np.random.default_rng(0)
    S = Sum([Identity((4,)), Kronecker(rng.normal(size=(2, 2)), rng.normal(size=(2, 2)))])
    row = Dense(rng.normal(size=(1, 4)))
    assert J.plan(row.structure, S.structure)[2] == "sum_right"
    # (I + L ⊗ R) · (L₂ ⊗ R₂) keeps its structure: L₂ ⊗ R₂ + (L L₂) ⊗ (R R₂)
    K2 = Kronecker(rng.normal(size=(2, 2)), rng.normal(size=(2, 2)))
    P = compose(S, K2)
    assert P.kind == "sum" and [t.kind for t in P.terms] == ["kronecker", "kronecker"]
    close(P.matrix, S.matrix @ K2.matrix)


# ----- add_jacobians: every pair of kinds against the dense sum -----
STRUCTURED_SUMS = {  # what a sum of two kinds may be, beside a Sum
    frozenset({"identity", "diagonal"}): {"diagonal"},
    frozenset({"identity"}): {"diagonal"},
    frozenset({"diagonal"}): {"diagonal"},
    frozenset({"block-diagonal"}): {"block-diagonal"},
    frozenset({"block-diagonal", "identity"}): {"block-diagonal"},
    frozenset({"block-diagonal", "diagonal"}): {"block-diagonal"},
    frozenset({"kronecker"}): {"kronecker", "diagonal"},
    frozenset({"kronecker", "identity"}): {"kronecker", "diagonal"},
    frozenset({"kronecker", "diagonal"}): {"diagonal"},  # I_a ⊗ I_p is a diagonal
    frozenset({"kronecker", "block-diagonal"}): {"block-diagonal"},  # so is I_a ⊗ I_p
    frozenset({LOW}): {LOW},  # where the samples meet
    frozenset({LOW, "identity"}): {LOW},
    frozenset({LOW, "diagonal"}): {LOW},
    frozenset({LOW, "kronecker"}): {LOW},  # I_a ⊗ I_p
}


@pytest.mark.parametrize(("ka", "kb"), sorted(product(KINDS, KINDS)))
@given(n=st.sampled_from(SIZES), data=st.data())
def test_add_jacobians_equals_the_dense_sum_for_every_pair_of_kinds(ka, kb, n, data):
    rng = np.random.default_rng(data.draw(seeds))
    pick = lambda options: data.draw(st.sampled_from(options))
    A, B = build(ka, n, n, rng, pick), build(kb, n, n, rng, pick)
    S = add_jacobians(A, B)
    close(S.matrix, A.matrix + B.matrix)
    assert S.closed_form == f"{A.closed_form} + {B.closed_form}"
    assert (S.symbol, S.out_shape, S.in_shape) == (A.symbol, A.out_shape, A.in_shape)
    assert S is not A and S is not B and S.structure == S._structure_of()
    flat = [t for F in (A, B) for t in (F.terms if isinstance(F, Sum) else [F])]
    if any(t.structure.kind == "dense" for t in flat):
        assert S.structure.kind == "dense"
    elif "sum" in (ka, kb):  # a term may add into one of the sum's, in any structure
        assert S.kind != "dense", (A, B, S)
    else:
        allowed = {"sum"} | STRUCTURED_SUMS.get(frozenset({ka, kb}), set())
        assert S.kind in allowed, (A, B, S)
    if S.kind == "sum":
        assert all(t.kind != "sum" for t in S.terms)  # flattened


def test_sums_keep_the_structure_the_mathematics_gives():
    rng = np.random.default_rng(0)
    Id, d = Identity((4,)), rng.normal(size=4)
    two = add_jacobians(Id, Id)
    assert two.kind == "diagonal" and np.array_equal(two.d, np.full(4, 2.0))
    assert add_jacobians(Id, Diagonal(d)).kind == add_jacobians(Diagonal(d), Diagonal(d)).kind
    L, R1, R2 = rng.normal(size=(2, 3)), rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
    for S in (
        add_jacobians(Kronecker(L, R1), Kronecker(L, R2)),  # L ⊗ (R₁ + R₂)
        add_jacobians(Kronecker(L, R1), Kronecker(L.copy(), R2)),  # equal arrays
        add_jacobians(Kronecker(R1, L), Kronecker(R2, L)),  # (L₁ + L₂) ⊗ R
        add_jacobians(Kronecker(L, R1), Kronecker(L, R1)),  # 2 (L ⊗ R)
    ):
        assert S.kind == "kronecker"
    S = add_jacobians(Kronecker(2, R1), Kronecker(2, R2))
    assert S.kind == "kronecker" and S.L == 2 and np.array_equal(S.R, R1 + R2)
    # I + L ⊗ R stays a sum of the two, never dense; I + I_a ⊗ R is I_a ⊗ (I + R)
    S = add_jacobians(Id, Kronecker(R1, R2))
    assert S.kind == "sum" and [t.kind for t in S.terms] == ["identity", "kronecker"]
    assert add_jacobians(Id, Kronecker(2, R2)).kind == "kronecker"
    blocks = BlockDiagonal(rng.normal(size=(2, 2, 2)))
    assert add_jacobians(blocks, blocks).kind == "block-diagonal"
    D = Diagonal(d.reshape(2, 2))
    S = add_jacobians(D, blocks)
    assert S.kind == "block-diagonal"
    close(S.matrix, D.matrix + blocks.matrix)


def test_sums_flatten_and_collect_terms():
    rng = np.random.default_rng(1)
    Id, K = Identity((4,)), Kronecker(rng.normal(size=(2, 2)), rng.normal(size=(2, 2)))
    P = Permutation.transpose_of(2, 2)
    S = add_jacobians(add_jacobians(Id, K), P)
    assert S.kind == "sum" and [t.kind for t in S.terms] == ["identity", "kronecker", "permutation"]
    S2 = add_jacobians(S, add_jacobians(Id, P))  # nested sums: flat, I + I and the two P
    assert [t.kind for t in S2.terms] == ["diagonal", "kronecker", "permutation", "permutation"]
    assert S2.closed_form == f"{S.closed_form} + I_4 + K_{{2,2}}"
    close(S2.matrix, 2 * Id.matrix + K.matrix + 2 * P.matrix)
    close(S2.T.matrix, S2.matrix.T)
    assert S2.T.closed_form == f"({S2.closed_form})ᵀ"


def test_add_jacobians_refuses_what_does_not_add():
    with pytest.raises(ShapeError, match="add_jacobians") as err:
        add_jacobians(Identity((3,)), Identity((4,)))
    assert err.value.arg == "B"
    with pytest.raises(InputTypeError, match="add_jacobians"):
        add_jacobians(Identity((3,)), np.eye(3))
    with pytest.raises(ShapeError, match="Sum"):
        Sum([Identity((3,)), Dense(np.ones((3, 4)))])
    with pytest.raises(ShapeError, match="Sum"):
        Sum([])
    with pytest.raises(InputTypeError, match="Sum"):
        Sum([Identity((3,)), np.eye(3)])


@pytest.mark.parametrize(
    ("index", "error"),
    [
        ([0, 0, 1], InputError),
        ([0, 3, 1], InputError),
        ([-1, 0, 1], InputError),
        ([[0, 1], [1, 0]], ShapeError),
        ([], ShapeError),
        ([0.0, 1.0], InputTypeError),
        ([True, False], InputTypeError),
        ("012", InputTypeError),
    ],
)
def test_permutation_refuses_an_index_that_is_no_permutation(index, error):
    with pytest.raises(error, match="Permutation"):
        Permutation(index)


@pytest.mark.parametrize(("m", "n"), [(0, 2), (2, -1), (True, 2), (2.0, 2)])
def test_transpose_of_refuses_bad_sizes(m, n):
    with pytest.raises(InputError, match="transpose_of"):
        Permutation.transpose_of(m, n)


# ----- the dense limit -----
def test_a_huge_permutation_is_cheap_and_refuses_its_dense_matrix():
    K = Permutation.transpose_of(1000, 1000)  # 10⁶ indices; its matrix would take 7.3 TiB
    x = np.arange(10.0**6)[:, None]
    np.testing.assert_array_equal(K.left(x), x.reshape(1000, 1000).T.reshape(-1, 1))
    with pytest.raises(DenseLimitError):
        K.matrix  # noqa: B018 - the property is the test
    S = add_jacobians(Identity(K.out_shape), K)
    assert S.kind == "sum"
    with pytest.raises(DenseLimitError):
        S.matrix  # noqa: B018
    np.testing.assert_array_equal(S.left(x), x + K.left(x))


def test_dense_plus_a_structure_stays_a_sum_over_the_limit():
    rng = np.random.default_rng(2)
    D, K = Dense(rng.normal(size=(10, 10))), Kronecker(rng.normal(size=(2, 2)), np.eye(5))
    assert add_jacobians(D, K).kind == "dense"
    previous = J.set_dense_limit(500)  # the 800 bytes of K's dense form are over it
    try:
        S = add_jacobians(D, K)
    finally:
        J.set_dense_limit(previous)
    assert S.kind == "sum"
    close(S.matrix, D.matrix + K.matrix)


@pytest.mark.parametrize("shape", [(3, 5), (99, 101), (100, 100), (256, 784)])
def test_an_outer_product_has_the_same_bits_either_way_it_is_made(shape):
    """matmul makes an outer product by broadcasting, or by einsum from _OUTER entries on: each
    entry is one product, so both give exactly A @ B's numbers; an inner size above 1 is A @ B."""
    rng = np.random.default_rng(0)
    n, m = shape
    a, b = rng.normal(size=(n, 1)), rng.normal(size=(1, m))
    np.testing.assert_array_equal(matmul(a, b), a * b)
    assert (n * m >= _OUTER) == (shape in [(100, 100), (256, 784)])
    A, B = rng.normal(size=(n, 2)), rng.normal(size=(2, m))
    np.testing.assert_array_equal(matmul(A, B), A @ B)
    z = np.zeros((n, 1), dtype=complex) + 1j
    np.testing.assert_array_equal(matmul(z, b), z * b)
