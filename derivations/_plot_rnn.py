"""The recurrence table as a picture: ‖∂h_T/∂h_t‖_F and σ_max against T − t, on a log scale, so
vanishing and exploding gradients are seen as straight lines falling or rising."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._rnn_model import RnnTable
from .plot import _figure_class

__all__ = ["rnn_figure"]


def rnn_figure(t: RnnTable) -> Any:
    """A semilog plot of the Frobenius norm and the largest singular value of ∂h_T/∂h_t against
    T − t, with the bound scale^(T−t) dashed.

    Returns:
        The matplotlib Figure (save it with :func:`derivations.plot.save`).

    Raises:
        MatplotlibMissingError: matplotlib is not installed.
    """
    fig = _figure_class()(figsize=(6.4, 4.0), dpi=120, layout="constrained")
    ax = fig.subplots()
    k = np.array([p.steps for p in t.products])
    tiny = np.finfo(float).tiny  # an exact 0 (a saturated state) still has a place on the axis
    # σ_max under the norm, small and filled; the norm on top, hollow: where the product has
    # become close to rank one (a few steps back) the two coincide and both stay visible
    ax.semilogy(k, np.maximum(t.sigmas, tiny), "s-", color="tab:red", markersize=4,
                label="σ_max(∂h_T/∂h_t)")  # fmt: skip
    ax.semilogy(k, np.maximum(t.norms, tiny), "o--", color="tab:blue", markerfacecolor="none",
                markersize=7, label="‖∂h_T/∂h_t‖_F")  # fmt: skip
    ax.semilogy(
        k, t.scale ** k.astype(float), "--", color="0.5", label=f"scale^(T−t) = {t.scale:g}^(T−t)"
    )
    ax.set_xlabel("T − t (steps back through time)")
    ax.set_ylabel("norm")
    ax.grid(True, which="both", color="0.9")
    ax.legend(frameon=False, fontsize=9)
    ax.set_title(f"∂h_T/∂h_t, T = {t.steps}, n = {t.n}, scale = {t.scale:g}", fontsize=10)
    return fig
