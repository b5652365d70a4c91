"""The matrix-expression language of matrixcalculus.org: parse it into a plain tree (the nodes of
:mod:`._tree`), which :func:`to_text` (:mod:`._unparse`, re-exported here) prints back.

Numbers (``2``, ``.5``, ``1e-3``); names, a–g scalars, h–z column vectors and A–Z matrices unless
:func:`parse_shapes` says otherwise; ``+ -``, then ``* / .* ./`` (``*`` is the matrix product),
then unary minus, then ``^ .^`` (right-associative), then the postfix transpose ``'``;
parentheses; and calls of the :data:`FUNCTIONS` (``eye`` may go without parentheses). The text is
read token by token and never evaluated. Nodes compare and hash without their spans, so a tree
printed by :func:`to_text` and parsed again equals the tree it came from.

>>> tree = parse_tree("norm2(A*x - y)^2")
>>> tree.op, tree.left.func, tree.left.args[0].span
('^', 'norm2', (6, 13))
>>> to_text(parse_tree("2 * A' * ((A*x) - y)"))
"2*A'*(A*x - y)"
"""

from __future__ import annotations

import math

from reshape import InputError, InputTypeError, describe

from ._lex import (
    _LOOSE,
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    OP,
    PRECEDENCE,
    RIGHT_ASSOCIATIVE,
    ParseError,
    Token,
    default_kind,
    parse_shapes,
    tokens,
)
from ._tree import Binary, Call, Name, Node, Num, Transpose, Unary, number_transposed
from ._unparse import to_text

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "PRECEDENCE",
    "RIGHT_ASSOCIATIVE",
    "Binary",
    "Call",
    "Name",
    "Node",
    "Num",
    "ParseError",
    "Transpose",
    "Unary",
    "default_kind",
    "parse_shapes",
    "parse_tree",
    "to_text",
]

_OPERAND = "an operand (a name, a number, '(' or a function)"
_DEEP = f"at most {MAX_DEPTH} levels of nesting (parentheses, calls, operations on operations)"
_SPLIT = "a chain like a + b + c + ... nests one level per operator; split the expression up"
_PRODUCT = "a product is written with '*', as in 2*x or A*(x + y)"


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, (Unary, Transpose)):
        return (node.operand,)
    return node.args if isinstance(node, Call) else ()


def _counts(allowed: tuple[int, ...]) -> str:
    words = " or ".join(map(str, allowed))
    return f"{words} argument{'' if allowed == (1,) else 's'}"


class _Parser:
    """A recursive-descent parser over the lazily read tokens."""

    def __init__(self, text: str) -> None:
        self.text, self._tokens = text, tokens(text)
        self.tok = next(self._tokens)
        self.end = 0  # the end of the last token taken: where a node being built ends
        self.nesting = 0  # operands being read, one inside another
        self.heights: dict[int, int] = {}  # id(node) -> height; the tree keeps the nodes alive

    def take(self) -> Token:
        tok, self.end = self.tok, self.tok.end
        self.tok = next(self._tokens)
        return tok

    def error(
        self, expected: str, tok: Token, got: str = "", hint: str | None = None
    ) -> ParseError:
        if not got:
            got = "the end of the text" if tok.kind == "end" else repr(tok.text)
            if tok.kind in ("num", "name"):
                what = {"num": "number", "name": "name"}[tok.kind]
                what = "function" if tok.text in FUNCTIONS else what
                got = f"the {what} {tok.text!r}"
        return ParseError(self.text, tok.start + 1, expected, got, hint)

    def unexpected(self, expected: str) -> ParseError:
        """After a whole operand, a token that is not what may follow it."""
        tok = self.tok
        if tok.kind == ")":
            return self.error(expected, tok, "')', which closes no '('")
        hint = {",": "commas separate the arguments of a function"}.get(tok.kind)
        if tok.kind in ("num", "name", "("):  # the start of a second operand
            hint = _PRODUCT
        return self.error(expected, tok, hint=hint)

    def grow(self, node: Node, at: Token) -> Node:
        """Record ``node``'s height; refuse it past MAX_DEPTH, pointing at its operator."""
        height = 1 + max((self.heights.get(id(c), 1) for c in _children(node)), default=0)
        if height > MAX_DEPTH:
            raise self.error(_DEEP, at, f"level {height}", _SPLIT)
        self.heights[id(node)] = height
        return node

    def expr(self) -> Node:
        """Operands joined by ``+ - * / .* ./``, grouped on a stack rather than by recursion, so
        that each level of parentheses costs three frames of Python stack whatever it holds."""
        items: list[tuple[int, int, Node]] = []  # (start, end, node) of each operand's text
        ops: list[Token] = []
        while True:
            start = self.tok.start
            node = self.operand()
            items.append((start, self.end, node))
            if not (self.tok.kind == "op" and self.tok.text in _LOOSE):
                break
            op = self.take()
            self.join(items, ops, PRECEDENCE[op.text])
            ops.append(op)
        self.join(items, ops, 0)
        return items[0][2]

    def join(self, items: list[tuple[int, int, Node]], ops: list[Token], least: int) -> None:
        """Join the operators waiting on the stack that bind at least as tightly as ``least``:
        all of these lean left, so an equal one is joined before the next is pushed."""
        while ops and PRECEDENCE[ops[-1].text] >= least:
            op, (_, end, right), (start, _, left) = ops.pop(), items.pop(), items.pop()
            items.append((start, end, self.grow(Binary(op.text, left, right, (start, end)), op)))

    def operand(self) -> Node:
        """Signs, a primary and its transposes, then ``^`` with an exponent that is an operand."""
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise self.error(_DEEP, self.tok, f"level {self.nesting}", _SPLIT)
        signs = []
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            sign = self.take()
            if sign.text == "-":
                signs.append(sign)
        start, node = self.tok.start, self.primary()
        while self.tok.kind == "'":
            mark = self.take()
            node = self.grow(Transpose(node, (start, self.end)), mark)
        if self.tok.kind == "op" and self.tok.text in ("^", ".^"):
            op = self.take()
            bracketed = self.tok.kind == "("  # x.^(2'): the user put the transpose on the 2
            exponent = self.operand()
            power, marks = (exponent, 0) if bracketed else number_transposed(exponent)
            end = power.span[1] if marks else self.end
            node = self.grow(Binary(op.text, node, power, (start, end)), op)
            # x.^2' is (x.^2)', as in MATLAB: a number has no transpose
            quotes = [i + 1 for i in range(end, self.end) if self.text[i] == "'"]
            for stop in quotes[:marks]:
                node = Transpose(node, (start, stop))
        for sign in reversed(signs):
            node = self.grow(Unary("-", node, (sign.start, self.end)), sign)
        self.nesting -= 1
        return node

    def primary(self) -> Node:
        """A number, a name, a call, or an expression in parentheses."""
        tok = self.tok
        if tok.kind == "num":
            value = float(self.take().text)
            if not math.isfinite(value):
                raise self.error("a finite number", tok, hint="numbers above 1e308 overflow")
            return Num(value, tok.text, (tok.start, tok.end))
        if tok.kind == "(":
            self.take()
            node = self.expr()
            self.close(tok, "an operator or ')'")
            return node
        if tok.kind != "name":
            raise self.error(_OPERAND, tok)
        self.take()
        func, allowed = tok.text, FUNCTIONS.get(tok.text)
        if allowed is None:
            if self.tok.kind == "(":
                got = f"{func!r}, which is not a function"
                hint = f"the functions are {', '.join(sorted(FUNCTIONS))}; {_PRODUCT}"
                raise self.error("a function before '('", tok, got, hint)
            return Name(func, (tok.start, tok.end))
        if self.tok.kind != "(":
            if 0 in allowed:
                return Call(func, (), (tok.start, tok.end))
            raise self.error(f"'(' after the function name {func!r}", self.tok)
        paren = self.take()
        args = []
        if self.tok.kind != ")":
            args.append(self.expr())
            while self.tok.kind == ",":
                self.take()
                args.append(self.expr())
        self.close(paren, "an operator, ',' or ')'")
        if len(args) not in allowed:
            expected = f"{func} with {_counts(allowed)}"
            raise self.error(expected, tok, f"{func} with {_counts((len(args),))}")
        return self.grow(Call(func, tuple(args), (tok.start, self.end)), tok)

    def close(self, paren: Token, expected: str) -> None:
        if self.tok.kind == ")":
            self.take()
        elif self.tok.kind == "end":
            raise self.error("a ')' to close the '('", paren, "the end of the text")
        else:
            raise self.unexpected(expected)


def parse_tree(text: str) -> Node:
    """The syntax tree of ``text``; every node carries its ``span`` in the text.

    Raises ParseError (an InputError) naming the column, what was expected there and what came.

    >>> parse_tree("a - b - c") == Binary("-", Binary("-", Name("a"), Name("b")), Name("c"))
    True
    >>> parse_tree("X + eye").right
    Call(func='eye', args=(), span=(4, 7))
    """
    if not isinstance(text, str):
        hint = "decode it first" if isinstance(text, (bytes, bytearray)) else None
        raise InputTypeError(OP, "text", "a str", describe(text), hint)
    if len(text) > MAX_LENGTH:
        got = f"{len(text)} characters"
        raise InputError(OP, "text", f"at most {MAX_LENGTH} characters", got)
    if not text.strip():
        raise ParseError(text, 1, "an expression", "only whitespace" if text else "empty text")
    parser = _Parser(text)
    tree = parser.expr()
    if parser.tok.kind != "end":
        raise parser.unexpected("an operator or the end of the text")
    return tree
