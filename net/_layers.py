"""The network's own activation and loss rules, written independently of the Jacobian registry.

These tables are what the Hadamard shortcut (classic backprop) and the forward pass use. They
are deliberately *not* read from ``jacobians.OPERATIONS``: the shortcut is the referee of the
full-Jacobian chain, so a slip in a registry rule shows up as a disagreement instead of being
copied. Every formula is analytic where the mathematics is (no abs, no conj; branches test the
real part only), so the numeric gradient can use complex-step differentiation through the forward
pass.

Batches are (n, d) arrays whose d columns are samples; softmax works per column.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from jacobians import ACTIVATIONS

LEAKY_ALPHA = float(ACTIVATIONS["leaky_relu"].options["alpha"])


# ----- activations: a = σ(z), and the backward map g ↦ g·∂a/∂z (a row times ∇σ) -----


def _exp_neg_abs(z: np.ndarray) -> np.ndarray:
    return np.exp(np.where(np.real(z) >= 0, -z, z))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """1/(1 + e^(−z)): in one pass where e^(−z) cannot overflow (real z above 1 − log of the
    largest float), else split by sign so that exp only ever sees Re ≤ 0."""
    if z.dtype.kind == "f" and z.min() > 1 - math.log(np.finfo(z.dtype).max):
        return 1 / (1 + np.exp(-z))
    e = _exp_neg_abs(z)
    return np.where(np.real(z) >= 0, 1 / (1 + e), e / (1 + e))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - np.max(np.real(z), axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - np.max(np.real(z), axis=0, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))


@dataclass(frozen=True)
class Activation:
    """σ and its backward map: ``back(z, a, g)`` is g ⊙ σ′(z) (per column for softmax)."""

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    back: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    analytic: bool = True


def _elementwise(name: str, fn: Callable, deriv: Callable, analytic: bool = True) -> Activation:
    return Activation(name, fn, lambda z, a, g: g * deriv(z, a), analytic)


ACTIVATION_RULES: dict[str, Activation] = {
    a.name: a
    for a in (
        _elementwise("identity", lambda z: z, lambda z, a: 1.0),
        _elementwise("sigmoid", _sigmoid, lambda z, a: a * (1 - a)),
        _elementwise("tanh", np.tanh, lambda z, a: 1 - a * a),
        _elementwise(
            "relu",
            lambda z: np.where(np.real(z) > 0, z, 0),
            lambda z, a: (np.real(z) > 0).astype(np.float64),
            analytic=False,
        ),
        _elementwise(
            "leaky_relu",
            lambda z: np.where(np.real(z) > 0, z, LEAKY_ALPHA * z),
            lambda z, a: np.where(np.real(z) > 0, 1.0, LEAKY_ALPHA),
            analytic=False,
        ),
        _elementwise(
            "softplus",
            lambda z: np.where(np.real(z) > 0, z, 0) + np.log1p(_exp_neg_abs(z)),
            lambda z, a: _sigmoid(z),
        ),
        # softmax: ∂a/∂z = diag(a) − a aᵀ per column, so g·∂a/∂z = a ⊙ (g − aᵀg).
        Activation(
            "softmax",
            _softmax,
            lambda z, a, g: a * (g - np.sum(a * g, axis=0, keepdims=True)),
        ),
    )
}


# ----- losses: ℓ(y, t) summed over samples, and ∂ℓ/∂y written out by hand -----


def _xlogy(t: np.ndarray, a: np.ndarray) -> np.ndarray:
    """t · log a, exactly 0 where t = 0."""
    nz = t != 0
    return np.where(nz, t * np.log(np.where(nz, a, 1)), 0)


@dataclass(frozen=True)
class Loss:
    """A loss ℓ(y, t) summed over every sample, its derivative ∂ℓ/∂y (shaped like y), and rules.

    Attributes:
        name: the loss name, also the name of the ``jacobians`` cost operation the chain uses.
        value: ℓ(Y, T) for a batch (n, d), summed over samples.
        grad: ∂ℓ/∂Y, shaped like Y.
        needs_last: the activation the last layer must have (None: any allowed but ``refuses``).
        refuses: last activations that make no sense with this loss.
        probabilities: targets must be probability vectors (entries in [0, 1], columns sum to 1).
        doc: one line on what the network's output means under this loss.
    """

    name: str
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]
    needs_last: str | None
    refuses: tuple[str, ...]
    probabilities: bool
    doc: str


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "squared_error",
            lambda y, t: 0.5 * np.sum((y - t) * (y - t)),
            lambda y, t: y - t,
            None,
            (),
            False,
            "ℓ = ½‖y⁽ᴸ⁾ − t‖²: the output is the prediction; any last activation.",
        ),
        Loss(
            "softmax_cross_entropy",
            lambda y, t: -np.sum(t * _log_softmax(y)),
            lambda y, t: _softmax(y) - t,
            None,
            ("softmax",),
            True,
            "ℓ = −Σ t log softmax(y⁽ᴸ⁾): the output is the logits; the loss applies softmax, so the"
            " last activation is usually identity (softmax there would apply it twice).",
        ),
        Loss(
            "cross_entropy",
            lambda y, t: -np.sum(_xlogy(t, y)),
            lambda y, t: -np.where(t != 0, t / np.where(t != 0, y, 1), 0),
            "softmax",
            (),
            True,
            "ℓ = −Σ t log y⁽ᴸ⁾: the output is a probability vector, so softmax must be last.",
        ),
    )
}
