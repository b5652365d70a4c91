"""Unicode notation to LaTeX for the text a derivation builds itself: text mode, shapes, fractions.

The registry holds each closed form as a Form (text and LaTeX); the symbols, shapes and check
descriptions a derivation writes (∂C/∂y⁽²⁾, n×nm, max |chain − numeric|) are converted here, on top
of the project's one converter, :func:`jacobians._notation.to_latex` (``math`` below), which refuses
a character it has no command for, so no Unicode ever reaches the LaTeX engine, and sets a user's
name (W_in, x_a_b) by :func:`name` wherever it appears in math; a table's title and its code get
places to break (:func:`heading`, :func:`code_breaks`).
"""

from __future__ import annotations

import re

from jacobians._notation import name_latex as name
from jacobians._notation import to_latex as math

__all__ = ["code_breaks", "frac_symbol", "heading", "math", "name", "shape", "text"]

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


# Where code may break besides its spaces: after an operator or a comma. A long closed form
# (x_a)'/norm2(W_in*h - y) has few spaces, and breaks only there would stick out of its column.
_CODE_BREAK = re.compile(r"([*+/]|,(?! ))(?!$)")
_TEXTTT = re.compile(r"\\texttt\{((?:[^{}]|\{\})*)\}")  # \texttt{…}, \textasciicircum{} inside
_MATH_TEXT = re.compile(r"\\text\{([^{}]*)\}")
_COMMA = re.compile(r",( ?)(?=.)")


def code_breaks(tex: str) -> str:
    r"""Escaped code for \texttt with a break allowed after each operator and comma.

    >>> print(code_breaks(r"tr(A*X'*B)"))
    tr(A*\allowbreak{}X'*\allowbreak{}B)
    """
    return _CODE_BREAK.sub(r"\1\\allowbreak{}", tex)


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
