"""What the recurrence table holds: ∂h_T/∂h_t for t = T … 1, with its norms (:func:`derivations.rnn`
builds it; ``_rnn_render`` registers its renderers, as the other tables' are registered)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from jacobians import Jacobian

from . import _rows as rows
from ._model import Check, _Rendered

__all__ = ["PRODUCT_HEADERS", "Product", "RnnTable", "product_rows"]

PRODUCT_HEADERS = [
    "t",
    "T − t",
    "∂h_T/∂h_t",
    "‖·‖_F",
    "σ_max",
    "structure",
]


@dataclass(frozen=True)
class Product:
    """∂h_T/∂h_t = ∂h_T/∂h_{T−1} ⋯ ∂h_{t+1}/∂h_t (the identity at t = T), its Frobenius norm
    and its largest singular value."""

    t: int
    steps: int  # T − t, the number of factors
    symbol: str
    factors: str  # the product written out, as text
    factors_latex: str
    frobenius: float
    sigma_max: float
    structure: str
    jacobian: Jacobian = field(repr=False, compare=False)


@dataclass(frozen=True)
class RnnTable(_Rendered):
    """The gradient's path back through time in a recurrent network h_t = tanh(W h_{t−1} + U x_t
    + b): for each t, ∂h_T/∂h_t, a product of T − t step Jacobians diag(1 − h_τ²) W, and how its
    norm shrinks (vanishing gradients) or grows (exploding) with T − t.

    Render it with :meth:`render` (``"text"``, ``"markdown"``, ``"latex"``, ``"json"``).

    Shapes: each ∂h_T/∂h_t is n×n.
    """

    title: str
    title_latex: str
    steps: int
    n: int
    m: int
    seed: int
    scale: float
    setup: tuple[tuple[str, str], ...]  # (text, latex): the recurrence and the draws
    closed_form: str  # the product's closed form, shown once
    closed_form_latex: str
    factor_form: str  # one factor, ∂h_τ/∂h_{τ−1}, from the registry's rule
    factor_form_latex: str
    products: tuple[Product, ...]
    states: np.ndarray = field(repr=False, compare=False)  # h_0 … h_T, (T + 1, n)
    checks: tuple[Check, ...] = ()
    notes: tuple[str, ...] = ()
    notes_latex: tuple[str, ...] = ()  # the notes as LaTeX text (math in $…$)

    def __repr__(self) -> str:
        """<RnnTable T = 10, n = 4, scale = 1: ‖∂h_T/∂h_1‖_F = 0.031; checks passed>."""
        last = self.products[-1]
        status = "checks passed" if self.passed else "a check FAILED"
        return (
            f"<RnnTable T = {self.steps}, n = {self.n}, m = {self.m}, scale = {self.scale:g}: "
            f"‖∂h_T/∂h_{last.t}‖_F = {last.frobenius:.3g}; {status}>"
        )

    @property
    def passed(self) -> bool:
        """True when every check meets its tolerance."""
        return all(c.passed for c in self.checks)

    @property
    def norms(self) -> np.ndarray:
        """The Frobenius norms, in the order of the rows (t = T … 1)."""
        return np.array([p.frobenius for p in self.products])

    @property
    def sigmas(self) -> np.ndarray:
        """The largest singular values, in the order of the rows (t = T … 1)."""
        return np.array([p.sigma_max for p in self.products])


def product_rows(t: RnnTable, esc: Callable[[str], str]) -> list[list[str]]:
    """Each product: t, T − t, the factors, the two norms, the structure."""
    return [
        [
            str(p.t),
            str(p.steps),
            esc(p.factors),
            rows._num(p.frobenius),
            rows._num(p.sigma_max),
            p.structure,
        ]
        for p in t.products
    ]
