"""Printing the syntax tree back as the language's text, with the fewest parentheses.

``parse_tree(to_text(t)) == t`` for every tree the parser makes: :mod:`._parse` reads what this
module writes (and re-exports :func:`to_text`), :mod:`._print` writes an Expression through it.

>>> to_text(Binary("-", Name("a"), Unary("-", Name("b"))))
'a - (-b)'
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

from reshape import InputError

from ._lex import _BINARY, _NAME, FUNCTIONS, PRECEDENCE, RIGHT_ASSOCIATIVE
from ._tree import Binary, Call, Name, Node, Num, Transpose, Unary, number_transposed

__all__ = ["to_text"]


def _precedence(node: Node) -> int:
    if isinstance(node, Binary):
        return PRECEDENCE[node.op]
    if isinstance(node, Unary) or (isinstance(node, Num) and math.copysign(1, node.value) < 0):
        return PRECEDENCE["neg"]
    return PRECEDENCE["'"] if isinstance(node, Transpose) else PRECEDENCE["atom"]


def _wrap(node: Node, least: int, signed: bool = True) -> str:
    """``node`` as text, in parentheses if it binds looser than ``least`` or (unless ``signed``)
    starts with a minus: a - (-b) reads better than a - -b."""
    text, precedence = to_text(node), _precedence(node)
    bare = precedence >= least and (signed or precedence != PRECEDENCE["neg"])
    return text if bare else f"({text})"


def _bad(expected: str, node: Any) -> InputError:
    return InputError("jacobians.to_text", "node", expected, repr(node))


def to_text(node: Node) -> str:
    """``node`` as text with the fewest parentheses, spaces around ``+ -`` only.

    ``parse_tree(to_text(t)) == t`` for every tree the parser makes (numbers never negative).

    >>> to_text(Transpose(Binary("*", Name("A"), Name("x"))))
    "(A*x)'"
    >>> to_text(Binary("^", Unary("-", Name("x")), Num(2.0)))
    '(-x)^2'
    """
    if isinstance(node, Num):
        if isinstance(node.value, bool) or not isinstance(node.value, Real):
            raise _bad("a real number", node)
        if not math.isfinite(node.value):
            raise _bad("a finite number", node)
        text = repr(abs(float(node.value))).removesuffix(".0")
        return f"-{text}" if math.copysign(1, node.value) < 0 else text
    if isinstance(node, Name):
        if (
            not (isinstance(node.name, str) and _NAME.fullmatch(node.name))
            or node.name in FUNCTIONS
        ):
            raise _bad("a name of letters, digits and '_', starting with a letter", node)
        return node.name
    if isinstance(node, Call):
        if len(node.args) not in FUNCTIONS.get(node.func, ()):
            raise _bad("a call of one of the FUNCTIONS with an allowed number of arguments", node)
        if not node.args:
            return node.func
        return f"{node.func}({', '.join(map(to_text, node.args))})"
    if isinstance(node, Unary) and node.op == "-":
        return "-" + _wrap(node.operand, PRECEDENCE["neg"], signed=False)
    if isinstance(node, Transpose):
        return _wrap(node.operand, PRECEDENCE["'"]) + "'"
    if isinstance(node, Binary) and node.op in _BINARY:
        precedence, right = PRECEDENCE[node.op], node.op in RIGHT_ASSOCIATIVE
        left = _wrap(node.left, precedence + right)
        right_text = _wrap(node.right, precedence + (not right), signed=False)
        if right and number_transposed(node.right)[1]:  # x^2' reads as (x^2)'
            right_text = f"({to_text(node.right)})"
        return f"{left} {node.op} {right_text}" if node.op in "+-" else left + node.op + right_text
    raise _bad("a Num, Name, Call, Unary('-', ...), Binary or Transpose", node)
