"""Sizes of an expression's nodes: numbers, or open sizes equated as the graph is built.

A shape is () for a scalar or (rows, cols) for a matrix (a column vector is (n, 1)); each size is an
int or a :class:`Size`, a size not yet known (the n of a vector parsed without ``shapes``). Building
a node equates the sizes its operation requires equal (``A*x`` equates A's columns with x's rows),
so the sizes left open are tied together and one value given for any of them fixes all. Equating
two different numbers is a :class:`Mismatch`, which the node's builder reports as a ShapeError
naming the sub-expression and both shapes.

>>> n, m = Size("n"), Size("m")
>>> same(n, m); same(m, 3); resolve(n)
3
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["Dim", "Mismatch", "Shape", "Size", "concrete", "resolve", "same", "show"]


class Size:
    """A size not yet known; equated sizes share a root, and a root may hold a number."""

    __slots__ = ("name", "parent", "value")

    def __init__(self, name: str) -> None:
        self.name, self.parent, self.value = name, None, None

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
    return r


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
        r = resolve(d)
        if isinstance(r, Size):
            r = (bound or {}).get(id(_root(r)))
            if r is None:
                return None
        out.append(int(r))
    return tuple(out)


def root_id(d: Dim) -> int | None:
    """The key of an open size's root (what ``concrete`` looks up), or None for a number."""
    r = resolve(d)
    return id(_root(r)) if isinstance(r, Size) else None
