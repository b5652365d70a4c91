"""Sums of Jacobians: :func:`add_jacobians`, which keeps a structure, and :func:`plan_sum`, which
predicts from structures alone what it will make.

Where a variable reaches an output along several paths, its Jacobian is the sum of the products
along them. :func:`add_jacobians` adds two Jacobians in a structure of their own where the
mathematics gives one (I + diag(d) = diag(1 + d), L ⊗ R₁ + L ⊗ R₂ = L ⊗ (R₁ + R₂), two batches of
blocks add block by block, D + U Vᵀ plus a diagonal adds into D); a dense term anywhere, a sum's
own terms included, makes the sum dense (it already holds that many numbers) within the dense
limit, weighed in the sum's dtype; anything else is kept as a lazy :class:`Sum` of its terms
(:mod:`jacobians._lazy_sum`, re-exported here), applied term by term and never made dense unless
``.matrix`` is asked for. A sum has the dtype numpy gives its terms' (an I_k made to add it to a
float32 factor is float32).

:func:`plan_sum` takes the same decisions on :class:`~jacobians._jacobian.Structure` records, rule
for rule, so that an expression's elimination orders (:mod:`jacobians.expressions._elimination`)
are costed before anything is added. A record has no dtype: the limit is weighed in the dtype the
caller gives, else float64's 8 bytes an entry.
"""

from __future__ import annotations

import numpy as np

from reshape import InputError, InputTypeError, ShapeError, describe

from . import _limit
from ._blocks import block_sizes
from ._jacobian import Jacobian, bare
from ._kronecker import Factor, fdims
from ._lazy_sum import Sum, flat_terms
from ._limit import check_limit
from ._lowrank import DiagonalPlusLowRank, low_rank
from ._structure_args import Structure, all_finite
from ._structures import BlockDiagonal, Dense, Diagonal, Identity, Kronecker
from ._vec_order import common_order

__all__ = ["Sum", "add_jacobians", "plan_sum"]

LOW_RANK = DiagonalPlusLowRank.kind


# ----- the sums that keep a structure -----
# The sums below are made unchecked (``bare``) from checked terms, then their new numbers are
# tested once in add_jacobians: two finite terms can still overflow, and that is refused there.
def _ones(n: int, dtype: type | np.dtype = np.float64) -> np.ndarray:
    """The diagonal of an identity, weighed against the dense limit first (I_n is never made,
    so n can be far larger than memory)."""
    check_limit(f"add_jacobians: the diagonal of I_{n}", 1, n, dtype, None)
    return np.ones(n, dtype=dtype)


def _diagonal_of(J: Jacobian) -> np.ndarray | None:
    """The diagonal, flattened, of a Jacobian that is diagonal in its structure; else None. An
    identity's ones are of its dtype (I_a ⊗ I_p's is float64, as its ``dtype`` says), so a sum
    has the dtype numpy gives its terms' (float32 terms, a float32 sum)."""
    if isinstance(J, Identity):
        return _ones(J.shape[0], J.dtype)
    if isinstance(J, Diagonal):
        return J.diagonal
    if isinstance(J, Kronecker) and isinstance(J.L, int) and isinstance(J.R, int):
        return _ones(J.shape[0], J.dtype)
    return None


def _as_kronecker(J: Jacobian, like: Kronecker) -> Kronecker | None:
    """J as a Kronecker product with the factor sizes of ``like``: I_ap = I_a ⊗ I_p."""
    if isinstance(J, Kronecker):
        return J
    (a, b, _), (p, q, _) = fdims(like.L), fdims(like.R)
    if isinstance(J, Identity) and a == b and p == q:
        return bare(Kronecker, L=a, R=p)
    return None


def _same(F: Factor, G: Factor) -> bool:
    if isinstance(F, int) or isinstance(G, int):
        return F == G if isinstance(F, int) and isinstance(G, int) else False
    return F is G or (F.shape == G.shape and np.array_equal(F, G))


def _plus(F: Factor, G: Factor, dtype: np.dtype) -> np.ndarray:
    """F + G for Kronecker factors of one shape, an int k standing for I_k (made, so weighed),
    made in ``dtype``, the sum's: I_k has no numbers of its own to say it."""

    def eye(k: int) -> np.ndarray:
        check_limit(f"add_jacobians: I_{k} in a Kronecker factor", k, k, dtype, None)
        return np.eye(k, dtype=dtype)

    return (eye(F) if isinstance(F, int) else F) + (eye(G) if isinstance(G, int) else G)


def _kron_plus(A: Kronecker, B: Kronecker, dtype: np.dtype) -> Kronecker | None:
    """L ⊗ R₁ + L ⊗ R₂ = L ⊗ (R₁ + R₂) and L₁ ⊗ R + L₂ ⊗ R = (L₁ + L₂) ⊗ R, in ``dtype``
    (the sum's: an identity made a Kronecker product by _as_kronecker has lost its own)."""
    if fdims(A.L)[:2] != fdims(B.L)[:2] or fdims(A.R)[:2] != fdims(B.R)[:2]:
        return None
    same_l, same_r = _same(A.L, B.L), _same(A.R, B.R)
    # Both equal: 2(L ⊗ R), the 2 put into a factor that is a matrix already where there is one.
    if same_r and (not same_l or isinstance(A.R, int)):
        return bare(Kronecker, L=_plus(A.L, B.L, dtype), R=A.R)
    if same_l:
        return bare(Kronecker, L=A.L, R=_plus(A.R, B.R, dtype))
    return None


def _blocks_plus(A: Jacobian, B: Jacobian) -> BlockDiagonal | None:
    """Blocks of one size add block by block; a diagonal adds into the blocks' diagonals."""
    if isinstance(B, BlockDiagonal) and not isinstance(A, BlockDiagonal):
        A, B = B, A
    if not isinstance(A, BlockDiagonal):
        return None
    if isinstance(B, BlockDiagonal):
        return bare(BlockDiagonal, B=A.B + B.B) if A.B.shape == B.B.shape else None
    d = _diagonal_of(B)
    if d is None:
        return None
    k, n, _ = A.B.shape  # entry (i, j) of the (n, k) batch sits on block j's diagonal at i
    blocks = A.B.astype(np.result_type(A.B, d), copy=True)
    blocks[:, np.arange(n), np.arange(n)] += d.reshape(n, k).T
    return bare(BlockDiagonal, B=blocks)


def _low_rank_plus(A: Jacobian, B: Jacobian) -> DiagonalPlusLowRank | None:
    """D + U Vᵀ plus a diagonal adds into D; two with samples that meet (one size, one axis)
    add their diagonals and put their factors side by side: rank k₁ + k₂."""
    if isinstance(B, DiagonalPlusLowRank) and not isinstance(A, DiagonalPlusLowRank):
        A, B = B, A
    if not isinstance(A, DiagonalPlusLowRank):
        return None
    if isinstance(B, DiagonalPlusLowRank):
        if (B.n, B.axis) != (A.n, A.axis):
            return None
        U, V = np.concatenate([A.U, B.U]), np.concatenate([A.V, B.V])
        return low_rank(A.d + B.d, U, V, A.n, A.axis)
    d = _diagonal_of(B)
    return None if d is None else low_rank(A.d + d, A.U, A.V, A.n, A.axis)


def _dense_fits(rows: int, cols: int, itemsize: int) -> bool:
    """Whether a dense rows×cols sum of entries of ``itemsize`` bytes is within the dense limit:
    the one test add_jacobians makes before adding dense, and plan_sum before planning it."""
    return rows * cols * itemsize <= _limit._dense_limit


def _combined(A: Jacobian, B: Jacobian) -> Jacobian | None:
    """A + B in one structure (a fresh object), or None where they have none in common."""
    if isinstance(A, Dense) or isinstance(B, Dense):
        if not _dense_fits(*A.shape, np.result_type(A.dtype, B.dtype).itemsize):
            return None  # each term's dense form is no wider than the sum: none is refused
        return bare(Dense, M=A.dense() + B.dense())
    da, db = _diagonal_of(A), _diagonal_of(B)
    if da is not None and db is not None:
        return bare(Diagonal, d=da + db)
    blocks = _blocks_plus(A, B)
    if blocks is not None:
        return blocks
    low_rank = _low_rank_plus(A, B)
    if low_rank is not None:
        return low_rank
    like = A if isinstance(A, Kronecker) else B if isinstance(B, Kronecker) else None
    if like is not None:
        ka, kb = _as_kronecker(A, like), _as_kronecker(B, like)
        if ka is not None and kb is not None:
            return _kron_plus(ka, kb, np.result_type(A.dtype, B.dtype))
    return None


def _joined(S: Jacobian, A: Jacobian, B: Jacobian) -> Jacobian:
    """Label the new sum S as A + B, with A's names and shapes."""
    cf, tex = f"{A.closed_form} + {B.closed_form}", f"{A.latex} + {B.latex}"
    return S.label(A.of, A.wrt, cf, tex, A.out_shape, A.in_shape)


def add_jacobians(A: Jacobian, B: Jacobian) -> Jacobian:
    """A + B, in a structure where the sum has one, else a :class:`Sum` of structured terms.

    identity or diagonal + identity or diagonal -> Diagonal; L ⊗ R₁ + L ⊗ R₂ -> L ⊗ (R₁ + R₂) (and
    I + I_a ⊗ R -> I_a ⊗ (I + R)); blocks + blocks of one size, or + a diagonal -> BlockDiagonal;
    D + U Vᵀ + a diagonal, or + another D + U Vᵀ of the same samples -> DiagonalPlusLowRank (the
    factors side by side, rank k₁ + k₂); dense + anything -> Dense within the dense limit;
    anything else -> Sum, nested sums flattened and each new term added into a term it has a
    structure in common with. The closed form is ``A + B``, the names and shapes A's.

    Shapes: A (r×c), B (r×c) -> r×c.

    A sum of finite terms that overflows is refused, as is an identity's diagonal (made to add
    it to another diagonal) beyond the dense limit.

    >>> S = add_jacobians(Identity((2,)), Diagonal(np.array([1.0, 2.0])))
    >>> S.kind, S.d, S.closed_form
    ('diagonal', array([2., 3.]), 'I_2 + ∂f/∂x')
    """
    for name, J in (("A", A), ("B", B)):
        if not isinstance(J, Jacobian):
            raise InputTypeError("add_jacobians", name, "a Jacobian", describe(J))
    if A.shape != B.shape:
        raise ShapeError(
            "add_jacobians",
            "B",
            f"a {A.shape[0]}×{A.shape[1]} Jacobian, like A = {A.symbol}",
            f"{B.symbol}, {B.shape[0]}×{B.shape[1]}",
            "a sum needs both terms to map the same input to the same output",
        )
    order = common_order("add_jacobians", "B", (A, B), "plus")
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below, by name
        S = _added(A, B)
    if S.vec_order != order:
        S.vec_order = order
    for t in flat_terms([S]):
        if not all(all_finite(a) for a in _new_numbers(t, A, B)):
            raise InputError(
                "add_jacobians",
                "B",
                "a Jacobian whose sum with A stays within floating-point range",
                f"{B.symbol}, whose sum with {A.symbol} overflows to ±inf",
                "rescale the terms",
            )
    return S


def _new_numbers(t: Jacobian, A: Jacobian, B: Jacobian) -> list[np.ndarray]:
    """The arrays of a term of the sum that neither A nor B held (those are checked already)."""
    old = {id(a) for J in flat_terms([A, B]) for a in J.__dict__.values()}
    new = [t.__dict__.get(k) for k in ("M", "d", "B", "L", "R", "U", "V")]
    return [a for a in new if isinstance(a, np.ndarray) and id(a) not in old]


def _added(A: Jacobian, B: Jacobian) -> Jacobian:
    terms, more = flat_terms([A]), flat_terms([B])
    # A dense term holds as many numbers as the sum: add the rest into it, within the limit
    # (weighed in the sum's dtype); over it, add what has a structure in common, keep the rest.
    if any(isinstance(t, Dense) for t in terms + more) and _dense_fits(
        *A.shape, np.result_type(A.dtype, B.dtype).itemsize
    ):
        return _joined(bare(Dense, M=A.dense() + B.dense()), A, B)
    for t in more:
        for i, u in enumerate(terms):
            both = _combined(u, t)
            if both is not None:
                terms[i] = _joined(both, u, t)
                break
        else:
            terms.append(t)
    # One term left is a fresh object: B's terms were all added into A's single term.
    return _joined(terms[0] if len(terms) == 1 else Sum(terms), A, B)


# ----- a sum planned from structures: what add_jacobians will make, and its additions -----
# (each rule the twin of one above, on Structure records: equal matrices cannot be seen there)
def _planned_diagonal(s: Structure) -> bool:
    return s.kind in ("identity", "diagonal") or (
        s.kind == "kronecker" and s.left[2] and s.right[2]  # type: ignore[index]
    )


def _planned_kronecker(s: Structure, like: Structure) -> Structure | None:
    if s.kind == "kronecker":
        return s
    (a, b, _), (p, q, _) = like.left, like.right  # type: ignore[misc]
    if s.kind == "identity" and a == b and p == q:
        return Structure("kronecker", s.rows, s.cols, (a, a, True), (p, p, True))
    return None


def _planned_kron_plus(sa: Structure, sb: Structure) -> tuple[int, Structure] | None:
    """L ⊗ R₁ + L ⊗ R₂ = L ⊗ (R₁ + R₂). Equal factors are known from structures only where
    both are identities; two matrices are taken to differ (the sum then planned is a Sum,
    which costs at least what the Kronecker product would)."""
    (la, ra), (lb, rb) = (sa.left, sa.right), (sb.left, sb.right)
    if la[:2] != lb[:2] or ra[:2] != rb[:2]:  # type: ignore[index]
        return None
    same_l, same_r = la[2] and lb[2], ra[2] and rb[2]  # type: ignore[index]
    if same_r and (not same_l or ra[2]):  # type: ignore[index]
        L = (la[0], la[1], False)  # type: ignore[index]
        return L[0] * L[1], Structure("kronecker", sa.rows, sa.cols, L, ra)
    if same_l:
        R = (ra[0], ra[1], False)  # type: ignore[index]
        return R[0] * R[1], Structure("kronecker", sa.rows, sa.cols, la, R)
    return None


def _planned_combined(sa: Structure, sb: Structure, itemsize: int) -> tuple[int, Structure] | None:
    """The structure of add_jacobians' sum of two terms, or None for a Sum of both."""
    rows, cols = sa.rows, sa.cols
    if "dense" in (sa.kind, sb.kind):
        if not _dense_fits(rows, cols, itemsize):
            return None
        return rows * cols, Structure("dense", rows, cols)
    if _planned_diagonal(sa) and _planned_diagonal(sb):
        return rows, Structure("diagonal", rows, cols)
    if sb.kind == "block-diagonal" and sa.kind != "block-diagonal":
        sa, sb = sb, sa
    if sa.kind == "block-diagonal":
        if sb.kind == "block-diagonal":
            # one size of blocks (p rows each, so d and q too): d·p·q additions
            if sa.block != sb.block:
                return None
            d, p, q = block_sizes(sa)
            return d * p * q, sa
        return (rows, sa) if _planned_diagonal(sb) else None
    if sb.kind == LOW_RANK and sa.kind != LOW_RANK:
        sa, sb = sb, sa
    if sa.kind == LOW_RANK:
        if sb.kind == LOW_RANK:
            (ka, axis), (kb, other) = sa.low_rank, sb.low_rank  # type: ignore[misc]
            if sa.block != sb.block or axis != other:
                return None
            return rows, sa._replace(low_rank=(ka + kb, axis))
        return (rows, sa) if _planned_diagonal(sb) else None
    like = sa if sa.kind == "kronecker" else sb if sb.kind == "kronecker" else None
    if like is not None:
        ka, kb = _planned_kronecker(sa, like), _planned_kronecker(sb, like)
        if ka is not None and kb is not None:
            return _planned_kron_plus(ka, kb)
    return None


def plan_sum(sa: Structure, sb: Structure, *, dtype: object = None) -> tuple[int, Structure]:
    """A + B planned from structures, as :func:`jacobians._sum.add_jacobians` adds:
    (additions, structure of the sum); a term is added into the first term it combines with.

    A Structure records no dtype, so the dense limit is weighed in ``dtype``, the sum's, where
    the caller knows it, else in float64 (8 bytes an entry; a complex sum takes 16, and near
    the limit may be planned dense where add_jacobians keeps a Sum). Every term is taken to be
    of the sum's dtype: two float32 terms of a complex sum are weighed at 16 bytes too.

    >>> plan_sum(Structure("identity", 3, 3), Structure("diagonal", 3, 3))[1].kind
    'diagonal'
    """
    itemsize = 8 if dtype is None else np.dtype(dtype).itemsize  # type: ignore[call-overload]
    flat = lambda s: list(s.terms) if s.kind == "sum" else [s]
    terms, more, adds = flat(sa), flat(sb), 0
    # as _added: a dense term anywhere makes the sum dense, within the limit
    if any(t.kind == "dense" for t in terms + more) and _dense_fits(sa.rows, sa.cols, itemsize):
        return sa.rows * sa.cols, Structure("dense", sa.rows, sa.cols)
    for t in more:
        for i, u in enumerate(terms):
            both = _planned_combined(u, t, itemsize)
            if both is not None:
                adds += both[0]
                terms[i] = both[1]
                break
        else:
            terms.append(t)
    return adds, terms[0] if len(terms) == 1 else _planned_sum_of(terms)


def _planned_sum_of(terms: list[Structure]) -> Structure:
    flat = tuple(u for t in terms for u in (t.terms if t.kind == "sum" else (t,)))  # type: ignore[union-attr]
    return Structure("sum", flat[0].rows, flat[0].cols, terms=flat)
