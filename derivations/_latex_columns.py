"""A paper table's columns (``_latex_layout.table``): whether it fits the narrowest line as its
cells are, the widths that make it as wide as any line when it does not, and about how tall it
is, which decides between a tabular and a longtable.

A table that does not fit gives its ``fill`` columns what its other columns leave of the line,
``p{\\dimexpr(\\linewidth-F)*k/1000\\relax}``: the same LaTeX fits --document's page (529 pt)
and the standard article's (345 pt), the narrowest it is laid out for. Each other column is as
wide as its widest piece (a header's word, a shape, a cell broken where it may break), and every
column wraps. Widths are estimated by ``_latex_widths``, on the wide side.

>>> body = [[("math", "u_1"), ("code", "exp(X)")]]
>>> Layout(["node", "definition"], body).fits()
True
>>> long = [[("math", "u_1"), ("code", "sigmoid(W_first*x_input + b_first)*" * 4)]]
>>> wide = Layout(["node", "definition"], long)
>>> wide.fits(), wide.fill({1: 1.0})[1]
(False, '\\\\dimexpr(\\\\linewidth-38.1pt)*1000/1000\\\\relax')
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from . import _tex
from ._latex_widths import longest_piece_pt, width_pt

__all__ = ["NARROWEST_PT", "TABULAR_PT", "Layout"]

# The narrowest line a table is laid out for (the standard article's, 345 pt), and the height a
# tabular may take on it (a page holds about 540 pt): a taller one is a longtable.
NARROWEST_PT, TABULAR_PT = 345.0, 420.0
_LINE_PT, _ROW_PT = 12.0, 4.0  # a wrapped cell's line; what \arraystretch adds to a row
_SMALL = 0.93  # \small's glyphs, against the 10 pt the widths are estimated in
_SLACK_PT = 1.5  # added to a column set as wide as its estimated widest piece


def _wrapped(kind: str, content: str) -> str:
    """A cell's content where its column wraps, as ``_latex_layout.cell`` sets it."""
    return {"math": _tex.math_breaks, "code": _tex.code_breaks}.get(kind, str)(content)


class Layout:
    """A table's cells, its headers as text cells first; ``small`` as ``\\small`` sets them."""

    def __init__(
        self, headers: Sequence[str], body: Sequence[Sequence[tuple[str, str]]], small: bool = False
    ) -> None:
        self.body = body
        self.rows = [[("text", _tex.text(h)) for h in headers], *body]
        self.sep, self.scale = (3.0, _SMALL) if small else (4.0, 1.0)
        self.between = 2 * self.sep * len(headers)  # \tabcolsep on both sides of each column
        self.narrowest: dict[int, float] = {}  # the widths :meth:`fill` sets, on that line

    def fits(self) -> bool:
        """Whether columns as wide as their widest cells fit the narrowest line (with a little to
        spare, the widths being estimates): then none needs to wrap."""
        widest = [max(width_pt(k, v) for k, v in col) for col in zip(*self.rows, strict=True)]
        return 1.03 * self.scale * sum(widest) + self.between + 5.0 <= NARROWEST_PT

    def _piece(self, i: int, operators: bool = False) -> float:
        """Column ``i``'s widest piece, where it may break, in points as set."""
        widest = max(longest_piece_pt(k, _wrapped(k, v), operators) for k, v in self._col(i))
        return self.scale * widest + _SLACK_PT

    def _col(self, i: int) -> list[tuple[str, str]]:
        return [row[i] for row in self.rows]

    def shares(self, fill: Mapping[int, float]) -> tuple[float, dict[int, float]]:
        """What the other columns take of the line, and the ``fill`` columns' shares of the rest:
        in proportion to weight times widest cell (up to a line), and never less than the column's
        widest piece on the narrowest line (all in proportion to that, where they cannot)."""
        n = len(self.rows[0])
        fixed = sum(self._piece(i) for i in range(n) if i not in fill) + self.between
        left = NARROWEST_PT - fixed
        whole = {
            i: min(max((width_pt(*c) for c in self._col(i)[1:]), default=0.0), NARROWEST_PT)
            for i in fill
        }
        total = sum(fill[i] * whole[i] for i in fill) or 1.0
        shares = {i: fill[i] * whole[i] / total for i in fill}
        need = {i: self._piece(i, operators=True) / left if left > 0 else 0.0 for i in fill}
        if sum(need.values()) >= 1:
            return fixed, {i: need[i] / sum(need.values()) for i in fill}
        short = {i for i in fill if shares[i] < need[i]}  # they take it from those with room
        spare = sum(shares[i] - need[i] for i in fill if i not in short)
        taken = sum(need[i] - shares[i] for i in short)
        return fixed, {
            i: need[i] if i in short else shares[i] - (shares[i] - need[i]) * taken / spare
            for i in fill
        }

    def fill(self, fill: Mapping[int, float]) -> dict[int, str]:
        """Every column's width as a LaTeX length: the ``fill`` columns share what the others
        leave of the line, whatever the line."""
        fixed, shares = self.shares(fill)
        self.narrowest = {
            i: (NARROWEST_PT - fixed) * shares[i] if i in fill else self._piece(i)
            for i in range(len(self.rows[0]))
        }
        return {
            i: rf"\dimexpr(\linewidth-{fixed:.1f}pt)*{round(1000 * shares[i])}/1000\relax"
            if i in fill
            else f"{self._piece(i):.1f}pt"
            for i in range(len(self.rows[0]))
        }

    def height_pt(self, widths: Mapping[int, float | str]) -> float:
        """About how tall the table is on the narrowest line: each row as tall as its cell that
        wraps to the most lines (``widths``: fractions of the line, or :meth:`fill`'s)."""
        at = {
            i: self.narrowest[i] if isinstance(w, str) else w * NARROWEST_PT
            for i, w in widths.items()
        }
        lines = [
            max([1.0] + [self.scale * width_pt(*row[i]) / max(w, 20.0) for i, w in at.items()])
            for row in self.body
        ]
        return sum(_LINE_PT * math.ceil(n) + _ROW_PT for n in lines)
