"""Recurrence: one step of a simple (Elman) recurrent network, a = tanh(Wh + Ux + b).

Every Jacobian of the step is diag(1 − a²) times the Jacobian of the affine map inside the tanh,
∂(Wh + Ux + b)/∂(input), as for ``linear`` (row-major vec, samples as the columns of h and x):

=====  ============================  ==========================================================
wrt    closed form                   kept as (a batch of d samples; d = 1 for one)
=====  ============================  ==========================================================
W      diag(1 − a²)(I_n ⊗ hᵀ)        Product(Diagonal(vec(1 − A²)), Kronecker(I_n, Hᵀ))
U      diag(1 − a²)(I_n ⊗ xᵀ)        Product(Diagonal(vec(1 − A²)), Kronecker(I_n, Xᵀ))
b      diag(1 − a²)                  Diagonal for one sample; Product(Diagonal, I_n ⊗ 1_d)
h      diag(1 − a²) W                Product(Diagonal(vec(1 − A²)), Kronecker(W, I_d))
x      diag(1 − a²) U                Product(Diagonal(vec(1 − A²)), Kronecker(U, I_d))
=====  ============================  ==========================================================

Each is the product, kept unmultiplied (:class:`~jacobians.Product`): multiplied out, ∂a/∂W of a
batch is a dense nd×n² matrix (a diagonal times a Kronecker product has no structure of its
own), and ∂a/∂h the d blocks diag(sⱼ)W, n² numbers made at every step of a sequence. Kept, a row
through it is backprop's step: δ = g ⊙ (1 − a²), then δ through the affine map (δHᵀ, Wᵀδ).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from reshape import ShapeError

from ._checks import column, finite_product, finite_result, matrix, quiet, scalar_as
from ._elementwise import column_draw
from ._jacobian import Jacobian
from ._kronecker import Kronecker
from ._product import Product
from ._registry import Context, operation
from ._structures import Diagonal

__all__ = ["RnnStepContext", "rnn_step"]

_OP = "rnn_step"


@dataclass(slots=True)
class RnnStepContext(Context):
    """rnn_step's context: W (n, n), U (n, m), the samples H (n, d) and X (m, d), S = 1 − a²
    (n, d), and the sizes."""

    W: np.ndarray
    U: np.ndarray
    H: np.ndarray
    X: np.ndarray
    S: np.ndarray
    n: int
    m: int
    d: int


@quiet  # tanh saturates quietly; the sum inside it was checked finite before
def _context(
    W: np.ndarray, U: np.ndarray, b: np.ndarray, h: np.ndarray, x: np.ndarray
) -> RnnStepContext:
    """rnn_step's ``unchecked``: W (n, n), U (n, m), b (n,) or (n, 1), h (n,) or (n, d), x (m,)
    or (m, d), already checked; the value is shaped like h."""
    n, m = U.shape
    H, X = h.reshape(n, -1), x.reshape(m, -1)
    A = np.tanh(W @ H + U @ X + b.reshape(n, 1))
    return _make(A, W, U, b, h, x, H, X)


def _make(
    A: np.ndarray,
    W: np.ndarray,
    U: np.ndarray,
    b: np.ndarray,
    h: np.ndarray,
    x: np.ndarray,
    H: np.ndarray,
    X: np.ndarray,
) -> RnnStepContext:
    n, m = U.shape
    given = {"W": W, "U": U, "b": b, "h": h, "x": x}
    value = A.reshape(h.shape)
    return RnnStepContext(value, given, W, U, H, X, 1 - A * A, n, m, H.shape[1])


def _examples(r: np.random.Generator, n: int, m: int, d: int, batch: bool) -> dict[str, Any]:
    """A step as a network takes it: W, U scaled by 1/√fan-in, h a state in (−1, 1)."""
    return {
        "W": r.normal(size=(n, n)) / np.sqrt(n),
        "U": r.normal(size=(n, m)) / np.sqrt(m),
        "b": 0.5 * r.normal(size=n),
        "h": np.tanh(column_draw(r, n, d, batch)),
        "x": column_draw(r, m, d, batch),
    }


@operation(
    "recurrent",
    "a",
    "a = tanh(Wh + Ux + b)",
    r"a = \tanh(W h + U x + b)",
    {"W": "n×n", "U": "n×m", "b": "n", "h": "n", "x": "m"},
    "n",
    _examples,
    unchecked=_context,
)
def rnn_step(
    W: np.ndarray, U: np.ndarray, b: np.ndarray, h: np.ndarray, x: np.ndarray
) -> RnnStepContext:
    """One step of a recurrent network, a = tanh(Wh + Ux + b), with its Jacobians with respect
    to W, U, b, the state h and the input x.

    h and x are one sample each, (n,) and (m,) (or columns), or a batch whose d columns are the
    samples, (n, d) and (m, d); a has h's shape, and b is added to every column.

    Shapes: W (n, n), U (n, m), b (n,) | (n, 1), h (n,) | (n, d), x (m,) | (m, d) -> a like h;
    ∂a/∂h is n×n (nd×nd for a batch, block-diagonal), ∂a/∂W n×n², ∂a/∂U n×nm.

    >>> r = rnn_step(np.eye(2), np.ones((2, 3)), np.zeros(2), np.zeros(2), np.zeros(3))
    >>> r.value, r.jacobians["h"].kind, r.jacobians["W"].shape
    (array([0., 0.]), 'dense', (2, 4))
    """
    W, U = scalar_as(W, (1, 1)), scalar_as(U, (1, 1))
    b, h, x = scalar_as(b, (1,)), scalar_as(h, (1,)), scalar_as(x, (1,))
    W = matrix(_OP, "W", W, finite=False)
    if W.shape[0] != W.shape[1]:
        raise ShapeError(
            _OP, "W", "a square matrix (n, n): the state maps to itself", f"shape {W.shape}"
        )
    n = W.shape[0]
    U = matrix(_OP, "U", U, finite=False)
    if U.shape[0] != n:
        raise ShapeError(_OP, "U", f"n = {n} rows, as W (the state's size)", f"shape {U.shape}")
    m = U.shape[1]
    h = column(_OP, "h", h, n, f" with n = {n}, the size of W", finite=False)
    x = column(_OP, "x", x, m, f" with m = {m}, the number of columns of U", finite=False)
    b = column(_OP, "b", b, n, f" with n = {n}, the size of W")
    if b.ndim == 2 and b.shape[1] != 1:
        raise ShapeError(_OP, "b", f"shape ({n},) or ({n}, 1)", f"shape {b.shape}")
    d_h, d_x = h.reshape(n, -1).shape[1], x.reshape(m, -1).shape[1]
    if d_h != d_x:
        raise ShapeError(
            _OP,
            "x",
            f"as many samples (columns) as h, {d_h}",
            f"{d_x} in shape {x.shape}",
            "nothing is broadcast: give one input column per state column",
        )
    WH = finite_product(_OP, ("W", W), ("h", h))
    UX = finite_product(_OP, ("U", U), ("x", x))
    Z = _sum(WH, UX, b.reshape(n, 1))
    finite_result(_OP, "b", "sum Wh + Ux + b", Z, {"Wh": WH, "Ux": UX, "b": b})
    return _make(_tanh(Z), W, U, b, h, x, h.reshape(n, -1), x.reshape(m, -1))


@quiet  # the sum may overflow: refused by name after
def _sum(WH: np.ndarray, UX: np.ndarray, b: np.ndarray) -> np.ndarray:
    return WH + UX + b


@quiet
def _tanh(Z: np.ndarray) -> np.ndarray:
    return np.tanh(Z)


def _times_slope(c: RnnStepContext, inner: Jacobian) -> Jacobian:
    """diag(1 − a²) times ``inner``, the affine map's Jacobian, kept as that product: a row
    through it is backprop's δ = g ⊙ (1 − a²), then δ through the affine map."""
    return Product(Diagonal(c.S.reshape(-1)), inner)


@rnn_step.rule("W", "diag(1 − $a²)(I_$n ⊗ $hᵀ)", "n×n²")
def rnn_step_dW(c: RnnStepContext) -> Jacobian:
    """diag(1 − a²)(I_n ⊗ hᵀ); for a batch diag(vec(1 − A²))(I_n ⊗ Hᵀ)."""
    return _times_slope(c, Kronecker(c.n, c.H.T))


@rnn_step.rule("U", "diag(1 − $a²)(I_$n ⊗ $xᵀ)", "n×nm")
def rnn_step_dU(c: RnnStepContext) -> Jacobian:
    """diag(1 − a²)(I_n ⊗ xᵀ); for a batch diag(vec(1 − A²))(I_n ⊗ Xᵀ)."""
    return _times_slope(c, Kronecker(c.n, c.X.T))


@rnn_step.rule("b", "diag(1 − $a²)", "n×n")
def rnn_step_db(c: RnnStepContext) -> Jacobian:
    """diag(1 − a²); for a batch diag(vec(1 − A²))(I_n ⊗ 1_d) (b is added to every sample)."""
    if c.d == 1:
        return Diagonal(c.S[:, 0])
    ones = np.ones((c.d, 1), dtype=c.S.dtype)
    return _times_slope(c, Kronecker(c.n, ones))


@rnn_step.rule("h", "diag(1 − $a²) $W", "n×n")
def rnn_step_dh(c: RnnStepContext) -> Jacobian:
    """diag(1 − a²) W; for a batch diag(vec(1 − A²))(W ⊗ I_d), W applied to each sample."""
    return _times_slope(c, Kronecker(c.W, c.d))


@rnn_step.rule("x", "diag(1 − $a²) $U", "n×m")
def rnn_step_dx(c: RnnStepContext) -> Jacobian:
    """diag(1 − a²) U; for a batch diag(vec(1 − A²))(U ⊗ I_d)."""
    return _times_slope(c, Kronecker(c.U, c.d))
