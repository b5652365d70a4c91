"""Sizes of an expression's nodes: numbers, or open sizes equated as the graph is built.

A shape is () for a scalar or (rows, cols) for a matrix (a column vector is (n, 1)); each size is an
int or a :class:`Size`, a size not yet known (the n of a vector parsed without ``shapes``). Building
a node equates the sizes its operation requires equal (``A*x`` equates A's columns with x's rows),
so the sizes left open are tied together and one value given for any of them fixes all. Equating
two different numbers is a :class:`Mismatch`, which the node's builder reports as a ShapeError
naming the sub-expression and both shapes.
A variable's declared shape is read here too (:func:`declared_shape`).

>>> n, m = Size("n"), Size("m")
>>> same(n, m); same(m, 3); resolve(n)
3
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from math import prod
from typing import Any

import numpy as np

from reshape import InputError

__all__ = [
    "Dim",
    "Mismatch",
    "Shape",
    "Size",
    "concrete",
    "declared_shape",
    "normal",
    "resolve",
    "root_id",
    "same",
    "show",
    "times",
]


class Size:
    """A size not yet known; equated sizes share a root, and a root may hold a number."""

    __slots__ = ("factors", "name", "parent", "value")

    def __init__(self, name: str, factors: tuple[Dim, ...] = ()) -> None:
        self.name, self.parent, self.value = name, None, None
        self.factors = factors  # a product of sizes (vec of an open matrix is m·n entries)

    def __repr__(self) -> str:
        r = resolve(self)
        return str(r) if isinstance(r, int) else r.name  # type: ignore[union-attr]


Dim = int | Size
Shape = tuple[Dim, ...]


class Mismatch(Exception):  # noqa: N818 - not an error to the user: a ShapeError is
    """Two sizes that cannot be equal; the node's builder turns it into a ShapeError."""


def _root(d: Dim) -> Dim:
    while isinstance(d, Size) and d.parent is not None:
        d = d.parent
    return d


def resolve(d: Dim) -> Dim:
    """The number a size stands for, or the open size that represents it."""
    r = _root(d)
    if isinstance(r, Size) and r.value is not None:
        return r.value
    if isinstance(r, Size) and r.factors:
        sizes = [resolve(f) for f in r.factors]
        if all(isinstance(s, int) for s in sizes):
            return prod(sizes)  # type: ignore[arg-type]
    return r


def times(*dims: Dim) -> Dim:
    """The product of sizes: a number once all are known, else an open size that the values fix.

    >>> n = Size("n"); p = times(n, 3); same(n, 2); resolve(p)
    6
    """
    known, open_ = 1, []
    for d in dims:
        r = resolve(d)
        if isinstance(r, int):
            known *= r
        else:
            open_.append(r)
    if not open_:
        return known
    if known == 1 and len(open_) == 1:
        return open_[0]
    return Size("·".join(str(d) for d in dims), tuple(dims))


def same(a: Dim, b: Dim) -> None:
    """Equate two sizes, or raise :class:`Mismatch` if both are numbers and differ."""
    ra, rb = _root(a), _root(b)
    if ra is rb:
        return
    va = ra.value if isinstance(ra, Size) else ra
    vb = rb.value if isinstance(rb, Size) else rb
    if va is not None and vb is not None and va != vb:
        raise Mismatch(f"{va} ≠ {vb}")
    if isinstance(ra, Size):
        ra.parent = rb if isinstance(rb, Size) else None
        if not isinstance(rb, Size):
            ra.value = rb
        elif rb.value is None:
            rb.value = va
    elif isinstance(rb, Size):
        rb.value = ra


def show(shape: Shape) -> str:
    """``3×4``, ``n×1`` or ``scalar``."""
    return "×".join(str(resolve(d)) for d in shape) if shape else "scalar"


def concrete(shape: Shape, bound: Mapping[int, int] | None = None) -> tuple[int, ...] | None:
    """The shape in numbers, with ``bound`` giving the open sizes (keyed by id of their root);
    None if a size is still open."""
    out = []
    for d in shape:
        r = _size(d, bound or {})
        if r is None:
            return None
        out.append(r)
    return tuple(out)


def _size(d: Dim, bound: Mapping[int, int]) -> int | None:
    r = resolve(d)
    if isinstance(r, int):
        return r
    root = _root(r)
    if id(root) in bound:
        return bound[id(root)]
    if isinstance(root, Size) and root.factors:
        sizes = [_size(f, bound) for f in root.factors]
        return None if any(s is None for s in sizes) else prod(sizes)  # type: ignore[arg-type]
    return None


def root_id(d: Dim) -> int | None:
    """The key of an open size's root (what ``concrete`` looks up), or None for a number."""
    r = resolve(d)
    return id(_root(r)) if isinstance(r, Size) else None


# ----- the shapes users declare -----
_MAX_SIZE = 10**6  # of one declared dimension (the dense limit governs Jacobians)


def declared_shape(name: str, shape: Any) -> Shape:
    """The shape a :class:`~jacobians.Variable` named ``name`` is declared with: () or (n,) or
    (n, m), each size an int, an open :class:`Size`, or None or a name for a new open size; a
    vector (n,) is the column (n, 1), and 1×1 a scalar.

    >>> declared_shape("x", 3), declared_shape("A", (2, "k"))
    ((3, 1), (2, k))
    """
    if isinstance(shape, (int, np.integer, str, Size)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, Sequence) or len(shape) > 2:
        raise InputError(
            "jacobians.Variable", "shape", "() for a scalar, (n,) or (n, 1), or (n, m)", repr(shape)
        )
    dims: list[Dim] = []
    for i, s in enumerate(shape):
        if isinstance(s, Size):
            dims.append(s)
        elif s is None or (isinstance(s, str) and s.isidentifier()):
            dims.append(Size(s or f"{name}{i}"))  # open: fixed by the values, or by its uses
        elif isinstance(s, (int, np.integer)) and not isinstance(s, bool) and 0 < s <= _MAX_SIZE:
            dims.append(int(s))
        else:
            raise InputError(
                "jacobians.Variable",
                "shape",
                f"sizes from 1 to {_MAX_SIZE:,}, or names for open sizes",
                f"{shape!r} (entry {i} is {s!r})",
            )
    if len(dims) == 1:
        dims.append(1)
    return normal(tuple(dims))


def normal(shape: Shape) -> Shape:
    """A 1×1 shape whose sizes are both the number 1 is a scalar."""
    if len(shape) == 2 and resolve(shape[0]) == 1 and resolve(shape[1]) == 1:
        return ()
    return shape
