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

# A Jacobian: this module cannot import it (nor any structure's module), _jacobian imports it.
Jacobian = Any

__all__ = ["DISPLAY_MAX", "html_display", "latex_display", "shown", "structure_text"]

DISPLAY_MAX = 12  # rows and columns: ∂z/∂W of a 3-by-4 layer (3×12) is shown whole


def shown(J: Jacobian) -> bool:
    """Whether the display includes the matrix: at most ``display_max`` rows and columns."""
    return max(J.shape) <= J.display_max


def structure_text(J: Jacobian) -> str:
    """J's structure in words and notation, from its dimensions alone (no entry is read, no
    dense matrix made): the structure record's sizes, a block-diagonal's blocks (d, p, q) and a
    convolution's kernel, stride and padding.

    >>> from jacobians import Kronecker, BlockDiagonal, Diagonal, Product, Toeplitz
    >>> structure_text(Kronecker(300, np.ones((1, 4))))
    'kronecker I₃₀₀ ⊗ (1×4)'
    >>> structure_text(BlockDiagonal(np.ones((5, 2, 3))))
    'block-diagonal, 5 blocks of 2×3'
    >>> structure_text(Product(Diagonal(np.ones(2)), Kronecker(2, np.ones((1, 3)))))
    'product diagonal · kronecker'
    >>> structure_text(Toeplitz(np.ones((4, 2, 3)), 8, stride=2, padding=1, d=5))
    'toeplitz, kernel 3, stride 2, padding 1, 2→4 channels, 5 samples'
    """
    s = J.structure
    if s.kind == "kronecker" and s.left and s.right:
        return f"kronecker {_factor(s.left)} ⊗ {_factor(s.right)}"
    if s.kind == "block-diagonal":  # a BlockDiagonal's blocks, B (d, p, q)
        d, p, q = J.B.shape
        return f"block-diagonal, {d} blocks of {p}×{q}"
    if s.kind == "diagonal-plus-low-rank" and s.low_rank and s.block:
        k, axis = s.low_rank
        along = "columns" if axis == 1 else "rows"
        return f"diagonal plus rank {k}, {s.rows // s.block} samples of {s.block} ({along})"
    if s.kind == "sum" and s.terms:
        return f"sum of {len(s.terms)} terms: " + " + ".join(t.kind for t in s.terms)
    if s.kind == "product" and s.terms:
        return "product " + " · ".join(t.kind for t in s.terms)
    if s.kind == "toeplitz":
        return _convolution(J)
    return J.kind


def _convolution(T: Jacobian) -> str:
    """A Toeplitz's geometry: kernel, stride, padding, channels (in→out) and samples."""
    C_out, C_in, *kernel = T.w.shape
    if T.transposed:  # the transposed convolution maps the output channels back to the input's
        C_in, C_out = C_out, C_in
    each = lambda v: str(v[0]) if len(set(v)) == 1 else "×".join(map(str, v))
    text = f"toeplitz{' (transposed)' if T.transposed else ''}, kernel {'×'.join(map(str, kernel))}"
    text += f", stride {each(T.stride)}, padding {each(T.padding)}, {C_in}→{C_out} channels"
    return text + (f", {T.d} samples" if T.d > 1 else "")


def _factor(f: tuple[int, int, bool]) -> str:
    rows, cols, identity = f
    return f"I{sub(rows)}" if identity else f"({rows}×{cols})"


def _caption(J: Jacobian) -> str:
    """``kronecker I₃ ⊗ (1×4); 3×12 (3 by 3×4); float64``."""
    return f"{structure_text(J)}; {J._dims()}; {J.dtype}"


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
