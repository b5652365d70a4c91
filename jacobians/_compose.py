"""Running the planner's plans: :func:`compose` (A · B, also ``A @ B``) and the routine each
method of :data:`jacobians._planner.PAIRS` names, so the multiply-adds a plan counts are those this
module does. A product of finite factors that overflows is refused, never returned as ±inf.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from reshape import InputError, InputTypeError, ShapeError, describe

from . import _limit
from ._jacobian import Jacobian
from ._kronecker import Factor
from ._limit import check_limit
from ._lowrank import DiagonalPlusLowRank, by_sample, low_rank, per_sample, sheet_shape
from ._planner import STRUCTURES, _plan
from ._structure_args import all_finite, applied, squeezed
from ._structures import BlockDiagonal, Dense, Diagonal, Kronecker, Permutation
from ._sum import Sum
from ._vec_order import common_order

__all__ = ["compose", "meets"]


# ----- the routines the methods name -----
def _bare(cls: type[Jacobian], **data: object) -> Jacobian:
    """A ``cls`` holding ``data`` and nothing else, unchecked: a product's factors were checked
    when they were made, and :func:`compose` sets its shapes and labels itself."""
    J = object.__new__(cls)
    J.__dict__.update(data)
    return J


def _run_kron_kron(A: Kronecker, B: Kronecker) -> Jacobian:
    def mul(F: Factor, G: Factor) -> Factor:
        return G if isinstance(F, int) else F if isinstance(G, int) else F @ G

    return _bare(Kronecker, L=mul(A.L, B.L), R=mul(A.R, B.R))


# Diagonal plus low rank, D + U Vᵀ per sample (N entries, U and V (k, N) in the same order);
# each routine does the multiply-adds its row in _planner counts.
def _run_diag_lowrank(A: Diagonal, B: DiagonalPlusLowRank) -> Jacobian:
    g = A.diagonal  # G (D + U Vᵀ) = GD + (GU) Vᵀ
    return low_rank(g * B.d, g * B.U, B.V, B.n, B.axis)


def _run_lowrank_diag(A: DiagonalPlusLowRank, B: Diagonal) -> Jacobian:
    g = B.diagonal  # (D + U Vᵀ) G = DG + U (GV)ᵀ
    return low_rank(A.d * g, A.U, A.V * g, A.n, A.axis)


def _run_lowrank_lowrank(A: DiagonalPlusLowRank, B: DiagonalPlusLowRank) -> Jacobian:
    """D₁D₂ + [D₁U₂ + U₁(V₁ᵀU₂), U₁][V₂, D₂V₁]ᵀ, sample by sample: V₁ᵀU₂ (k₁×k₂ per sample) is
    the sums within each sample of the products of their sheets, U₁(V₁ᵀU₂) the sum over k₁ of
    U₁'s sheets times those sums."""
    (k1, N), k2, n, axis = A.U.shape, B.U.shape[0], A.n, A.axis
    sheet = sheet_shape(N, n, axis)
    P = A.V.reshape(k1, 1, *sheet) * B.U.reshape(1, k2, *sheet)  # k₁k₂N
    ones = np.ones((1, n), dtype=P.dtype)
    C = ones @ P if axis == 1 else P @ ones.T  # V₁ᵀU₂ per sample: k₁k₂N
    UC = A.U.reshape(k1, 1, *sheet) * C  # k₁k₂N
    first = np.ones((1, k1), dtype=UC.dtype) @ UC.reshape(k1, k2 * N)  # Σ over k₁: k₁k₂N
    first = first.reshape(k2, N)
    first += A.d * B.U  # 2·k₂N
    U = np.concatenate([first, A.U])
    V = np.concatenate([B.V, B.d * A.V])  # k₁N
    return low_rank(A.d * B.d, U, V, n, axis)  # N


def _run_blocks_lowrank(A: BlockDiagonal, B: DiagonalPlusLowRank) -> Jacobian:
    Us, Vs = per_sample(B.U, B.n, 1), per_sample(B.V, B.n, 1)
    blocks = A.B * by_sample(B.d, B.n, 1)[:, None, :]  # each column of B_j by D_j
    blocks += (A.B @ Us) @ Vs.transpose(0, 2, 1)
    return _bare(BlockDiagonal, B=blocks)


def _run_lowrank_blocks(A: DiagonalPlusLowRank, B: BlockDiagonal) -> Jacobian:
    Us, Vs = per_sample(A.U, A.n, 1), per_sample(A.V, A.n, 1)
    blocks = by_sample(A.d, A.n, 1)[:, :, None] * B.B  # each row of B_j by D_j
    blocks += Us @ (Vs.transpose(0, 2, 1) @ B.B)
    return _bare(BlockDiagonal, B=blocks)


def _run_distribute(A: Jacobian, B: Jacobian) -> Jacobian:
    if isinstance(A, Sum):
        return _bare(Sum, terms=tuple(_product(t, B) for t in A.terms))
    return _bare(Sum, terms=tuple(_product(A, t) for t in B.terms))  # type: ignore[attr-defined]


# A factor applying itself to the other made dense: unchecked (the dense matrix is the other's
# own), its result known finite by the bound of applied() where that is cheap (_finite, read by
# _product), else scanned there.
def _run_left(A: Jacobian, B: Jacobian) -> Jacobian:
    M, finite = applied(A._left, B.matrix, A._gain("left"))
    return _bare(Dense, M=M, _finite=finite)


def _run_right(A: Jacobian, B: Jacobian) -> Jacobian:
    M, finite = applied(B._right, A.matrix, B._gain("right"))
    return _bare(Dense, M=M, _finite=finite)


_APPLIED = (_run_left, _run_right)
_RUN: dict[str, Callable[..., Jacobian]] = {
    "keep_right": lambda A, B: B._copy(),
    "keep_left": lambda A, B: A._copy(),
    "diag_diag": lambda A, B: _bare(Diagonal, d=A.d * B.d.reshape(A.d.shape)),
    "kron_kron": _run_kron_kron,
    "blocks_blocks": lambda A, B: _bare(BlockDiagonal, B=A.B @ B.B),
    "dense_dense": lambda A, B: _bare(Dense, M=A.matrix @ B.matrix),
    "perm_perm": lambda A, B: _bare(
        Permutation, index=B.index[A.index], _dtype=np.result_type(A.dtype, B.dtype)
    ),
    "sum_distribute": _run_distribute,
    "diag_lowrank": _run_diag_lowrank,
    "lowrank_diag": _run_lowrank_diag,
    "lowrank_lowrank": _run_lowrank_lowrank,
    "blocks_lowrank": _run_blocks_lowrank,
    "lowrank_blocks": _run_lowrank_blocks,
    **{f"{cls.short}_left": _run_left for cls in STRUCTURES.values()},
    **{f"{cls.short}_right": _run_right for cls in STRUCTURES.values()},
}


def meets(A: Jacobian, B: Jacobian) -> bool:
    """Whether B's output is A's input: the same shape, or the same up to axes of size 1."""
    if A.in_shape == B.out_shape:
        return True
    return A.shape[1] == B.shape[0] and squeezed(A.in_shape) == squeezed(B.out_shape)


def compose(A: Jacobian, B: Jacobian) -> Jacobian:
    """A · B: the Jacobian of the composition, keeping structure where the product has one.

    A's input must be B's output: the same number of entries, and the same shape up to axes of
    size 1 (so a column (n, 1) meets a vector (n,)).

    A product of finite factors that overflows is refused (InputError), never returned as ±inf.

    Shapes: (p × n) · (n × m) -> (p × m), with out_shape of A and in_shape of B.

    >>> compose(Diagonal(np.array([1.0, 2.0])), Diagonal(np.array([3.0, 4.0]))).d
    array([3., 8.])
    """
    for name, J in (("A", A), ("B", B)):
        if not isinstance(J, Jacobian):
            expected = "a Jacobian (from an operation's .jacobians, or jacobians.Dense(matrix))"
            raise InputTypeError("compose", name, expected, describe(J))
    if A.in_shape != B.out_shape and not meets(A, B):  # the common case without a call
        raise ShapeError(
            "compose",
            "B",
            f"a factor whose output ({A.wrt}) has A's input shape {A.in_shape} "
            f"({A.shape[1]} entries), to follow A = {A.symbol} ({A.shape[0]}×{A.shape[1]})",
            f"B = {B.symbol} ({B.shape[0]}×{B.shape[1]}) with output shape {B.out_shape}",
            "the inner sizes of a product must meet: check the order of the factors",
        )
    return _product(A, B)


_MOVES = ("keep_left", "keep_right", "perm_perm")  # products that make no new numbers


def _numbers(P: Jacobian) -> list[np.ndarray]:
    """The arrays a product made (a sum's terms were each checked as they were made)."""
    arrays = [P.__dict__.get(k) for k in ("M", "d", "B", "L", "R", "U", "V")]
    return [a for a in arrays if isinstance(a, np.ndarray)]


if np.lib.NumpyVersion(np.__version__) >= "2.0.0":

    @np.errstate(over="ignore", invalid="ignore")  # an overflow is refused below, not warned of
    def _quiet(run: Callable[..., Jacobian], A: Jacobian, B: Jacobian) -> Jacobian:
        return run(A, B)

else:  # numpy 1's errstate decorator keeps one saved state: a sum's terms re-enter _quiet, and
    # the outer call would restore the inner's "ignore" for the rest of the session

    def _quiet(run: Callable[..., Jacobian], A: Jacobian, B: Jacobian) -> Jacobian:
        with np.errstate(over="ignore", invalid="ignore"):
            return run(A, B)


def _product(A: Jacobian, B: Jacobian, op: str = "compose") -> Jacobian:
    """A · B as planned, labelled; A's input is B's output (checked by the caller, or a sum's
    term, whose sizes are the sum's). A product of finite factors that overflows is refused."""
    order = A.vec_order
    if order != B.vec_order:  # one side may be a vector, whose two vecs agree
        order = common_order(op, "factors", (A, B), "times")
    _, result, method = _plan(A.structure, B.structure)
    if result.kind == "dense" and result.rows * result.cols * 16 > _limit._dense_limit:
        dtype = np.result_type(A.dtype, B.dtype)
        check_limit(f"{A.symbol} · {B.symbol}", result.rows, result.cols, dtype, None)
    run = _RUN[method]
    # a fresh object, labelled in place below; applied() and moves need no silencing
    P = run(A, B) if run in _APPLIED or method in _MOVES else _quiet(run, A, B)
    finite = P.__dict__.pop("_finite", None)  # known from a bound, or None: scan it
    if finite is None:
        finite = method in _MOVES or all(all_finite(a) for a in _numbers(P))
    if not finite:
        raise InputError(
            op,
            "factors",
            "factors whose product stays within floating-point range",
            f"{A.symbol} · {B.symbol}, whose product overflows to ±inf (or meets NaN)",
            "rescale the factors, or keep the chain structured and apply it to a row",
        )
    (a_cf, a_tex), (b_cf, b_tex) = A._label_node(), B._label_node()
    P.label(A.of, B.wrt, (a_cf, b_cf), (a_tex, b_tex), A.out_shape, B.in_shape)
    P._structure = result  # what the plan made (tests hold it equal to P's own _structure_of)
    if order != "C":
        P.vec_order = order
    return P


Jacobian._compose = staticmethod(compose)  # A @ B
