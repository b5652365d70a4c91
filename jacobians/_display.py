"""A Jacobian in a notebook: its symbol, closed form, structure and shape, and its matrix when it
is small (``Jacobian._repr_html_`` and ``Jacobian._repr_latex_`` call these).

The matrix is shown when it has at most :data:`DISPLAY_MAX` rows and at most as many columns
(``Jacobian.display_max``, a class attribute a session may change); past that only what the
structure knows is shown, and the dense matrix is never built for the display.
"""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np

from ._notation import sub, to_latex

# A Jacobian, and its Structure record: this module cannot import them, _jacobian imports it.
Jacobian = Any
Structure = Any

__all__ = ["DISPLAY_MAX", "html_display", "latex_display", "shown", "structure_text"]

DISPLAY_MAX = 12  # rows and columns: ∂z/∂W of a 3-by-4 layer (3×12) is shown whole


def shown(J: Jacobian) -> bool:
    """Whether the display includes the matrix: at most ``display_max`` rows and columns."""
    return max(J.shape) <= J.display_max


def structure_text(s: Structure, kind: str) -> str:
    """The structure in words and notation, from its dimensions alone (no data is read).

    >>> from jacobians import Kronecker, BlockDiagonal
    >>> structure_text(Kronecker(300, np.ones((1, 4))).structure, "kronecker")
    'kronecker I₃₀₀ ⊗ (1×4)'
    >>> structure_text(BlockDiagonal(np.ones((5, 2, 2))).structure, "block-diagonal")
    'block-diagonal, 5 blocks of 2×2'
    """
    if s.kind == "kronecker" and s.left and s.right:
        return f"kronecker {_factor(s.left)} ⊗ {_factor(s.right)}"
    if s.kind == "block-diagonal" and s.block:
        return f"block-diagonal, {s.rows // s.block} blocks of {s.block}×{s.block}"
    if s.kind == "diagonal-plus-low-rank" and s.low_rank and s.block:
        k, axis = s.low_rank
        along = "columns" if axis == 1 else "rows"
        return f"diagonal plus rank {k}, {s.rows // s.block} samples of {s.block} ({along})"
    if s.kind == "sum" and s.terms:
        return f"sum of {len(s.terms)} terms: " + " + ".join(t.kind for t in s.terms)
    return kind


def _factor(f: tuple[int, int, bool]) -> str:
    rows, cols, identity = f
    return f"I{sub(rows)}" if identity else f"({rows}×{cols})"


def _caption(J: Jacobian) -> str:
    """``kronecker I₃ ⊗ (1×4); 3×12 (3 by 3×4); float64``."""
    return f"{structure_text(J.structure, J.kind)}; {J._dims()}; {J.dtype}"


def _not_shown(J: Jacobian) -> str:
    return f"matrix not shown: more than {J.display_max} rows or columns"


def _closed_form(J: Jacobian) -> str | None:
    cf = J.closed_form
    return None if cf == J.symbol else cf


def _cells(J: Jacobian) -> list[list[str]]:
    """The entries with 4 significant digits (a small matrix only: ``shown(J)``)."""
    return [[_number(v) for v in row] for row in np.asarray(J._dense())]


def _number(v: complex) -> str:
    if np.iscomplexobj(v) and v.imag != 0:
        return f"{v.real:.4g}{v.imag:+.4g}i"
    text = f"{np.real(v):.4g}"
    return "0" if text == "-0" else text


def html_display(J: Jacobian) -> str:
    """The Jacobian as HTML: symbol = closed form, the caption, and the matrix when small (its
    zeros in grey, so the structure shows)."""
    esc = html.escape
    cf = _closed_form(J)
    head = f"<b>{esc(J.symbol)}</b>" + (f" = {esc(cf)}" if cf else "")
    caption = _caption(J) if shown(J) else f"{_caption(J)}; {_not_shown(J)} (.matrix builds it)"
    out = [f"<div><p>{head}</p>", f'<p style="font-size:smaller">{esc(caption)}</p>']
    if shown(J):
        out.append('<table style="font-family:monospace">')
        for row in _cells(J):
            tds = "".join(
                '<td style="text-align:right;color:#aaa">0</td>'
                if c == "0"
                else f'<td style="text-align:right">{esc(c.replace("-", "−"))}</td>'
                for c in row
            )
            out.append(f"<tr>{tds}</tr>")
        out.append("</table>")
    out.append("</div>")
    return "\n".join(out)


def latex_display(J: Jacobian) -> str:
    """The Jacobian as display math: symbol = closed form (= the matrix, when small; on a line
    of its own past 6 columns), and the caption on a line below."""
    parts = [rf"\frac{{\partial {_math(J.of)}}}{{\partial {_math(J.wrt)}}}"]
    cf = _closed_form(J)
    if cf is not None:  # a closed form given as text alone has no LaTeX of its own
        parts.append(_math(cf) if J._tex is None else J.latex)
    lines = [" = ".join(parts)]
    captions = [_caption(J)]
    if shown(J):
        cells = _cells(J)
        body = r" \\ ".join(" & ".join(row) for row in cells)
        M = rf"\left[\begin{{array}}{{{'r' * len(cells[0])}}} {body} \end{{array}}\right]"
        lines = [f"{lines[0]} = {M}"] if len(cells[0]) <= _ONE_LINE else [f"{lines[0]} =", M]
    else:
        captions.append(_not_shown(J))
    lines += [rf"\text{{{_text(c)}}}" for c in captions]
    return r"\[\begin{gathered} " + r" \\ ".join(lines) + r" \end{gathered}\]"


_ONE_LINE = 6  # columns a matrix may have beside its symbol; a wider one gets a line of its own


def _math(text: str) -> str:
    """A name or closed form as math; as text when the notation has no command for one of its
    characters (a "?" stands for it)."""
    try:
        return to_latex(text)
    except ValueError:
        return rf"\text{{{_text(text)}}}"


_RUNS = re.compile(r"([\x00-\x7f]+)|([^\x00-\x7f]+)")


def _text(s: str) -> str:
    """Text for \\text{…}: LaTeX's specials escaped, runs of notation as inline math."""
    out = []
    for plain, notation in _RUNS.findall(s):
        if plain:
            out.append(_escape(plain))
        else:
            try:
                out.append(f"${to_latex(notation)}$")
            except ValueError:
                out.append("?" * len(notation))
    return "".join(out)


_SPECIAL = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}
_SPECIAL |= {ch: "\\" + ch for ch in "_&%#${}"}


def _escape(s: str) -> str:
    return "".join(_SPECIAL.get(ch, ch) for ch in s)
