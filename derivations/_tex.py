"""Unicode notation to LaTeX for the text a derivation builds itself: text mode, shapes, fractions.

The registry holds each closed form as a Form (text and LaTeX); the symbols, shapes and check
descriptions a derivation writes (∂C/∂y⁽²⁾, n×nm, max |chain − numeric|) are converted here, on top
of the project's one converter, :func:`jacobians._notation.to_latex` (``math`` below), which refuses
a character it has no command for, so no Unicode ever reaches the LaTeX engine.
"""

from __future__ import annotations

import re

from jacobians._notation import to_latex as math

__all__ = ["frac_symbol", "math", "shape", "text"]

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
