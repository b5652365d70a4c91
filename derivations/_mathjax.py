"""A notebook's LaTeX (``_repr_latex_``, ``render("latex", mathjax=True)``) made MathJax-safe.

MathJax reads a \text{…} or \texttt{…} in math literally unless its textmacros extension is
loaded (MathJax 2, MathJax 3's tex-base), and with it refuses a text command it lacks
(\textasciicircum); a bare _ or ^ is refused by textmacros and by pdflatex. So a notebook's math
holds no text-mode escape: each special character of a \text or \texttt leaves it, as math both
engines read (:func:`mathjax`), in typewriter type for code, a caret as a circumflex over a
character's width; the text between displays, which MathJax shows as typed, has its escaped
characters as math too (:func:`mathjax_prose`). Both MathJax 3, with and without textmacros, and
pdflatex read the result.
"""

from __future__ import annotations

import re

from ._tex import group_end

__all__ = ["mathjax", "mathjax_prose"]

_MATH_OF_ESCAPE = {
    r"\_": r"\_",
    r"\&": r"\&",
    r"\%": r"\%",
    r"\#": r"\#",
    r"\{": r"\{",
    r"\}": r"\}",
    r"\textbackslash{}": r"\backslash",
    r"\textasciitilde{}": r"\sim",
    r"\textasciicircum{}": r"\hat{\phantom{x}}",
    r"\allowbreak{}": "",
}
# Text's ligatures, which MathJax prints as typed: a dash as a minus sign, quotes straight.
_MATH_OF_LIGATURE = {"---": "{-}", "--": "{-}"}
_TEXT_OF_LIGATURE = {"``": '"', "''": '"', "`": "'"}
_ESCAPE = re.compile("|".join(re.escape(e) for e in sorted(_MATH_OF_ESCAPE, key=len, reverse=True)))
_LIGATURE = re.compile("---|--|``|''|`")
_TEXT_GROUP = re.compile(r"\\(text|texttt)\{")


def _math_runs(s: str) -> list[tuple[bool, str]]:
    """Text split into (is math, run): the $…$ runs and what is between them."""
    out, start, i, inside = [], 0, 0, False
    while i < len(s):
        if s[i] == "\\":
            i += 2
            continue
        if s[i] == "$":
            out.append((inside, s[start:i]))
            inside, start = not inside, i + 1
        i += 1
    out.append((inside, s[start:]))
    return [(m, r) for m, r in out if r]


def _text_for_mathjax(content: str, tt: bool) -> str:
    """The content of a \\text (``tt``: \\texttt) as math with no text-mode escape in a text."""
    wrap, char = (r"\texttt{%s}", r"\mathtt{%s}") if tt else (r"\text{%s}", "%s")
    out, run = [], []

    def flush() -> None:
        if run:
            out.append(wrap % "".join(run))
            run.clear()

    for is_math, piece in _math_runs(content):
        if is_math:  # math inside the text stays there: both MathJax and LaTeX read $…$ in \text
            run.append(f"${mathjax(piece)}$")
            continue
        i = 0
        while i < len(piece):
            inner = _TEXT_GROUP.match(piece, i)
            escape = _ESCAPE.match(piece, i)
            ligature = None if tt else _LIGATURE.match(piece, i)
            if inner:  # a \texttt inside the text
                j = group_end(piece, inner.end())
                flush()
                out.append(_text_for_mathjax(piece[inner.end() : j - 1], inner[1] == "texttt"))
                i = j
            elif escape or (ligature and ligature[0] in _MATH_OF_LIGATURE):
                found = escape or ligature
                math = _MATH_OF_ESCAPE.get(found[0], _MATH_OF_LIGATURE.get(found[0]))
                if math:
                    flush()
                    out.append(char % math)
                i = found.end()
            elif ligature:
                run.append(_TEXT_OF_LIGATURE[ligature[0]])
                i = ligature.end()
            else:
                run.append(piece[i])
                i += 1
    flush()
    return "".join(out)


def mathjax(math: str) -> str:
    r"""Math for MathJax, with or without its textmacros, and for LaTeX: every \text{…} and
    \texttt{…} in it free of text-mode escapes (they leave the text as math).

    >>> print(mathjax(r"\texttt{tanh(x\_a).\textasciicircum{}2} & \text{W\_in}"))
    \texttt{tanh(x}\mathtt{\_}\texttt{a).}\mathtt{\hat{\phantom{x}}}\texttt{2} & \text{W}\_\text{in}
    >>> print(mathjax(r"\text{--- $\max_{i} \text{a\&b}$ ``c''}"))
    {-}\text{ $\max_{i} \text{a}\&\text{b}$ "c"}
    """
    out, i = [], 0
    for m in _TEXT_GROUP.finditer(math):
        if m.start() < i:  # inside a group already rewritten
            continue
        j = group_end(math, m.end())
        out += [
            _spaces(math[i : m.start()]),
            _text_for_mathjax(math[m.end() : j - 1], m[1] == "texttt"),
        ]
        i = j
    return "".join(out) + _spaces(math[i:])


# MathJax expands a control space into \text{ } as a macro, which it refuses where the rest of
# the formula is longer than its buffer (5 kB: a catalogue's array): a tie is the same space.
_CONTROL_SPACE = re.compile(r"\\\\|\\ ")


def _spaces(math: str) -> str:
    return _CONTROL_SPACE.sub(lambda m: "~" if m[0] == "\\ " else m[0], math)


_PROSE_LIGATURE = {"---": "-", "--": "-", "``": '"', "''": '"', "`": "'"}


def mathjax_prose(text: str) -> str:
    r"""Text outside math for a notebook, where MathJax shows an escape as typed: each escaped
    character as math, $\_$, which LaTeX reads too; the math in it as :func:`mathjax` makes it.

    >>> print(mathjax_prose(r"a\_i a\_j --- with $\text{W\_in}$"))
    a$\_$i a$\_$j - with $\text{W}\_\text{in}$
    """
    out = []
    for is_math, run in _math_runs(text):
        if is_math:
            out.append(f"${mathjax(run)}$")
            continue
        run = _LIGATURE.sub(lambda m: _PROSE_LIGATURE[m[0]], run)
        out.append(
            _ESCAPE.sub(
                lambda m: f"${_MATH_OF_ESCAPE[m[0]]}$" if _MATH_OF_ESCAPE[m[0]] else "", run
            )
        )
    return "".join(out)
