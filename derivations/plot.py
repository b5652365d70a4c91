"""Pictures: the chain of Jacobians as heat maps at their true proportions, and the sine demo.

matplotlib is an optional extra (``pip install 'jacobians[plot]'``); without it these functions
raise :class:`MatplotlibMissingError`, whose message says how to install it. The Agg backend is
used, so no display is needed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from net import parse_param
from reshape import InputError, as_size, check_bytes

from ._model import Derivation, shape_text

__all__ = [
    "FORMATS",
    "MAX_CELLS",
    "MatplotlibMissingError",
    "chain_cells",
    "chain_figure",
    "check_chain_size",
    "sine_figure",
]

FORMATS = (".png", ".svg")
MAX_CELLS = 40_000  # entries a chain figure draws at most: beyond, the cells are too small to see
INSTALL = "pip install 'jacobians[plot]'  (or: pip install matplotlib)"


class MatplotlibMissingError(OSError):
    """matplotlib is not installed: the message says how to install it."""


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise MatplotlibMissingError(
            f"pictures need matplotlib, which is not installed: {INSTALL}"
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _check_path(path: str | os.PathLike[str]) -> str:
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        raise ValueError(
            f"cannot save a picture as {path!r}: give a file name ending in .png or .svg"
        )
    return path


def _panel_shapes(
    source: str, n: int | None, m: int | None, sizes: Any, wrt: str | None
) -> list[tuple[int, int]] | None:
    """The (rows, columns) of each panel a chain figure draws, from the sizes alone: the factors,
    the 1×N row and the gradient (N entries). None when the options are not a derivation's (the
    derivation will say what is wrong)."""
    try:
        if source in ("layer", "softmax"):
            n = as_size((3 if source == "layer" else 4) if n is None else n, "plot", "n")
            m = as_size((4 if source == "layer" else 3) if m is None else m, "plot", "m")
            N = {"W": n * m, "b": n, "x": m}.get(wrt or "W")
            if N is None:
                return None
            return [(1, n), (n, n), (n, N), (1, N), (1, N)]
        if source == "mlp":
            ls = [as_size(s, "plot", "sizes") for s in (sizes or (2, 3, 3, 1))]
            kind_k = parse_param(wrt or "W1")
            if len(ls) < 2 or kind_k is None or not 1 <= kind_k[1] < len(ls):
                return None
            kind, k = kind_k
            shapes = [(1, ls[-1])]
            for j in range(len(ls) - 1, k - 1, -1):  # ∇σ_j, then W⁽ʲ⁾ above layer k
                shapes.append((ls[j], ls[j]))
                if j > k:
                    shapes.append((ls[j], ls[j - 1]))
            N = ls[k] * ls[k - 1] if kind == "W" else ls[k]
            return [*shapes, (ls[k], N), (1, N), (1, N)]
    except (InputError, TypeError):
        return None
    return None


def chain_cells(
    source: str = "layer",
    *,
    n: int | None = None,
    m: int | None = None,
    sizes: Sequence[int] | None = None,
    wrt: str | None = None,
) -> int | None:
    """The entries :func:`chain_figure` would draw for a derivation of ``source`` (``"layer"``,
    ``"softmax"`` or ``"mlp"``) with these options (None: the defaults of ``jacobians plot``),
    counted from the sizes alone, before any work; None if the options are not a derivation's.

    >>> chain_cells("layer", n=3, m=4)  # 1×3, 3×3, 3×12, the 1×12 row and the 3×4 gradient
    72
    """
    shapes = _panel_shapes(source, n, m, sizes, wrt)
    return None if shapes is None else sum(r * c for r, c in shapes)


def check_chain_size(
    source: str = "layer",
    *,
    n: int | None = None,
    m: int | None = None,
    sizes: Sequence[int] | None = None,
    wrt: str | None = None,
    max_cells: int = MAX_CELLS,
) -> None:
    """Refuse, before the derivation is built, a chain too large to draw (``max_cells``
    entries) or to make dense (the session's limit on memory); options that are not a
    derivation's pass, for the derivation to refuse by name.

    >>> check_chain_size("layer", n=100, m=100)
    Traceback (most recent call last):
    ...
    reshape._errors.InputError: plot: bad argument 'n, m'.
     Expected a chain of at most 40000 entries to draw.
     Received n = 100, m = 100: 1030100 entries (the largest factor is 100×10000).
     Hint: choose smaller sizes
    """
    max_cells = as_size(max_cells, "plot", "max_cells")
    shapes = _panel_shapes(source, n, m, sizes, wrt)
    if shapes is not None:
        _refuse_large("plot", shapes, max_cells, _options_text(source, n, m, sizes))


def _options_text(source: str, n: Any, m: Any, sizes: Any) -> tuple[str, str]:
    if source == "mlp":
        return "sizes", f"sizes = {list(sizes or (2, 3, 3, 1))}"
    defaults = (3, 4) if source == "layer" else (4, 3)
    n, m = (defaults[0] if n is None else n), (defaults[1] if m is None else m)
    return "n, m", f"n = {n}, m = {m}"


def _refuse_large(
    op: str, shapes: Sequence[tuple[int, int]], max_cells: int, options: tuple[str, str]
) -> None:
    cells = sum(r * c for r, c in shapes)
    big = max(shapes[:-2], key=lambda s: s[0] * s[1])
    what = f"{cells} entries (the largest factor is {big[0]}×{big[1]})"
    if cells > max_cells:  # first: a larger limit on memory would not make it drawable
        raise InputError(
            op,
            options[0],
            f"a chain of at most {max_cells} entries to draw",
            f"{options[1]}: {what}",
            "choose smaller sizes",
        )
    check_bytes(op, f"the chain's dense matrices, {what},", 8 * cells, "choose smaller sizes")


def chain_figure(d: Derivation, path: str | os.PathLike[str], max_cells: int = MAX_CELLS) -> str:
    """Draw each factor of ``d`` as a heat map at its true proportions, its shape under it,
    followed by the product row and the gradient it folds back into; save as PNG or SVG.

    Zeros are white and the colour scale is symmetric, so the block structure of I_n ⊗ xᵀ and the
    diagonal of ∇σ show at a glance. Each factor has its own scale (its largest |entry|).

    Args:
        d: the derivation (any source).
        path: a file name ending in ``.png`` or ``.svg``.
        max_cells: the largest total number of entries drawn (the factors are made dense).

    Returns:
        The path written.

    Raises:
        InputError: the chain has more than ``max_cells`` entries (counted before any factor is
            made dense; :func:`check_chain_size` says so before the derivation is even built).
        DenseLimitError: its dense matrices would pass the session's limit on memory.

    Shapes: one panel per factor, r×c cells each; then 1×N and the gradient.
    """
    path = _check_path(path)
    max_cells = as_size(max_cells, "plot", "max_cells")
    N = int(np.size(d.gradient))
    shapes = [(int(F.jacobian.shape[0]), int(F.jacobian.shape[1])) for F in d.factors]
    shapes += [(1, N), (1, N)]  # the row and the gradient
    _refuse_large("plot", shapes, max_cells, ("d", f"the derivation {d.title!r}"))
    panels: list[tuple[np.ndarray, str, str]] = [
        (F.jacobian.matrix, F.symbol, f"{shape_text(F.instance)}\n{F.shape}") for F in d.factors
    ]
    row_shape, row_inst = d.row_shape
    grad = np.atleast_2d(d.gradient)
    panels.append(
        (d.gradient.reshape(1, -1), f"∂C/∂{d.wrt}", f"{shape_text(row_inst)}\n{row_shape}")
    )
    panels.append((grad, "gradient", f"{shape_text(d.gradient.shape)}\n{d.param_shape}"))
    plt = _pyplot()
    from matplotlib.colors import TwoSlopeNorm

    # Every cell is a square of the same size (true proportions); panels flow left to right and
    # wrap onto further lines when the chain is wider than the page.
    page, gap, min_slot = 15.0, 0.5, 0.9  # inches
    widest = max(M.shape[1] for M, _, _ in panels)
    one_line = (page - gap * (len(panels) + 1)) / sum(M.shape[1] for M, _, _ in panels)
    unit = min(0.42, one_line if one_line >= 0.1 else (page - gap) / widest)
    slots = [max(M.shape[1] * unit, min_slot) for M, _, _ in panels]
    lines: list[list[int]] = [[]]
    used = 0.0
    for i, w in enumerate(slots):
        if lines[-1] and used + w + gap > page:
            lines.append([])
            used = 0.0
        lines[-1].append(i)
        used += w + gap
    title_h, label_h, head = 0.35, 0.55, 0.55
    heights = [max(panels[i][0].shape[0] for i in line) * unit for line in lines]
    fig_w = max(sum(slots[i] + gap for i in line) for line in lines) + gap
    fig_h = head + sum(h + title_h + label_h for h in heights)
    fig = plt.figure(figsize=(fig_w, fig_h))
    ops = ["·"] * (len(d.factors) - 1) + ["=", "→", ""]
    y_top = fig_h - head
    for line, line_h in zip(lines, heights, strict=True):
        mid = y_top - title_h - line_h / 2
        x = gap
        for i in line:
            M, title, label = panels[i]
            h, w = M.shape
            x0 = x + (slots[i] - w * unit) / 2
            ax = fig.add_axes(
                ((x0) / fig_w, (mid - h * unit / 2) / fig_h, w * unit / fig_w, h * unit / fig_h)
            )
            vmax = float(np.max(np.abs(M))) or 1.0
            ax.imshow(
                M,
                cmap="RdBu_r",
                norm=TwoSlopeNorm(0.0, -vmax, vmax),
                interpolation="nearest",
                aspect="equal",
            )
            if unit >= 0.08:  # cell borders while cells are big enough to see
                ax.set_xticks(np.arange(-0.5, w, 1), minor=True)
                ax.set_yticks(np.arange(-0.5, h, 1), minor=True)
                ax.grid(which="minor", color="0.85", linewidth=0.4)
                ax.tick_params(which="minor", length=0)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(title, fontsize=11, pad=4)
            ax.set_xlabel(label, fontsize=9, labelpad=4)
            if ops[i]:
                fig.text(
                    (x + slots[i] + gap / 2) / fig_w,
                    mid / fig_h,
                    ops[i],
                    ha="center",
                    va="center",
                    fontsize=18,
                )
            x += slots[i] + gap
        y_top -= line_h + title_h + label_h
    fig.suptitle(d.title, fontsize=10, y=1 - 0.2 / fig_h, va="top")
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def sine_figure(
    samples: tuple[np.ndarray, np.ndarray],
    curve: tuple[np.ndarray, np.ndarray],
    history: Sequence[float],
    path: str | os.PathLike[str],
    title: str = "",
) -> str:
    """The sine demo: sin(x), the training samples and the network's curve on the left, the loss
    curve (log scale) on the right; saved as PNG or SVG.

    Args:
        samples: the training inputs and targets, each (d,).
        curve: a fine grid x and the network's output on it, each (k,).
        history: the cost after each epoch (epochs + 1 values).
        path: a file name ending in ``.png`` or ``.svg``.
        title: the figure's title.

    Shapes: samples (d,), (d,); curve (k,), (k,); history (epochs + 1,).
    """
    path = _check_path(path)
    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    xs, ys = (np.asarray(a, dtype=float).reshape(-1) for a in curve)
    x, t = (np.asarray(a, dtype=float).reshape(-1) for a in samples)
    ax1.plot(xs, np.sin(xs), color="0.35", linewidth=2, label="sin(x)")
    ax1.plot(xs, ys, color="tab:red", linewidth=1.5, label="network")
    ax1.plot(x, t, "o", color="0.2", markersize=3, label="training samples")
    ax1.set_xlabel("x")
    ax1.set_ylabel("y")
    ax1.legend(frameon=False, fontsize=9)
    ax1.set_title("fit")
    h = np.asarray(history, dtype=float)
    ax2.semilogy(np.arange(len(h)), h, color="tab:blue")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("cost C")
    ax2.set_title(f"loss: {h[0]:.3g} → {h[-1]:.3g}")
    ax2.grid(True, which="both", color="0.9")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
