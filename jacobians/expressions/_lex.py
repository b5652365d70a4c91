"""The words of the matrix-expression language: its functions, operators, tokens and names.

The tables (FUNCTIONS, PRECEDENCE), the tokens, the error every syntax mistake raises, and the
names with their default kinds and given shapes. Tokens are read lazily, so the first mistake in
the text is the one reported, whatever its kind.

>>> [t.text for t in tokens("2.*x' - A^2")]
['2', '.*', 'x', "'", '-', 'A', '^', '2', '']
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from reshape import InputError, InputTypeError, describe

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "PRECEDENCE",
    "RIGHT_ASSOCIATIVE",
    "ParseError",
    "Token",
    "default_kind",
    "parse_shapes",
    "tokens",
]

OP = "jacobians.parse"
_WINDOW = 72  # characters of a long line shown around the caret

MAX_LENGTH = 10_000  # characters of text
MAX_DEPTH = 200  # levels of nesting: far below Python's recursion limit for whoever walks the tree
MAX_SIZE = 10**6  # of one dimension in parse_shapes

# ----- Functions: name -> the numbers of arguments allowed -----
_ELEMENTWISE = "sin cos tan arcsin arccos arctan exp log tanh abs sign relu sigmoid sqrt".split()
FUNCTIONS: dict[str, tuple[int, ...]] = {
    **dict.fromkeys(_ELEMENTWISE, (1,)),
    **dict.fromkeys(["norm1", "norm2", "tr", "det", "logdet", "inv", "diag"], (1,)),
    "sum": (1, 2),  # sum(X) or sum(X, axis)
    "softmax": (1, 2),
    "vector": (1, 2),
    "matrix": (1, 3),
    "eye": (0, 1),  # also written bare: X + eye
    "kron": (2,),
    # ours, beyond matrixcalculus.org
    "vec": (1,),
    "logsumexp": (1, 2),
    "mean": (1, 2),
    "comm": (2,),
}

# ----- Precedence: higher binds tighter -----
PRECEDENCE: dict[str, int] = {
    "+": 1, "-": 1,
    "*": 2, "/": 2, ".*": 2, "./": 2,
    "neg": 3,  # unary minus: -x^2 is -(x^2), -A*x is (-A)*x
    "^": 4, ".^": 4,
    "'": 5,  # postfix transpose: x'^2 is (x')^2; after a power's number, x^2' is (x^2)'
    "atom": 6,  # numbers, names, calls
}  # fmt: skip
RIGHT_ASSOCIATIVE = frozenset({"^", ".^"})  # a^b^c is a^(b^c); the others lean left
_LOOSE = ("+", "-", "*", "/", ".*", "./")  # the binary operators joined in _Parser.expr
_BINARY = frozenset({*_LOOSE, "^", ".^"})
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


class ParseError(InputError):
    """A syntax error: what was expected at ``column`` (1-based) of ``text``, and what came.

    The message ends with the line of the text and a caret under the column.
    """

    def __init__(
        self, text: str, column: int, expected: str, got: str, hint: str | None = None
    ) -> None:
        super().__init__(OP, "text", f"{expected} at column {column}", got, hint)
        self.column, self.text = column, text
        self.args = (f"{self.args[0]}\n{_picture(text, column)}",)


def _picture(text: str, column: int) -> str:
    """The line holding ``column``, cut to a window around it if long, with a caret below."""
    at = column - 1
    first = text.rfind("\n", 0, at) + 1
    last = text.find("\n", at)
    line = text[first : last if last >= 0 else len(text)]
    caret = at - first
    if len(line) > _WINDOW:
        lo = max(0, min(caret - _WINDOW // 2, len(line) - _WINDOW))
        head, tail = ("..." if lo else ""), ("..." if lo + _WINDOW < len(line) else "")
        line, caret = head + line[lo : lo + _WINDOW] + tail, caret - lo + len(head)
    # tabs and other spaces would shift the caret off its column
    line = "".join(" " if c.isspace() else c for c in line)
    return f"  {line}\n  {' ' * caret}^"


class Token(NamedTuple):
    """One token: ``kind`` is "num", "name", "op", "'", "(", ")", "," or "end"."""

    kind: str
    text: str  # as written, except that − is read as - and ᵀ as '
    start: int
    end: int


_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<num>(?:[0-9]+(?:\.(?![*/^])[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    | (?P<name>[A-Za-z][A-Za-z0-9_]*)
    | (?P<op>\*\*|\.[*/^]|[-+*/^−])
    | (?P<transpose>['ᵀ])
    | (?P<punct>[(),])
    """,
    re.VERBOSE,
)
# The lookahead in a number leaves "2.*x" as 2 .* x, the reading MATLAB users expect.

_CHARACTERS = "a name, a number, an operator (+ - * / .* ./ ^ .^), ', (, ) or ,"


def tokens(text: str) -> Iterator[Token]:
    """The tokens of ``text``, ending with an "end" token placed just after the last non-space."""
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            char = text[pos]
            hint = (
                "the elementwise operators are .* ./ .^; numbers are 0.5 or .5"
                if char == "."
                else None
            )
            raise ParseError(
                text, pos + 1, _CHARACTERS, f"{char!r}, which is not part of the language", hint
            )
        kind, word = match.lastgroup or "", match.group()
        if word == "**":
            raise ParseError(
                text,
                pos + 1,
                "an operator",
                "'**'",
                "'**' is not part of the language: write x^2 for a power, x.^2 elementwise",
            )
        if kind == "transpose":
            kind, word = "'", "'"
        elif kind == "punct":
            kind = word
        elif word == "−":
            word = "-"
        if kind != "space":
            yield Token(kind, word, pos, match.end())
        pos = match.end()
    end = len(text.rstrip())
    yield Token("end", "", end, end)


# ----- Names and shapes -----
def default_kind(name: str) -> str:
    """The kind a name has unless given a shape: by its first letter, a–g "scalar", h–z "vector"
    (a column), A–Z "matrix".

    >>> default_kind("x"), default_kind("X1"), default_kind("alpha")
    ('vector', 'matrix', 'scalar')
    """
    if not (isinstance(name, str) and _NAME.fullmatch(name)):
        expected = "a name of letters, digits and '_', starting with a letter"
        raise InputError("jacobians.default_kind", "name", expected, repr(name))
    first = name[0]
    return "matrix" if first.isupper() else "scalar" if first <= "g" else "vector"


_SIZES = re.compile(r"([0-9]{1,12})(?:\s*[xX×]\s*([0-9]{1,12}))?")
_SHAPE = "n (a column vector; 1 is a scalar), 'MxN', (m, n), (n,), () or 'scalar'"


def _shape(name: str, spec: Any) -> tuple[int, ...]:
    def bad(expected: str = _SHAPE) -> InputError:
        return InputError(OP, "shapes", f"a shape for {name!r}: {expected}", repr(spec))

    if isinstance(spec, str):
        word = spec.strip()
        match = _SIZES.fullmatch(word)
        if word.lower() in ("scalar", "()"):
            sizes: tuple[int, ...] = ()
        elif match is None:
            raise bad()
        else:
            sizes = tuple(int(s) for s in match.groups() if s is not None)
    else:
        items = spec if isinstance(spec, (tuple, list)) else [spec]
        # bool is an int, and 3.0 is not a size (operator.index refuses it)
        if len(items) > 2 or any(isinstance(s, bool) for s in items):
            raise bad()
        try:
            sizes = tuple(operator.index(s) for s in items)
        except TypeError:
            raise bad() from None
    if not all(1 <= s <= MAX_SIZE for s in sizes):
        raise bad(f"sizes from 1 to {MAX_SIZE}")
    if len(sizes) == 1:
        return () if sizes == (1,) else (sizes[0], 1)
    return sizes


def parse_shapes(
    shapes: Mapping[str, Any] | Iterable[str] | str | None,
) -> dict[str, tuple[int, ...]]:
    """Shapes for names, overriding their default kinds: vectors as (n, 1), scalars as ().

    Accepts None, a mapping from names to shapes, or strings ``"name=shape"`` (one string may
    hold several, separated by ',' or ';'). A shape is a size n (a column vector; 1 is a scalar),
    ``"MxN"``, a tuple or list of at most two sizes, ``()`` or ``"scalar"``.

    >>> parse_shapes(["A=3x4", "x=3", "a=scalar"])
    {'A': (3, 4), 'x': (3, 1), 'a': ()}
    """
    if shapes is None:
        return {}
    if isinstance(shapes, str):
        shapes = [item for item in re.split(r"[;,]", shapes) if item.strip()]
    if isinstance(shapes, Mapping):
        pairs = list(shapes.items())
    elif isinstance(shapes, Iterable):
        pairs = []
        for item in shapes:
            if not (isinstance(item, str) and "=" in item):
                raise InputError(
                    OP, "shapes", "entries like 'A=3x4', 'x=3' or 'a=scalar'", repr(item)
                )
            name, spec = item.split("=", 1)
            pairs.append((name.strip(), spec))
    else:
        expected = "None, a mapping from names to shapes, or strings like 'A=3x4'"
        raise InputTypeError(OP, "shapes", expected, describe(shapes))
    result: dict[str, tuple[int, ...]] = {}
    for name, spec in pairs:
        if not (isinstance(name, str) and _NAME.fullmatch(name)) or name in FUNCTIONS:
            expected = "names of letters, digits and '_', starting with a letter, not functions"
            raise InputError(OP, "shapes", expected, repr(name))
        if name in result:
            raise InputError(OP, "shapes", "each name once", f"{name!r} twice")
        result[name] = _shape(name, spec)
    return result
