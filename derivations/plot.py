"""Pictures: the chain of Jacobians as heat maps at their true proportions, and the sine demo.

Each function returns a matplotlib :class:`~matplotlib.figure.Figure`; saving it is the
caller's choice (:func:`save` writes PNG, PDF or SVG by the file's extension, or call
``fig.savefig``), and in a notebook it displays itself. The figures are made without pyplot, so
nothing is left open and no backend is chosen for you.

matplotlib is an optional extra (``pip install 'jacobians[plot]'``); without it these functions
raise :class:`MatplotlibMissingError`, whose message says how to install it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from net import parse_param
from reshape import InputError, InputTypeError, as_size, check_bytes, describe

from ._model import Derivation, shape_text

__all__ = [
    "FORMATS",
    "INSTALL",
    "MAX_CELLS",
    "MatplotlibMissingError",
    "chain_cells",
    "chain_figure",
    "check_chain_size",
    "check_path",
    "require_matplotlib",
    "save",
    "sine_figure",
]

FORMATS = (".png", ".pdf", ".svg")
MAX_CELLS = 40_000  # entries a chain figure draws at most: beyond, the cells are too small to see
INSTALL = "pip install 'jacobians[plot]'  (or: pip install matplotlib)"


class MatplotlibMissingError(OSError):
    """matplotlib is not installed: the message says how to install it."""


@cache
def _figure_class() -> Any:
    """matplotlib's Figure, with a PNG for notebooks: a figure made without pyplot is shown as
    the value of a cell whatever backend is active."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise MatplotlibMissingError(
            f"pictures need matplotlib, which is not installed: {INSTALL}"
        ) from None

    class Picture(Figure):  # type: ignore[misc]
        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png")
            return buffer.getvalue()

    return Picture


def require_matplotlib() -> None:
    """Raise :class:`MatplotlibMissingError`, which says how to install it, if matplotlib cannot
    be imported; before any work that ends in a picture."""
    _figure_class()


def check_path(path: str | os.PathLike[str], op: str = "save", arg: str = "path") -> str:
    """The file name as text if its extension is a picture format (.png, .pdf, .svg); else an
    InputError naming ``op`` and ``arg``, before any drawing.

    >>> check_path("chain.pdf")
    'chain.pdf'
    """
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        raise InputError(
            op, arg, "a file name ending in .png, .pdf or .svg (the format)", repr(path)
        )
    return path


def save(fig: Any, path: str | os.PathLike[str]) -> str:
    """Write ``fig`` to ``path`` in the format its extension names (.png, .pdf or .svg).

    Returns:
        The path written.
    """
    path = check_path(path)
    fig.savefig(path, format=os.path.splitext(path)[1].lower()[1:])
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


def chain_figure(d: Derivation, *, max_cells: int = MAX_CELLS) -> Any:
    """Each factor of ``d`` as a heat map at its true proportions, its shape under it, followed
    by the product row and the gradient it folds back into.

    Every panel has its own colour bar on a symmetric diverging scale centred at 0 (white), so
    the block structure of I_n ⊗ xᵀ and the diagonal of ∇σ show at a glance. When the cells are
    at least 0.3 inch wide (the whole chain fits on one line at that size, as the single layer's
    does up to n = 3, m = 5), each nonzero entry is written in its cell; zeros stay blank.

    Args:
        d: the derivation (any source).
        max_cells: the largest total number of entries drawn (the factors are made dense).

    Returns:
        The matplotlib Figure (save it with :func:`save` or ``fig.savefig``).

    Raises:
        InputError: the chain has more than ``max_cells`` entries (counted before any factor is
            made dense or anything is drawn; :func:`check_chain_size` says so before the
            derivation is even built).
        DenseLimitError: its dense matrices would pass the session's limit on memory.
        MatplotlibMissingError: matplotlib is not installed.

    Shapes: one panel per factor, r×c cells each; then 1×N and the gradient.
    """
    from ._plot_chain import draw

    if not isinstance(d, Derivation):  # an expression's, a recurrence's or the catalogue's table
        raise InputTypeError(
            "chain_figure",
            "d",
            "a chain's derivation (single_layer, softmax_cross_entropy, mlp or network)",
            describe(d),
            "an expression's table has no chain of factors to draw; plot rnn draws a recurrence's",
        )
    max_cells = as_size(max_cells, "plot", "max_cells")
    N = int(np.size(d.gradient))
    shapes = [(int(F.jacobian.shape[0]), int(F.jacobian.shape[1])) for F in d.factors]
    shapes += [(1, N), (1, N)]  # the row and the gradient
    _refuse_large("plot", shapes, max_cells, ("d", f"the derivation {d.title!r}"))
    figure = _figure_class()
    panels: list[tuple[np.ndarray, str, str]] = [
        (F.jacobian.matrix, F.symbol, f"{shape_text(F.instance)}\n{F.shape}") for F in d.factors
    ]
    row_shape, row_inst = d.row_shape
    panels.append(
        (d.gradient.reshape(1, -1), f"∂C/∂{d.wrt}", f"{shape_text(row_inst)}\n{row_shape}")
    )
    grad = np.atleast_2d(d.gradient)
    panels.append((grad, "gradient", f"{shape_text(d.gradient.shape)}\n{d.param_shape}"))
    ops = ["·"] * (len(d.factors) - 1) + ["=", "→", ""]
    return draw(figure, panels, ops, d.title)


def sine_figure(
    samples: tuple[np.ndarray, np.ndarray],
    curve: tuple[np.ndarray, np.ndarray],
    history: Sequence[float],
    title: str = "",
) -> Any:
    """The sine demo: sin(x), the training samples and the network's curve on the left, the loss
    curve (log scale) on the right.

    Args:
        samples: the training inputs and targets, each (d,).
        curve: a fine grid x and the network's output on it, each (k,).
        history: the cost after each epoch (epochs + 1 values).
        title: the figure's title.

    Returns:
        The matplotlib Figure (save it with :func:`save` or ``fig.savefig``).

    Shapes: samples (d,), (d,); curve (k,), (k,); history (epochs + 1,).
    """
    fig = _figure_class()(figsize=(10, 3.8), dpi=120, layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
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
    return fig
