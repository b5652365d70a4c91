"""The chain figure's layout: heat maps at their true proportions, each with its colour bar, the
values written in the cells when the cells are large enough to hold them.

Every cell is a square of the same size; the panels flow left to right and wrap onto further
lines when the chain is wider than the page. Each panel has its own symmetric diverging scale,
centred at 0 (white), from −max|entry| to +max|entry|, shown by a colour bar under it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

PAGE, GAP, MIN_SLOT = 15.0, 0.5, 0.9  # inches: the page width, between panels, a panel's least
MAX_UNIT, MIN_UNIT = 0.42, 0.1  # inches: the largest cell, and the least before lines wrap
VALUE_CELL = 0.3  # inches: cells at least this wide have their values written in them
TITLE_H, LABEL_H, BAR_H, HEAD = 0.35, 0.55, 0.45, 0.55  # inches of each line and the title
BAR_W = 1.0  # inches: a colour bar's width, the same under every panel
DPI = 150


def number(v: float) -> str:
    """A value for a cell or a colour bar: two significant digits, a true minus sign.

    >>> number(-0.1234), number(2.5e-05), number(0.0)
    ('−0.12', '2.5e−5', '0')
    """
    text = f"{v:.2g}".replace("e-0", "e-").replace("e+0", "e+")
    return text.replace("-", "−")


def _unit(widths: Sequence[int]) -> float:
    """The side of a cell: the whole chain on one line if the cells stay ≥ MIN_UNIT, else as
    large as the widest panel allows on a line of its own."""
    one_line = (PAGE - GAP * (len(widths) + 1)) / sum(widths)
    return min(MAX_UNIT, one_line if one_line >= MIN_UNIT else (PAGE - GAP) / max(widths))


def _lines(slots: Sequence[float]) -> list[list[int]]:
    lines: list[list[int]] = [[]]
    used = 0.0
    for i, w in enumerate(slots):
        if lines[-1] and used + w + GAP > PAGE:
            lines.append([])
            used = 0.0
        lines[-1].append(i)
        used += w + GAP
    return lines


def draw(
    figure: Any,
    panels: Sequence[tuple[np.ndarray, str, str]],
    ops: Sequence[str],
    title: str,
) -> Any:
    """Draw ``panels`` (matrix, title, label under it) with ``ops[i]`` after panel i, on a
    figure made by ``figure(figsize=…, dpi=…)``; return it."""
    from matplotlib.colors import CenteredNorm

    unit = _unit([M.shape[1] for M, _, _ in panels])
    values = unit >= VALUE_CELL
    slots = [max(M.shape[1] * unit, MIN_SLOT) for M, _, _ in panels]
    lines = _lines(slots)
    heights = [max(panels[i][0].shape[0] for i in line) * unit for line in lines]
    fig_w = max(sum(slots[i] + GAP for i in line) for line in lines) + GAP
    fig_h = HEAD + sum(h + TITLE_H + LABEL_H + BAR_H for h in heights)
    fig = figure(figsize=(fig_w, fig_h), dpi=DPI)
    y_top = fig_h - HEAD
    for line, line_h in zip(lines, heights, strict=True):
        mid = y_top - TITLE_H - line_h / 2
        x = GAP
        for i in line:
            M, name, label = panels[i]
            h, w = M.shape
            x0 = x + (slots[i] - w * unit) / 2
            ax = fig.add_axes(
                (x0 / fig_w, (mid - h * unit / 2) / fig_h, w * unit / fig_w, h * unit / fig_h)
            )
            vmax = float(np.max(np.abs(M))) or 1.0
            image = ax.imshow(
                M,
                cmap="RdBu_r",
                norm=CenteredNorm(0.0, vmax),
                interpolation="nearest",
                aspect="equal",
            )
            _frame(ax, h, w, unit)
            if values:
                _values(ax, M, vmax, unit)
            ax.set_title(name, fontsize=11, pad=4)
            ax.set_xlabel(label, fontsize=9, labelpad=4)
            _colour_bar(fig, image, vmax, x + slots[i] / 2, mid - h * unit / 2, fig_w, fig_h)
            if ops[i]:
                fig.text((x + slots[i] + GAP / 2) / fig_w, mid / fig_h, ops[i],
                         ha="center", va="center", fontsize=18)  # fmt: skip
            x += slots[i] + GAP
        y_top -= line_h + TITLE_H + LABEL_H + BAR_H
    fig.suptitle(title, fontsize=10, y=1 - 0.2 / fig_h, va="top")
    return fig


def _frame(ax: Any, h: int, w: int, unit: float) -> None:
    """Cell borders while the cells are big enough to see them; no ticks."""
    if unit >= 0.08:
        ax.set_xticks(np.arange(-0.5, w, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, h, 1), minor=True)
        ax.grid(which="minor", color="0.85", linewidth=0.4)
        ax.tick_params(which="minor", length=0)
    ax.set_xticks([])
    ax.set_yticks([])


def _values(ax: Any, M: np.ndarray, vmax: float, unit: float) -> None:
    """Each nonzero entry written in its cell (zeros stay blank: white is zero), in white on the
    darker colours, in the largest size (up to 8 pt) at which the panel's longest one fits."""
    texts = {(r, c): number(v) for (r, c), v in np.ndenumerate(M) if v != 0}
    if not texts:
        return
    longest = max(len(t) for t in texts.values())
    size = min(8.0, 0.9 * unit * 72 / (0.62 * longest))  # a digit is about 0.62 em wide
    for (r, c), text in texts.items():
        colour = "white" if abs(M[r, c]) > 0.6 * vmax else "0.1"
        ax.text(c, r, text, ha="center", va="center", fontsize=size, color=colour)


def _colour_bar(
    fig: Any, image: Any, vmax: float, centre: float, bottom: float, fig_w: float, fig_h: float
) -> None:
    """A horizontal colour bar under the panel's label (the panel ends at ``bottom`` inches):
    −max|entry|, 0, +max|entry|."""
    y = bottom - LABEL_H - 0.14
    cax = fig.add_axes(((centre - BAR_W / 2) / fig_w, y / fig_h, BAR_W / fig_w, 0.1 / fig_h))
    bar = fig.colorbar(image, cax=cax, orientation="horizontal")
    bar.set_ticks([-vmax, 0.0, vmax])
    bar.set_ticklabels([number(-vmax), "0", number(vmax)])
    bar.ax.tick_params(labelsize=7, length=2, pad=1)
    bar.outline.set_linewidth(0.4)
