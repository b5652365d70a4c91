"""The syntax tree of the matrix-expression language: the nodes the parser makes and the printer
reads, plain frozen records.

Each node carries its ``span`` in the text it was parsed from; spans say where a node was written,
not what it is, so equality and hashing ignore them (a tree printed and parsed again equals the
tree it came from).

>>> Binary("-", Name("a", (0, 1)), Num(2.0, "2", (4, 5))) == Binary("-", Name("a"), Num(2.0))
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Binary",
    "Call",
    "Name",
    "Node",
    "Num",
    "Span",
    "Transpose",
    "Unary",
    "number_transposed",
]

Span = tuple[int, int]  # [start, end) character offsets in the text


# Spans say where a node was written, not what it is: equality and hashing ignore them.
@dataclass(frozen=True, slots=True)
class Num:
    """A number, never negative as parsed (``-2`` is a Unary); ``text`` is its spelling."""

    value: float
    text: str = field(default="", compare=False)
    span: Span = field(default=(0, 0), compare=False)


@dataclass(frozen=True, slots=True)
class Name:
    """A variable; its kind comes from :func:`default_kind` unless given a shape."""

    name: str
    span: Span = field(default=(0, 0), compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    """A call of one of the FUNCTIONS; a bare ``eye`` is a call without arguments."""

    func: str
    args: tuple[Node, ...] = ()
    span: Span = field(default=(0, 0), compare=False)


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # always "-": a unary "+" is dropped
    operand: Node
    span: Span = field(default=(0, 0), compare=False)


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # + - * / .* ./ ^ .^
    left: Node
    right: Node
    span: Span = field(default=(0, 0), compare=False)


@dataclass(frozen=True, slots=True)
class Transpose:
    operand: Node
    span: Span = field(default=(0, 0), compare=False)


Node = Num | Name | Call | Unary | Binary | Transpose


def number_transposed(node: Node) -> tuple[Node, int]:
    """An exponent that is a (signed) number with transposes after it, x.^2' or x^-1', as the
    number and the count of those transposes, which belong to the power; any other as itself."""
    sign, inner = (node, node.operand) if isinstance(node, Unary) else (None, node)
    marks = 0
    while isinstance(inner, Transpose):
        inner, marks = inner.operand, marks + 1
    if marks == 0 or not isinstance(inner, Num):
        return node, 0
    if sign is not None:
        inner = Unary(sign.op, inner, (sign.span[0], inner.span[1]))
    return inner, marks
