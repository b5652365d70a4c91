"""``parse``: text of the language to an expression graph, by walking the parser's tree.

The language is matrixcalculus.org's: ``*`` is the matrix product (a scalar operand makes it the
scalar multiple), ``/`` divides by a scalar, ``^`` is a scalar power or an integer power of a square
matrix, ``.* ./ .^`` are elementwise, ``'`` transposes. Names a–g are scalars, h–z column vectors
and A–Z matrices unless ``shapes`` says otherwise; sizes left open are equated as the graph is
built and fixed by the values. Every registered operation is a function of the language too
(``softplus(x)``, ``linear(W, x, b)``), so whatever ``str()`` prints can be read back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reshape import InputError, ShapeError

from .._registry import OPERATIONS
from ._graph import Expression, Variable, constant, node
from ._parse import (
    Binary,
    Call,
    Name,
    Node,
    Num,
    ParseError,
    Transpose,
    Unary,
    default_kind,
    parse_shapes,
    parse_tree,
)
from ._print import register_functions
from ._shapes import show

__all__ = ["parse"]

_OP = "jacobians.parse"
_INFIX = {"+": "add", "-": "subtract", ".*": "multiply", "./": "divide", ".^": "power"}
_CONSTANTS = ("eye", "vector", "matrix", "comm")
_MAX_POWER = 64  # X^k is k − 1 products in the graph


def _column(text: str, span: tuple[int, int]) -> str:
    return f"at column {span[0] + 1}: {text[span[0] : span[1]]}"


def _may_be_square(shape: tuple) -> bool:
    """Whether a matrix of this shape (its sizes numbers or still open) can be square."""
    n, m = shape
    return not (isinstance(n, int) and isinstance(m, int) and n != m) and 1 not in (n, m)


class _Builder:
    def __init__(self, text: str, shapes: Mapping[str, tuple[int, ...]]) -> None:
        self.text, self.shapes, self.variables = text, shapes, {}

    def variable(self, name: str) -> Expression:
        v = self.variables.get(name)
        if v is None:
            shape: Any = self.shapes.get(name)
            if shape is None:
                kind = default_kind(name)
                shape = {"scalar": (), "vector": (None, 1), "matrix": (None, None)}[kind]
            elif len(shape) == 2 and shape[1] == 1:
                shape = (shape[0], 1)
            v = self.variables[name] = Variable(name, shape)
        return v

    def number(self, node: Node, what: str) -> float:
        if isinstance(node, Unary) and isinstance(node.operand, Num):
            return -node.operand.value
        if not isinstance(node, Num):
            a, b = node.span
            got = f"{self.text[a:b]} at column {a + 1}"
            raise InputError(_OP, "text", f"a number as {what}", got)
        return node.value

    def size(self, node: Node, what: str, largest: int = 10**6) -> int:
        v = self.number(node, what)
        if not float(v).is_integer() or not 0 < v <= largest:
            expected = f"a whole number from 1 to {'10⁶' if largest == 10**6 else largest}"
            raise InputError(
                _OP, "text", f"{expected} as {what}", f"{v:g} {_column(self.text, node.span)}"
            )
        return int(v)

    def build(self, t: Node) -> Expression:
        try:
            return self._build(t)
        except ShapeError as e:
            if e.op == _OP:
                raise
            raise ShapeError(
                _OP, e.arg, e.expected, e.got, f"{_column(self.text, t.span)}"
            ) from None

    def _build(self, t: Node) -> Expression:
        if isinstance(t, Num):
            return constant("number", t.value)
        if isinstance(t, Name):
            if t.name == "number":  # the graph's name for a number: no variable may take it
                expected = "a variable's name, not 'number', which the language keeps for numbers"
                raise ParseError(self.text, t.span[0] + 1, expected, repr(t.name))
            return self.variable(t.name)
        if isinstance(t, Unary):
            if isinstance(t.operand, Num):
                return constant("number", -t.operand.value)
            return -self.build(t.operand)
        if isinstance(t, Transpose):
            x = self.build(t.operand)
            return x if x.is_scalar else x.T
        if isinstance(t, Binary):
            return self.binary(t)
        assert isinstance(t, Call)
        return self.call(t)

    def binary(self, t: Binary) -> Expression:
        a, b = self.build(t.left), self.build(t.right)
        if t.op in _INFIX:
            return node(_INFIX[t.op], a, b)
        if t.op == "*":
            return node("multiply" if a.is_scalar or b.is_scalar else "matmul", a, b)
        if t.op == "/":
            if not b.is_scalar:
                raise ShapeError(
                    _OP,
                    str(node("divide", a, b)) if b.shape == a.shape else f"{a} / {b}",
                    "a scalar divisor after '/'",
                    f"{b} of shape {show(b.shape)}",
                    f"{_column(self.text, t.span)}; for elementwise division write ./",
                )
            return node("divide", a, b)
        # '^': a scalar power, or an integer power of a square matrix
        if a.is_scalar:
            return node("power", a, b)
        k = self.number(t.right, "the power of a matrix (X^k); for elementwise powers write .^")
        if not float(k).is_integer() or not 1 <= k <= _MAX_POWER:
            raise InputError(
                _OP,
                "text",
                f"a whole power from 1 to {_MAX_POWER} of a square matrix",
                f"{k!r} {_column(self.text, t.span)}",
                "for elementwise powers write .^",
            )
        if int(k) > 1 and (len(a.shape) != 2 or not _may_be_square(a.shape)):
            raise ShapeError(
                _OP,
                self.text[t.span[0] : t.span[1]],
                "a square matrix for the matrix power X^k (k − 1 matrix products)",
                f"{a} of shape {show(a.shape)}",
                f"{_column(self.text, t.span)}; for elementwise powers write .^",
            )
        out = a
        for _ in range(int(k) - 1):
            out = node("matmul", out, a)
        return out

    def call(self, t: Call) -> Expression:
        f, args = t.func, t.args
        if f in _CONSTANTS:
            return self.constant(t)
        if f in ("sum", "mean", "softmax", "logsumexp") and len(args) == 2:
            axis = self.size(
                args[1], f"the axis of {f} (1: down the columns, 2: along the rows)", 2
            )
            if axis not in (1, 2):
                raise InputError(_OP, "text", f"axis 1 or 2 in {f}", f"{axis}")
            return node(f, self.build(args[0]), axis=axis)
        op = OPERATIONS.get(f)
        if op is None:
            raise InputError(
                _OP, "text", f"a known function, not {f!r}", _column(self.text, t.span)
            )
        n = len(op.params)
        built = [self.build(a) for a in args[:n]]
        options = {
            k: self.number(a, f"the option {k} of {f}")
            for k, a in zip(op.options, args[n:], strict=False)
        }
        return node(op, *built, **options)

    def constant(self, t: Call) -> Expression:
        f, args = t.func, t.args
        if f == "comm":
            m, n = (self.size(a, "a size of comm(m, n)") for a in args)
            return Expression(None, (), (m * n, m * n), "comm", {"fill": 1.0, "m": m, "n": n})
        if f == "eye":
            return constant(
                "eye", 1.0, None if not args else (k := self.size(args[0], "the size of eye(n)"), k)
            )
        fill = self.number(args[0], f"the value of {f}(c)")
        if len(args) == 1:
            return constant(f, fill)
        sizes = tuple(self.size(a, f"a size of {f}") for a in args[1:])
        return constant(f, fill, (sizes[0], 1) if f == "vector" else sizes)


def parse(text: str, shapes: Any = None) -> Expression:
    """An expression graph from text in the input language of matrixcalculus.org.

    Args:
        text: e.g. ``"norm2(A*x - y)^2"``, ``"tr(A*X'*B*X*C)"``, ``"x'*A*x"``.
        shapes: sizes to fix: a mapping ``{"A": (3, 4), "x": 4}`` or strings ``["A=3x4", "x=4"]``;
            names not given are scalars (a–g), column vectors (h–z) or matrices (A–Z) of open size.

    The text is parsed by a parser of its own (never ``eval``). A syntax error names the column and
    what was expected there; a shape mismatch names the sub-expression and both shapes.

    >>> e = parse("x'*A*x", ["A=3x3"])
    >>> str(e), e.shape
    ("x'*A*x", ())
    """
    register_functions()
    tree = parse_tree(text)
    return _Builder(text, parse_shapes(shapes)).build(tree)
