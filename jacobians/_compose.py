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
from ._planner import STRUCTURES, _plan
from ._structure_args import all_finite, applied, squeezed
from ._structures import BlockDiagonal, Dense, Diagonal, Kronecker, Permutation
from ._sum import Sum

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
    arrays = [P.__dict__.get(k) for k in ("M", "d", "B", "L", "R")]
    return [a for a in arrays if isinstance(a, np.ndarray)]


@np.errstate(over="ignore", invalid="ignore")  # an overflow is refused below, not warned of
def _quiet(run: Callable[..., Jacobian], A: Jacobian, B: Jacobian) -> Jacobian:
    return run(A, B)


def _product(A: Jacobian, B: Jacobian, op: str = "compose") -> Jacobian:
    """A · B as planned, labelled; A's input is B's output (checked by the caller, or a sum's
    term, whose sizes are the sum's). A product of finite factors that overflows is refused."""
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
    return P


Jacobian._compose = staticmethod(compose)  # A @ B
