"""The Hadamard shortcut: classic backprop, written separately from the full-Jacobian chain.

It never builds or multiplies a Jacobian: each layer's backward step is the activation's backward
map from the registry (g ⊙ σ′(z), or a ⊙ (g − aᵀg) for softmax) and the weight gradient an outer
product δ y⁽ᵏ⁻¹⁾ᵀ. It is the referee the explicit chain is compared with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._checks import layer_gradients
from ._dense import dense_shortcut_step
from ._forward import loss_and_gradient, run

__all__ = ["Backprop", "backprop"]


@dataclass(frozen=True)
class Backprop:
    """What the Hadamard-shortcut backward pass computes, layer by layer (keys are layers k).

    Attributes:
        cost: C, the mean loss over the samples.
        z, y: z⁽ᵏ⁾ (k = 1…L) and y⁽ᵏ⁾ (k = 0…L, y⁽⁰⁾ = X), each (n_k, d).
        dC_dy: ∂C/∂y⁽ᵏ⁾ (k = 1…L), shaped like y⁽ᵏ⁾: the transpose of the numerator-layout row.
        dC_dz: δ⁽ᵏ⁾ = ∂C/∂z⁽ᵏ⁾ (k = 1…L), shaped like z⁽ᵏ⁾.
        gradients: ∂C/∂W⁽ᵏ⁾ = δ⁽ᵏ⁾ y⁽ᵏ⁻¹⁾ᵀ and ∂C/∂b⁽ᵏ⁾ = δ⁽ᵏ⁾ 1, keyed W1, b1, …
    """

    cost: float
    z: dict[int, np.ndarray]
    y: dict[int, np.ndarray]
    dC_dy: dict[int, np.ndarray]  # noqa: N815 - the notation's name, ∂C/∂y
    dC_dz: dict[int, np.ndarray]  # noqa: N815
    gradients: dict[str, np.ndarray]


@np.errstate(all="ignore")  # an overflow is refused by name (layer_gradients), not warned of
def backprop(net: Any, X2: np.ndarray, T2: np.ndarray, op: str = "MLP.backprop") -> Backprop:
    """The backward pass with Hadamard products, from the forward pass and the loss's value and
    gradient, refused as every method refuses a point where they leave floating-point range."""
    L, d, P = net.depth, X2.shape[1], net._params
    fwd = run(net.activations, P, X2, op=op)
    z, y = fwd.z, fwd.y
    value, g = loss_and_gradient(net, fwd, T2, op)
    g = g / d
    dC_dy, dC_dz, grads = {L: g}, {}, {}
    for k in range(L, 0, -1):
        W, name = P[f"W{k}"], net.activations[k - 1]
        delta, dW, db, g = dense_shortcut_step(W, y[k - 1], z[k], y[k], name, g, k > 1)
        dC_dz[k], grads[f"W{k}"], grads[f"b{k}"] = delta, dW, db
        layer_gradients(op, k, delta, y[k - 1], fwd.peak.get(k - 1), grads)
        if k > 1:
            dC_dy[k - 1] = g
    cost = float(value / d)
    order = {name: grads[name] for name in P}
    return Backprop(cost, z, y, dC_dy, dC_dz, order)
