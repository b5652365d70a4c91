"""Which vec a Jacobian's matrix depends on, and the order of Jacobians joined in a product or a
sum: row-major (the toolkit's) or column-major (:func:`jacobians.column_major`), refused where two
depend on different ones."""

from __future__ import annotations

from collections.abc import Sequence

from reshape import ShapeError

from ._jacobian import Jacobian

__all__ = ["common_order", "mixed_vecs", "vec_order_of"]


_VECS = {"C": "row-major vec", "F": "column-major vec"}


def _vec_matters(shape: tuple[int, ...]) -> bool:
    """Whether the two vecs of an array of this shape differ: two axes or more longer than 1."""
    return sum(n > 1 for n in shape) > 1


def vec_order_of(J: Jacobian) -> str | None:
    """The vec order J's matrix depends on, or None where both give the same matrix: each side
    a scalar or a vector, or an identity from a shape to itself (K I Kᵀ = I)."""
    if J.kind == "identity" and J.out_shape == J.in_shape:
        return None
    return J.vec_order if _vec_matters(J.out_shape) or _vec_matters(J.in_shape) else None


def common_order(op: str, arg: str, Js: Sequence[Jacobian], joined: str) -> str:
    """The vec order of the Jacobians ``Js`` multiplied or added (``joined``: "times", "plus"):
    the one their matrices depend on, refused where two depend on different ones
    (:func:`mixed_vecs`)."""
    first = Js[0].vec_order
    if all(J.vec_order == first for J in Js):
        return first
    known = [J for J in Js if vec_order_of(J) is not None]
    for J in known[1:]:
        if J.vec_order != known[0].vec_order:
            raise mixed_vecs(op, arg, known[0], J, joined)
    return known[0].vec_order if known else "C"


def mixed_vecs(op: str, arg: str, A: Jacobian, B: Jacobian, joined: str) -> ShapeError:
    """The refusal of a product or sum (``joined``: "times", "plus") of a column-major and a
    row-major Jacobian: its rows and columns would be flattened in orders no vec_order says."""
    return ShapeError(
        op,
        arg,
        "Jacobians flattened in one order (each one's vec_order)",
        f"{A.symbol} in {_VECS[A.vec_order]} {joined} {B.symbol} in {_VECS[B.vec_order]}",
        "combine the row-major Jacobians and convert the result with jacobians.column_major",
    )
