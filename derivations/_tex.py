"""Unicode notation to LaTeX for the text a derivation builds itself: text mode, shapes, fractions.

The registry holds each closed form as a Form (text and LaTeX); the symbols, shapes and check
descriptions a derivation writes (∂C/∂y⁽²⁾, n×nm, max |chain − numeric|) are converted here, on top
of the project's one converter, :func:`jacobians._notation.to_latex` (``math`` below), which refuses
a character it has no command for, so no Unicode ever reaches the LaTeX engine, and sets a user's
name (W_in, x_a_b) by :func:`name` wherever it appears in math; a table's title, its code and
the math of a column that wraps get places to break (:func:`heading`, :func:`code_breaks`,
:func:`math_breaks`). A notebook's LaTeX is made MathJax-safe by ``_mathjax``.
"""

from __future__ import annotations

import re

from jacobians._notation import name_latex as name
from jacobians._notation import to_latex as math

__all__ = [
    "code_breaks",
    "frac_symbol",
    "group_end",
    "heading",
    "math",
    "math_breaks",
    "name",
    "shape",
    "text",
]

_RUNS = re.compile(r"([\x00-\x7b\x7d-\x7f]+)|([^\x00-\x7b\x7d-\x7f]+)")  # ASCII but |, or not
_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"$<$",
    ">": r"$>$",
}
# Text-mode punctuation that is not mathematics: typed as LaTeX writes it in text.
_TEXT_PUNCTUATION = str.maketrans({"—": "---", "–": "--", "‘": "`", "’": "'", "“": "``", "”": "''"})


def text(s: str) -> str:
    """Text-mode LaTeX: special characters escaped, mathematical runs put in $…$.

    Shapes: str -> str (ASCII only).

    >>> text("max |chain − shortcut|, 5% off")
    'max $\\\\lvert$chain $-$ shortcut$\\\\lvert$, 5\\\\% off'
    >>> text("—")  # a check not run
    '---'
    """
    out = []
    for plain, special in _RUNS.findall(s.translate(_TEXT_PUNCTUATION)):
        if plain:
            out.append("".join(_TEXT_ESCAPES.get(ch, ch) for ch in plain))
        else:
            out.append(f"${math(special)}$")
    return "".join(out)


def shape(s: str) -> str:
    """A shape such as ``n×nm`` or ``3×12`` in LaTeX math.

    >>> shape("n×nm"), shape("scalar"), shape("n×n or n×1")
    ('n\\\\times nm', '\\\\text{scalar}', 'n\\\\times n \\\\text{ or } n\\\\times 1')
    """
    if s == "scalar":
        return r"\text{scalar}"
    return r" \text{ or } ".join(math(part) for part in s.split(" or "))


def frac_symbol(of: str, wrt: str) -> str:
    """∂of/∂wrt as a LaTeX fraction.

    >>> frac_symbol("C", "W⁽¹⁾")
    '\\\\frac{\\\\partial C}{\\\\partial W^{(1)}}'
    """
    return rf"\frac{{\partial {math(of)}}}{{\partial {math(wrt)}}}"


# Where code may break besides its spaces: after an operator, an opening bracket or a comma. A
# long closed form (x_a)'/norm2(W_in*h - y) or diag(vec(softmax(sigmoid(X)))) has few spaces, and
# breaks only there would stick out of its column. Inside a name (after its underscore) only
# where nothing else fits: the penalty makes TeX prefer any number of other lines to it.
_CODE_BREAK = re.compile(r"([*+/(]|,(?! ))(?!$)")
_NAME_BREAK = re.compile(r"\\_(?=[A-Za-z0-9])|(?<=[0-9]\.)(?=[0-9]{6})")  # and in 0.333333…
_TEXTTT = re.compile(r"\\texttt\{((?:[^{}]|\{\})*)\}")  # \texttt{…}, \textasciicircum{} inside
_MATH_TEXT = re.compile(r"\\text\{([^{}]*)\}")
_COMMA = re.compile(r",( ?)(?=.)")


def code_breaks(tex: str) -> str:
    r"""Escaped code for \texttt with a break allowed after each operator and comma.

    >>> print(code_breaks(r"tr(A*X'*B)"))
    tr(\allowbreak{}A*\allowbreak{}X'*\allowbreak{}B)
    >>> print(code_breaks(r"W\_in"))
    W\_\penalty300{}in
    """
    return _NAME_BREAK.sub(
        lambda m: m[0] + r"\penalty300{}", _CODE_BREAK.sub(r"\1\\allowbreak{}", tex)
    )


# Inline math breaks only at the top level of its formula, after a binary operator or a relation
# (and where told to): never inside a {…} group or a \left…\right pair, each one box. So a rule
# in a column that wraps loses the braces no script or command needs, and its \left( \right)
# (\bigl( \bigr) around a fraction); it breaks by preference after a binary operator (rather
# than after the > of 1[z > 0]), and may also after a comma, a semicolon, before a space and
# after a phrase of text (``, or … for a scalar``) or a long one's words. A shape's × never breaks.
_TOKEN = re.compile(r"\\(?:[A-Za-z]+|.)|\s+|.")
_FREE_AFTER = {None, "(", "[", ",", ";", "+", "-", "=", "<", ">", "text", r"\ "}
_OPERATORS = {r"\otimes", r"\odot", r"\oslash", r"\cdot", r"\times", r"\to", r"\le", r"\ge"}
_BIG = {"(": "(", ")": ")", "[": "[", "]": "]", r"\{": r"\{", r"\}": r"\}", ".": ""}
_LONG = re.compile(r"\{[^{}$\\]{11,}\}$")  # a \text's words, no command or math in them
_BREAK_AFTER = {"+", "-", r"\otimes", r"\odot", r"\oslash", r"\cdot", ",", ";"}


def group_end(s: str, i: int) -> int:
    """The index just after the brace that closes the group opened just before ``s[i]``."""
    depth = 1
    while depth:
        if s[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(s[i], 0)
        i += 1
    return i


def _tokens(math: str) -> list[str]:
    """Commands, {…} groups whole, spaces and characters."""
    out, i = [], 0
    while i < len(math):
        if math[i] == "{":
            j = group_end(math, i + 1)
            out.append(math[i:j])
            i = j
        else:
            m = _TOKEN.match(math, i)
            out.append(m[0])
            i = m.end()
    return out


def _unbraced(tokens: list[str], tall: bool, prev: str | None) -> list[str]:
    """The tokens with breaks, ``prev`` the last one before them (None at the start)."""
    out: list[str] = []
    k = 0
    while k < len(tokens):
        tok = tokens[k]
        after = next((t for t in tokens[k + 1 :] if not t.isspace()), None)
        if tok in (r"\left", r"\right") and k + 1 < len(tokens):  # a delimiter that can break
            k += 1
            delimiter = _BIG.get(tokens[k], tokens[k])
            big = r"\bigl" if tok == r"\left" else r"\bigr"
            out.append(big + delimiter if tall and delimiter else delimiter)
            prev = tokens[k]
        elif tok == r"\text" and after and after.startswith("{"):
            k = tokens.index(after, k + 1)
            phrase = after[1:-1]  # a long one breaks at its spaces
            words = re.split(r"(?<=\S )(?=\S)", phrase) if _LONG.match(after) else [phrase]
            out += [rf"\text{{{w}}}\allowbreak{{}}" for w in words]
            prev = "text"
        elif tok.startswith("{") and prev in _FREE_AFTER and after not in ("^", "_", "'"):
            inner = _tokens(tok[1:-1])
            if inner[:1] in (["-"], ["+"]) and prev is not None:  # a sign, not an operator
                out.append("{" + inner.pop(0) + "}")
            out += _unbraced(inner, tall, prev)
            prev = "}"
        else:
            if tok == r"\ " and out and out[-1] != r"\allowbreak{}":  # a line may end before it
                out.append(r"\allowbreak{}")
            out.append(tok)
            binary = tok not in "+-" or prev not in _FREE_AFTER  # not a sign
            if tok in _BREAK_AFTER and binary and after is not None:
                out.append(r"\allowbreak{}")
            if not tok.isspace():
                prev = "+" if tok in _OPERATORS else tok
        k += 1
    return out


def math_breaks(math: str) -> str:
    r"""Math for a column that wraps: places to break at its top level, where it had none.

    >>> print(math_breaks(r"{\operatorname{diag}\left({u_{2}} \odot (1 - {u_{2}})\right)}"))
    \operatorname{diag}(u_{2} \odot\allowbreak{} (1 -\allowbreak{} u_{2}))
    >>> print(math_breaks(r"{I_n} \text{, or } {-1_n}"))
    I_n \text{, or }\allowbreak{} {-}1_n
    >>> print(math_breaks(r"\left(\frac{1}{x}, {y}^{2}\right)"))
    \bigl(\frac{1}{x},\allowbreak{} {y}^{2}\bigr)
    """
    return "".join(_unbraced(_tokens(math), r"\frac" in math, None))


def _comma(m: re.Match[str]) -> str:
    return r",}\allowbreak{}" + ("\\ " if m[1] else "") + r"\text{"


def heading(title: str) -> list[str]:
    r"""A table's title as a run-in heading, a paragraph of its own, that may break inside its
    code and after the commas of a \text in its math (a network's layer list): TeX breaks
    inline math only after a relation, and a line with one long unbreakable piece overflows.

    >>> print(heading(r"$x \to \text{res(a,b), c}$")[0][24:])
    $x \to \text{res(a,}\allowbreak{}\text{b),}\allowbreak{}\ \text{c}$}\mbox{}\par}
    """
    title = _TEXTTT.sub(lambda m: rf"\texttt{{{code_breaks(m[1])}}}", title)
    # the space after a comma goes after the break, where a line's start discards it
    title = _MATH_TEXT.sub(lambda m: r"\text{" + _COMMA.sub(_comma, m[1]) + "}", title)
    # \mbox{} ends the run-in heading, so what follows starts a paragraph of its own; ragged
    # right, in a group, so that a line may end short at a break rather than overflow
    return [rf"{{\raggedright\paragraph{{{title}}}\mbox{{}}\par}}", ""]
