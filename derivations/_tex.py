"""Unicode notation to LaTeX: ∂ → \\partial, ⊗ → \\otimes, ᵀ → ^{\\top}, and our other symbols.

The registry holds each closed form twice (text and LaTeX); this module turns the text a derivation
builds itself (symbols such as ∂C/∂y⁽²⁾, shapes such as n×nm, check descriptions) into LaTeX that
compiles with amsmath alone. :func:`math` refuses a character it has no command for rather than let
it reach the LaTeX engine, so no Unicode ever slips into the output.
"""

from __future__ import annotations

import re

__all__ = ["frac_symbol", "math", "shape", "text"]

# Longest first, so "σ′" is matched before "σ".
_MATH = {
    "∂": r"\partial ",
    "⊗": r"\otimes ",
    "⊙": r"\odot ",
    "⊘": r"\oslash ",
    "ᵀ": r"^{\top}",
    "−": "-",
    "×": r"\times ",
    "·": r"\cdot ",
    "σ′": r"\sigma'",
    "′": "'",
    "σ": r"\sigma ",
    "δ": r"\delta ",
    "α": r"\alpha ",
    "Σ": r"\sum ",
    "½": r"\tfrac{1}{2}",
    "‖": r"\|",
    "→": r"\to ",
    "↦": r"\mapsto ",
    "≤": r"\le ",
    "≥": r"\ge ",
    "≠": r"\neq ",
    "≈": r"\approx ",
    "∇": r"\nabla ",
    "ₐ": "_{a}",
    "…": r"\dots ",
    "|": r"\lvert ",
    "∈": r"\in ",
    "²": "^{2}",
}
_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾", "0123456789()")
_SUB = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_SUPER_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾]+")
_SUB_RUN = re.compile("[₀₁₂₃₄₅₆₇₈₉]+")
_WORDS = re.compile(r"\b(diag|softmax|log|exp|tanh|max|min)\b")
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


def math(s: str) -> str:
    """Text notation as LaTeX math (without the dollars).

    Shapes: str -> str (ASCII only).

    >>> math("∂C/∂y⁽²⁾")
    '\\\\partial C/\\\\partial y^{(2)}'
    >>> math("I_n ⊗ xᵀ")
    'I_n \\\\otimes x^{\\\\top}'
    """
    s = _SUPER_RUN.sub(lambda m: "^{" + m.group().translate(_SUPER) + "}", s)
    s = _SUB_RUN.sub(lambda m: "_{" + m.group().translate(_SUB) + "}", s)
    s = _WORDS.sub(lambda m: rf"\operatorname{{{m.group()}}}", s)
    out = []
    i = 0
    keys = sorted(_MATH, key=len, reverse=True)
    while i < len(s):
        for k in keys:
            if s.startswith(k, i):
                out.append(_MATH[k])
                i += len(k)
                break
        else:
            ch = s[i]
            if not ch.isascii():
                raise ValueError(f"no LaTeX command for {ch!r} (U+{ord(ch):04X}) in {s!r}")
            out.append(ch)
            i += 1
    return re.sub(r" +", " ", "".join(out)).replace(" ^", "^").replace(" _", "_").strip()


def text(s: str) -> str:
    """Text-mode LaTeX: special characters escaped, mathematical runs put in $…$.

    Shapes: str -> str (ASCII only).

    >>> text("max |chain − shortcut|, 5% off")
    'max $\\\\lvert$chain $-$ shortcut$\\\\lvert$, 5\\\\% off'
    """
    out = []
    for plain, special in _RUNS.findall(s):
        if plain:
            out.append("".join(_TEXT_ESCAPES.get(ch, ch) for ch in plain))
        else:
            out.append(f"${math(special)}$")
    return "".join(out)


def shape(s: str) -> str:
    """A shape such as ``n×nm`` or ``3×12`` in LaTeX math.

    >>> shape("n×nm")
    'n\\\\times nm'
    """
    return math(s)


def frac_symbol(of: str, wrt: str) -> str:
    """∂of/∂wrt as a LaTeX fraction.

    >>> frac_symbol("C", "W⁽¹⁾")
    '\\\\frac{\\\\partial C}{\\\\partial W^{(1)}}'
    """
    return rf"\frac{{\partial {math(of)}}}{{\partial {math(wrt)}}}"
