"""Every structure and every pair of structures: the planner's costs are what the arithmetic does.

The multiply-adds are counted, not recomputed: the examples hold arrays of a subclass that counts
each multiply of a ufunc call (an elementwise product, a matmul's inner products) and each addition
of two arrays (a sum's terms), so a cost formula that drifts from the code it describes fails
here. The examples are built for every structure in the planner's STRUCTURES, so a new structure
is covered once it has an entry in ``examples``.
"""

from itertools import product

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobians as J
from jacobians import (
    BlockDiagonal,
    Dense,
    Diagonal,
    DiagonalPlusLowRank,
    Identity,
    Kronecker,
    Permutation,
    Product,
    Sum,
    Toeplitz,
    _toeplitz,
    compose,
    plan,
)
from jacobians._planner import PAIRS, STRUCTURES


class Counted(np.ndarray):
    """An array that counts the multiplies done on it: n per product of n entries, m·k·n per
    (m×k)·(k×n) matmul (batched: per batch), and n per sum of n entries, written in place
    (``out=``) or not (except the additions of a transposed convolution's taps, the adds of
    multiply-adds counted already: :func:`taps_added_not_counted`); inside :func:`counted`, any
    other ufunc fails."""

    count: int | None = None  # None outside counted()
    adds = True  # False inside a transposed convolution (see taps_added_not_counted)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = lambda x: x.view(np.ndarray) if isinstance(x, Counted) else x
        args = [plain(x) for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(plain(x) for x in kwargs["out"])
        result = getattr(ufunc, method)(*args, **kwargs)
        if Counted.count is None:
            return result
        if method == "__call__" and (ufunc is np.multiply or (ufunc is np.add and Counted.adds)):
            Counted.count += np.size(result)
        elif method == "__call__" and ufunc is np.add:
            pass
        elif method == "__call__" and ufunc is np.matmul:
            Counted.count += np.size(result) * np.shape(args[0])[-1]
        else:
            raise AssertionError(f"uncounted ufunc {ufunc.__name__}.{method}")
        return result.view(Counted) if isinstance(result, np.ndarray) else result


def counted(f):
    """(f(), the multiplies it did), the result as a plain array where it is one."""
    Counted.count = 0
    try:
        out = f()
    finally:
        n, Counted.count = Counted.count, None
    return (out.view(np.ndarray) if isinstance(out, Counted) else out), n


@pytest.fixture
def dense_forms_counted(monkeypatch):
    """A dense form written into fresh zeros is a plain array; keep it counted as well."""
    for cls in STRUCTURES.values():
        monkeypatch.setattr(cls, "_dense", lambda self, f=cls._dense: f(self).view(Counted))


@pytest.fixture(autouse=True)
def taps_added_not_counted(monkeypatch):
    """A Toeplitz's right action (the transposed convolution) does its multiply-adds as one
    product, whose multiplies are counted and whose additions are not (a matmul's never are),
    then adds each tap's product into its place (col2im): those additions are the adds of the
    same multiply-adds, so they are not counted again (tests/jacobians/test_toeplitz.py counts
    both, one addition per multiply)."""
    plain = _toeplitz.transposed

    def multiplies_only(*args, **kwargs):
        Counted.adds = False
        try:
            return plain(*args, **kwargs)
        finally:
            Counted.adds = True

    monkeypatch.setattr(_toeplitz, "transposed", multiplies_only)


def _divisors(k):
    return [i for i in range(1, k + 1) if k % i == 0]


def examples(r, c, rng):
    """Every structure (and every variant of the Kronecker one) with an r×c matrix."""
    normal = lambda *shape: rng.normal(size=shape).view(Counted)
    out = [Dense(normal(r, c))]  # a row when r == 1
    # sums: of a dense and a Kronecker term; of an identity and a Kronecker, of a diagonal and a
    # permutation (square)
    out.append(Sum([Dense(normal(r, c)), Kronecker(normal(1, c), normal(r, 1))]))
    if r == c:
        out += [Identity((r,)), Diagonal(normal(r))]
        out += [BlockDiagonal(normal(r // n, n, n), (r,), (r,)) for n in _divisors(r)]
        a = _divisors(r)[len(_divisors(r)) // 2]
        out += [
            Permutation(rng.permutation(r)),
            Permutation(Permutation.transpose_of(a, r // a).index),
        ]
        out.append(Sum([Identity((r,)), Kronecker(normal(a, a), normal(r // a, r // a))]))
        out.append(Sum([Diagonal(normal(r)), Permutation(rng.permutation(r))]))
        for n in _divisors(r):  # samples of n as columns (k = 1), as rows (k = 2)
            for axis, k in ((1, 1), (2, 2)):
                sheet = (n, r // n) if axis == 1 else (r // n, n)
                factors = normal(*sheet, k), normal(*sheet, k)
                out.append(DiagonalPlusLowRank(normal(*sheet), *factors, axis, (r,), (r,)))
    # a convolution's ∂y/∂x: a 1×1 kernel of r×c channels; square, a kernel of 3 along a padded
    # sequence of r, alone or along sequences of r/n for a batch of n samples
    # (each given the flat shapes (r,) and (c,) of the others, so that any two meet in compose)
    flat = lambda F: F.label("f", "x", out_shape=(r,), in_shape=(c,))
    out.append(flat(Toeplitz(normal(r, c, 1), 1)))
    if r == c:
        out.append(flat(Toeplitz(normal(1, 1, 3), r, padding=1)))
        out += [flat(Toeplitz(normal(1, 1, 3), r // n, padding=1, d=n)) for n in _divisors(r)]
    # products kept unmultiplied: a diagonal times a Kronecker (backprop's Hadamard step and
    # outer product), and a dense factor before a convolution's
    out.append(flat(Product(Diagonal(normal(r)), Kronecker(normal(r, 1), normal(1, c)))))
    out.append(flat(Product(Dense(normal(r, 2)), Toeplitz(normal(2, c, 1), 1))))
    for a, b in product(_divisors(r), _divisors(c)):
        p, q = r // a, c // b
        for Lid, Rid in product([False, True], repeat=2):
            if (Lid and a != b) or (Rid and p != q):
                continue
            out.append(Kronecker(a if Lid else normal(a, b), p if Rid else normal(p, q)))
    return out


def _kind(F):
    return F.structure.kind


# ----- each structure's costs are those of its own arithmetic -----
@pytest.mark.parametrize("shape", [(1, 4), (4, 4), (6, 4), (4, 6)])
@pytest.mark.parametrize("k", [1, 3])
def test_each_structure_counts_what_its_left_right_and_dense_do(shape, k, dense_forms_counted):
    rng = np.random.default_rng(0)
    for F in examples(*shape, rng):
        cls, s = type(F), F.structure
        assert STRUCTURES[s.kind] is cls
        M = rng.normal(size=(F.shape[1], k)).view(Counted)  # a sum of identities adds M itself
        Y, n = counted(lambda: F.left(M))  # noqa: B023 - called at once
        np.testing.assert_allclose(Y, F.matrix @ M, atol=1e-12)
        assert n == cls.left_cost(s, k), (F, "left")
        G = rng.normal(size=(k, F.shape[0])).view(Counted)
        Y, n = counted(lambda: F.right(G))  # noqa: B023
        np.testing.assert_allclose(Y, G @ F.matrix, atol=1e-12)
        assert n == cls.right_cost(s, k), (F, "right")
        _, n = counted(lambda: F.matrix)  # noqa: B023
        assert n == cls.dense_cost(s), (F, "dense")


# ----- every pair: the plan's cost is what compose does, its structure the product's own -----
KINDS = list(STRUCTURES)
LOW = DiagonalPlusLowRank.kind

# What each pair of kinds is planned as (two methods where a row falls back when factors differ).
METHODS = {
    **{("identity", k): {"keep_right"} for k in KINDS},
    **{(k, "identity"): {"keep_left"} for k in KINDS if k != "identity"},
    ("diagonal", "diagonal"): {"diag_diag"},
    ("diagonal", "kronecker"): {"diag_left"},
    ("diagonal", "block-diagonal"): {"diag_left"},
    ("diagonal", "dense"): {"diag_left"},
    ("kronecker", "diagonal"): {"diag_right"},
    ("block-diagonal", "diagonal"): {"diag_right"},
    ("dense", "diagonal"): {"diag_right"},
    ("kronecker", "kronecker"): {"kron_kron", "kron_left"},
    ("kronecker", "block-diagonal"): {"kron_left"},
    ("kronecker", "dense"): {"kron_left"},
    ("block-diagonal", "kronecker"): {"kron_right"},
    ("dense", "kronecker"): {"kron_right"},
    ("block-diagonal", "block-diagonal"): {"blocks_blocks", "dense_dense"},
    ("block-diagonal", "dense"): {"blocks_left"},
    ("dense", "block-diagonal"): {"blocks_right"},
    ("dense", "dense"): {"dense_dense"},
    # a permutation moves entries: it applies itself first, and two make one
    **{("permutation", k): {"perm_left"} for k in KINDS if k not in ("identity", "permutation")},
    **{(k, "permutation"): {"perm_right"} for k in KINDS if k not in ("identity", "permutation")},
    ("permutation", "permutation"): {"perm_perm"},
    ("permutation", "sum"): {"perm_left"},
    # a sum: the cheapest of either factor applying itself, or (a Kronecker meeting a sum of an
    # identity and a Kronecker) the sum of the products with each term, each a Kronecker
    ("diagonal", "sum"): {"diag_left"},
    ("sum", "diagonal"): {"diag_right"},
    ("kronecker", "sum"): {"kron_left", "sum_right", "sum_distribute"},
    ("sum", "kronecker"): {"kron_right", "sum_left", "sum_distribute"},
    ("block-diagonal", "sum"): {"blocks_left", "sum_right"},
    ("sum", "block-diagonal"): {"blocks_right", "sum_left"},
    ("dense", "sum"): {"dense_left", "sum_right"},
    ("sum", "dense"): {"dense_right", "sum_left"},
    ("sum", "sum"): {"sum_left", "sum_right"},
    # diagonal plus low rank: kept with a diagonal, with another whose samples meet (else the
    # left applies itself), with blocks of its samples' size (else it applies itself)
    ("diagonal", LOW): {"diag_lowrank"},
    (LOW, "diagonal"): {"lowrank_diag"},
    (LOW, LOW): {"lowrank_lowrank", "lowrank_left"},
    ("block-diagonal", LOW): {"blocks_lowrank", "lowrank_right"},
    (LOW, "block-diagonal"): {"lowrank_blocks", "lowrank_left"},
    # with a Kronecker factor, the cheaper way (the low rank made dense where it is no larger)
    ("kronecker", LOW): {"lowrank_right", "kron_left"},
    (LOW, "kronecker"): {"lowrank_left", "kron_right"},
    ("dense", LOW): {"lowrank_right"},
    (LOW, "dense"): {"lowrank_left"},
    ("sum", LOW): {"lowrank_right", "sum_left"},
    (LOW, "sum"): {"lowrank_left", "sum_right"},
    # a convolution's Toeplitz and a product of factors rank with the blocks: after a diagonal,
    # a Kronecker or a low-rank factor (which apply themselves), before a dense one or a sum
    # (which they apply themselves to); between two of rank 3 (blocks too), the left one applies
    # itself
    **{
        pair: {method}
        for kind in ("toeplitz", "product")
        for pair, method in (
            (("diagonal", kind), "diag_left"),
            ((kind, "diagonal"), "diag_right"),
            (("kronecker", kind), "kron_left"),
            ((kind, "kronecker"), "kron_right"),
            ((LOW, kind), "lowrank_left"),
            ((kind, LOW), "lowrank_right"),
            (("block-diagonal", kind), "blocks_left"),
            ((kind, "block-diagonal"), f"{kind}_left"),
            (("dense", kind), f"{kind}_right"),
            ((kind, "dense"), f"{kind}_left"),
        )
    },
    **{(a, b): {f"{a}_left"} for a in ("toeplitz", "product") for b in ("toeplitz", "product")},
    ("sum", "toeplitz"): {"toeplitz_right", "sum_left"},
    ("toeplitz", "sum"): {"toeplitz_left", "sum_right"},
    ("sum", "product"): {"product_right", "sum_left"},
    ("product", "sum"): {"product_left", "sum_right"},
}


def test_the_method_table_covers_every_pair_of_kinds():
    assert set(METHODS) == set(product(KINDS, KINDS))
    assert set(PAIRS) <= set(METHODS)


@pytest.mark.parametrize(("ka", "kb"), sorted(METHODS))
def test_plan_cost_is_what_compose_does_for_every_pair(ka, kb, dense_forms_counted):
    rng = np.random.default_rng(1)
    lefts = [F for r in (1, 4, 6) for F in examples(r, 4, rng) if _kind(F) == ka]
    rights = [F for c in (1, 4, 6) for F in examples(4, c, rng) if _kind(F) == kb]
    seen = set()
    for A, B in product(lefts, rights):
        cost, result, method = plan(A.structure, B.structure)
        want = A.matrix @ B.matrix
        P, n = counted(lambda: compose(A, B))  # noqa: B023
        assert n == cost, (A, B, method)
        assert P._structure_of() == result == P.structure, (A, B, method)
        assert type(P) is STRUCTURES[result.kind]
        assert (P.out_shape, P.in_shape) == (A.out_shape, B.in_shape)
        np.testing.assert_allclose(P.matrix, want, atol=1e-12 * max(1, np.abs(want).max()))
        seen.add(method)
    assert seen == METHODS[ka, kb]


def test_odd_rows_stay_as_they_were():
    # Kronecker factors that do not meet: the left one applies itself to the right made dense.
    sa = J.Structure("kronecker", 4, 4, (2, 2, False), (2, 2, False))
    sb = J.Structure("kronecker", 4, 4, (4, 4, False), (1, 1, False))
    assert plan(sa, sb) == (16 + 4 * (8 + 8), J.Structure("dense", 4, 4), "kron_left")
    # Blocks of different sizes: both dense, then a dense product.
    sa, sb = (
        J.Structure("block-diagonal", 4, 4, block=2),
        J.Structure("block-diagonal", 4, 4, block=1),
    )
    assert plan(sa, sb) == (64, J.Structure("dense", 4, 4), "dense_dense")
    # A diagonal applies itself before a Kronecker factor does, on either side.
    sd = J.Structure("diagonal", 4, 4)
    assert plan(sd, sa)[2] == "diag_left" and plan(sa, sd)[2] == "diag_right"


# ----- the transpose keeps the structure -----
@st.composite
def jacobians_of_every_structure(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(KINDS))
    r, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    if kind == "identity":
        return Identity((r, c))
    if kind == "diagonal":
        return Diagonal(rng.normal(size=(r, c)))
    if kind == "block-diagonal":
        return BlockDiagonal(rng.normal(size=(c, r, r)))
    if kind == "dense":
        return Dense(rng.normal(size=(r, c)), (r, 1), (c,))
    if kind == "permutation":
        return Permutation.transpose_of(r, c)
    if kind == LOW:  # samples as the columns of (r, c), or as its rows
        axis, k = draw(st.sampled_from([1, 2])), draw(st.integers(1, 3))
        d, U, V = (rng.normal(size=shape) for shape in ((r, c), (r, c, k), (r, c, k)))
        return DiagonalPlusLowRank(d, U, V, axis)
    if kind == "sum":
        return Sum(
            [Identity((r * c,)), Diagonal(rng.normal(size=r * c)), Permutation.transpose_of(r, c)]
        )
    if kind == "toeplitz":  # r output channels, c input ones, along a padded, strided length
        k = draw(st.integers(1, 3))
        size, pad = k + draw(st.integers(0, 3)), draw(st.integers(0, k - 1))
        stride, d = draw(st.integers(1, 2)), draw(st.sampled_from([None, 1, 2]))
        return Toeplitz(rng.normal(size=(r, c, k)), size, stride, pad, d)
    if kind == "product":  # a diagonal after a transposition, then a dense factor
        D, P = Diagonal(rng.normal(size=r * c)), Permutation.transpose_of(r, c)
        return Product(D, P, Dense(rng.normal(size=(r * c, 2))))
    a, b, p, q = r, c, draw(st.integers(1, 3)), draw(st.integers(1, 3))
    L = a if a == b and draw(st.booleans()) else rng.normal(size=(a, b))
    R = p if p == q and draw(st.booleans()) else rng.normal(size=(p, q))
    return Kronecker(L, R, (a, p), (b * q,))


@given(F=jacobians_of_every_structure())
def test_transpose_is_the_matrix_transposed_in_the_same_structure(F):
    T = F.T
    assert type(T) is type(F) and T.structure.kind == F.structure.kind
    assert (T.out_shape, T.in_shape) == (F.in_shape, F.out_shape)
    np.testing.assert_array_equal(T.matrix, F.matrix.T)
    assert T.structure == T._structure_of()
    np.testing.assert_array_equal(T.transpose().matrix, F.matrix)
    assert (T.of, T.wrt) == (F.of, F.wrt)


def test_transpose_labels():
    W = Dense(np.ones((2, 3))).label("z", "x", "W", "W")
    assert (W.T.closed_form, W.T.latex, W.T.T.closed_form) == ("Wᵀ", r"W^{\top}", "W")
    K = Kronecker(2, np.ones((1, 3))).label("z", "W", "I_n ⊗ xᵀ", r"I_n \otimes x^{\top}")
    assert K.T.closed_form == "(I_n ⊗ xᵀ)ᵀ"
    assert K.T.latex == r"\left(I_n \otimes x^{\top}\right)^{\top}"
    assert Diagonal(np.ones(2)).T.closed_form == "(∂f/∂x)ᵀ"


# ----- labels -----
def test_label_is_in_place_and_labelled_is_a_copy():
    D = Diagonal(np.ones((2, 1)))
    assert D.label("a", "z", "diag(σ′(z))", out_shape=[2], in_shape=(2, 1)) is D
    assert (D.symbol, D.closed_form, D.latex) == (
        "∂a/∂z",
        "diag(σ′(z))",
        r"\frac{\partial a}{\partial z}",
    )
    assert (D.out_shape, D.in_shape) == ((2,), (2, 1))
    C = D.labelled("b", "y", "I")
    assert (C.symbol, C.closed_form, C.d is D.d) == ("∂b/∂y", "I", True)
    assert (D.symbol, C.out_shape) == ("∂a/∂z", (2,))
    P = compose(D, D.labelled("z", "x", "A + B"))
    assert (P.symbol, P.closed_form) == ("∂a/∂x", "diag(σ′(z)) · (A + B)")
