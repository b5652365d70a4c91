"""About how wide a table's cell prints, in points of Computer Modern at 10 pt: what lets a table
give its wrapping columns what is left of the line, on any page (``_latex_columns``).

An estimate from the glyphs' widths, on the wide side (a column set narrower than its content
sticks out; one set wider only leaves a little less to the others), for the cells the tables
hold: words, code in typewriter type, and inline math (symbols, fractions, shapes, numbers).

>>> round(width_pt("text", "diagonal"), 1), round(width_pt("code", r"W\\_in*x"), 1)
(36.8, 31.5)
>>> round(width_pt("math", r"12\\times 12"), 1)
32.2
"""

from __future__ import annotations

import re

from ._tex import group_end

__all__ = ["longest_piece_pt", "width_pt"]

# cmr10's widths, in points: the letters one by one, the rest by class
_ROMAN = dict(zip("abcdefghijklmnopqrstuvwxyz", map(float, """
    5.0 5.6 4.4 5.6 4.4 3.1 5.0 5.6 2.8 3.1 5.3 2.8 8.3 5.6 5.0 5.6 5.3 3.9 3.9 3.9 5.6 5.3 7.2 5.3
    5.3 4.4""".split()), strict=True))  # fmt: skip
_PUNCTUATION = {".": 2.8, ",": 2.8, ":": 2.8, ";": 2.8, "-": 3.3, " ": 3.3, "(": 3.9, ")": 3.9}
_PUNCTUATION.update({"+": 7.8, "=": 7.8, "<": 7.8, ">": 7.8})
_TT = 5.25  # every character of cmtt10
# a sub- or superscript, a fraction's numerator and denominator in inline math: 7 pt, whose
# glyphs are drawn wider than 0.7 of 10 pt's; and a script's script, 5 pt
_SCRIPT = {1.0: 0.8, 0.8: 0.65, 0.65: 0.65}
_BINARY = 7.8 + 2 * 2.2  # a binary operator with its medium spaces on both sides
_RELATION = 10.0 + 2 * 2.8  # a relation (an arrow) with its thick spaces
_COMMANDS = {
    **dict.fromkeys(["times", "otimes", "odot", "oslash", "cdot", "pm"], _BINARY),
    **dict.fromkeys(["to", "le", "ge", "neq", "mapsto", "longmapsto", "in"], _RELATION),
    **dict.fromkeys(["allowbreak", "!", "left", "right", "bigl", "bigr", "relax"], 0.0),
    "partial": 5.7,
    "top": 7.8,
    " ": 3.3,
    ",": 1.7,
    ";": 2.8,
    "quad": 10.0,
    "qquad": 20.0,
    "lvert": 2.8,
    "rvert": 2.8,
    "lVert": 5.0,
    "rVert": 5.0,
}
# \tanh, \log: an operator's name in roman letters, with a thin space after it
_NAMED = {"sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "log", "ln", "det", "max", "min"}
_WORDS = {"text", "textrm", "mathrm", "operatorname", "textnormal"}
_CODE = {"texttt", "mathtt"}
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")


def _char_pt(ch: str, math: bool) -> float:
    if ch in _ROMAN:
        return _ROMAN[ch] + (0.6 if math else 0.0)  # math italic is a little wider
    if ch.isupper():
        return 8.0 if math else 7.5
    if ch.isdigit():
        return 5.0
    if math and ch in "+-=<>":
        return _BINARY if ch in "+-" else _RELATION
    return _PUNCTUATION.get(ch, 5.0)


def _argument(s: str, i: int) -> tuple[str, int]:
    """The braced group (or the one character) at ``s[i]``, and where it ends."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        return "", i
    if s[i] != "{":
        m = _COMMAND.match(s, i)
        return (m[0], m.end()) if m else (s[i], i + 1)
    j = group_end(s, i + 1)
    return s[i + 1 : j - 1], j


def _math_pt(s: str, size: float = 1.0) -> float:
    """At ``size``: 1 for the formula, less in its scripts."""
    total, i = 0.0, 0
    small = _SCRIPT[size]
    while i < len(s):
        ch = s[i]
        if ch == "\\":
            m = _COMMAND.match(s, i)
            name, i = m[1], m.end()
            if name == "frac":
                top, i = _argument(s, i)
                bottom, i = _argument(s, i)
                total += max(_math_pt(top, small), _math_pt(bottom, small)) + 2.4
            elif name in _WORDS or name in _CODE or name.startswith("math"):
                arg, i = _argument(s, i)
                kind = "code" if name in _CODE else "text" if name in _WORDS else "math"
                total += size * width_pt(kind, arg) + (3.3 if name == "operatorname" else 0.0)
            elif name in ("left", "right", "bigl", "bigr"):
                _, i = _argument(s, i)
                total += 3.9 * size
            elif name in _NAMED:
                total += size * (_text_pt(name) + 1.7)
            else:
                total += _COMMANDS.get(name, 6.0) * size
        elif ch in "_^":
            arg, i = _argument(s, i + 1)
            total += _math_pt(arg, small)
        elif ch in "{} ":
            i += 1
        else:
            total += _char_pt(ch, math=True) * size
            i += 1
    return total


def _text_pt(s: str) -> float:
    total, i = 0.0, 0
    while i < len(s):
        if s[i] == "$":
            j = s.index("$", i + 1)
            total, i = total + _math_pt(s[i + 1 : j]), j + 1
        elif s[i] == "\\":
            m = _COMMAND.match(s, i)
            i = m.end()
            if m[1] in _CODE or m[1] in _WORDS:
                arg, i = _argument(s, i)
                total += width_pt("code" if m[1] in _CODE else "text", arg)
            elif m[1] not in ("allowbreak", "penalty"):
                total += 5.0  # an escaped character
            if i < len(s) and s[i : i + 2] == "{}":
                i += 2
        elif s[i] in "{}":
            i += 1
        else:
            total += _char_pt(s[i], math=False)
            i += 1
    return total


def _code_pt(s: str) -> float:
    s = re.sub(r"\\allowbreak\{\}|\\penalty\d+\{\}", "", s)
    return _TT * len(re.sub(r"\\[A-Za-z]+\{\}|\\.|\$[^$]*\$", "x", s))


def width_pt(kind: str, content: str) -> float:
    """About how wide a cell of ``kind`` (math, text or code) prints on one line, in points."""
    return {"math": _math_pt, "text": _text_pt, "code": _code_pt}[kind](content)


_MATH_BREAK = re.compile(r"\\allowbreak(?:\{\})?")
_OPERATOR_BREAK = re.compile(
    r"\\allowbreak(?:\{\})?|(?:\\otimes|\\odot|\\oslash|\\cdot|\\times|\\to)(?![A-Za-z])"
    r"|(?<= )[-+=<>](?= )"
)
_CODE_BREAK = re.compile(r"\\allowbreak\{\}|\\penalty\d+\{\}| ")


def _top_level_pieces(math: str, operators: bool = False) -> list[str]:
    """Math cut where TeX may break it: after an \\allowbreak outside braces, and with
    ``operators`` after a binary operator or a relation too."""
    pattern = _OPERATOR_BREAK if operators else _MATH_BREAK
    pieces, depth, start = [], 0, 0
    i = 0
    while i < len(math):
        ch = math[i]
        if ch == "\\" and not pattern.match(math, i):
            i += 2
            continue
        if ch in "{}":
            depth += 1 if ch == "{" else -1
        elif depth == 0 and (m := pattern.match(math, i)):
            pieces.append(math[start : m.end()])
            start = i = m.end()
            continue
        i += 1
    return [*pieces, math[start:]]


def _text_pieces(text: str) -> list[str]:
    """Text cut at its spaces (outside $…$), after its hyphens and where a break is allowed."""
    if r"\allowbreak{}" in text:
        return [p for part in text.split(r"\allowbreak{}") for p in _text_pieces(part)]
    pieces, inside, start = [], False, 0
    for i, ch in enumerate(text):
        if ch == "$" and (i == 0 or text[i - 1] != "\\"):
            inside = not inside
        elif not inside and (ch == " " or (ch == "-" and text[i - 1 : i] != "-")):
            pieces.append(text[start : i + (ch == "-")])
            start = i + 1
    return [*pieces, text[start:]]


def longest_piece_pt(kind: str, content: str, operators: bool = False) -> float:
    """About how wide the widest piece of a cell is, where a wrapping column may break it: text
    at its spaces and after its hyphens, code where :func:`._tex.code_breaks` put breaks, math
    where a break is allowed (with ``operators``, after its binary operators and relations too:
    where TeX breaks a formula that does not fit, but a shape such as 4×4 should not break).

    >>> round(longest_piece_pt("text", "diagonal-plus-low-rank"), 1)
    40.1
    """
    if kind == "math":
        pieces = _top_level_pieces(content, operators)
    else:
        pieces = {"code": _CODE_BREAK.split, "text": _text_pieces}[kind](content)
    return max((width_pt(kind, p) for p in pieces), default=0.0)
