"""The full-Jacobian gradient: the network's forward pass, then row · J per factor; and the one
entry every gradient method goes through, so that each refuses the same points alike."""

from __future__ import annotations

from typing import Any

import numpy as np

from jacobians._structure_args import products_tested
from reshape import InputError

from ._checks import PointError, finite_gradients, layer_gradients
from ._dense import dense_jacobian_step
from ._forward import Pass, cost_context, loss_and_gradient, run
from ._shortcut import backprop

__all__ = ["cost_context", "gradients_at", "jacobian_gradients"]


@np.errstate(all="ignore")  # an overflow is refused by name (layer_gradients), not warned of
def jacobian_gradients(
    net: Any, X2: np.ndarray, T2: np.ndarray, op: str = "MLP.gradients"
) -> dict[str, np.ndarray]:
    """Reverse mode through the chain: the prefix ∂C/∂z⁽ᵏ⁾ is shared by W⁽ᵏ⁾ and b⁽ᵏ⁾ and
    extended by W⁽ᵏ⁾ · ∇σ_{k−1}. The factors are those of :meth:`factors`, each built by its
    operation's rule from the forward pass's context, unlabelled: a gradient shows no labels,
    and building them (and a Result per operation) costs more than the arithmetic of a small
    network. The prefix is a 1×N row, and each step is ``J.right(row)`` = row · J, exactly what
    ``row @ J`` (compose) computes for a row, without a Jacobian object per product; so nothing
    nd×nm is ever made dense. The last step's row has the parameter's entries in row-major
    order, so a reshape folds it into the gradient (what ``to_gradient`` does)."""
    # the forward pass and the cost's row ∂ℓ/∂y⁽ᴸ⁾ = vec(∇ℓ)ᵀ (the cost's Jacobian, as_row),
    # from the loss's value and gradient, checked as every method checks them
    forward = run(net.activations, net._params, X2, op=op)
    _, g = loss_and_gradient(net, forward, T2, op)
    row = g.reshape(1, -1)
    try:
        return _backward(net, forward, row, X2.shape[1], op)
    except PointError:
        raise
    except InputError:
        # A structure refused a product that overflowed, in its own name (Kronecker.right …):
        # the point is refused as the shortcut refuses it, so both methods say the same.
        backprop(net, X2, T2, op)
        raise


def _backward(net: Any, forward: Pass, row: np.ndarray, d: int, op: str) -> dict[str, Any]:
    P = net._params
    prefix = row if d == 1 else row * (1 / d)  # the 1×1 factor ∂C/∂ℓ = 1/d times the row
    grads = {}
    # The forward pass's arrays are checked, so the factors' constructors need not scan them, and
    # each product is the structure's own arithmetic (J._right) without the public right's check
    # of its operand: layer_gradients checks every layer's δ and gradients instead, as the
    # shortcut's backward pass does, and a NaN or infinity in σ′ reaches δ, so σ′ itself is not
    # tested (products_tested). Per layer, ∂z/∂b and ∂z/∂x are kept while W is the same array
    # (MLP keeps them; a net made another way, or unpickled from before, builds them each time).
    kept = getattr(net, "_kept_factors", None)
    with products_tested():
        for k in range(net.depth, 0, -1):
            name, W, b = net.activations[k - 1], f"W{k}", f"b{k}"
            lin, act = forward.linear[k], forward.activation[k]
            layer = None if kept is None else kept.setdefault(k, {})
            dz, dW, db, prefix = dense_jacobian_step(lin, act, name, prefix, k > 1, layer)
            grads[W], grads[b] = dW.reshape(P[W].shape), db.reshape(-1)
            layer_gradients(op, k, dz, forward.y[k - 1], forward.peak.get(k - 1), grads)
    return {name: grads[name] for name in P}


def gradients_at(
    net: Any, X2: np.ndarray, T2: np.ndarray, method: str, op: str
) -> dict[str, np.ndarray]:
    """The gradients by ``method`` ("shortcut", "jacobian", "central" or "complex"): each checks
    the point (:func:`net._forward.point`: the forward pass, the loss and its gradient finite;
    then each layer's gradients), so a point is refused with one message whatever the method."""
    if method == "shortcut":
        return backprop(net, X2, T2, op).gradients
    if method == "jacobian":
        return jacobian_gradients(net, X2, T2, op)
    # Differences would hide an impossible point in noise, or fail at a perturbed point with a
    # message of their own: the point is checked as the shortcut checks it (forward, loss and
    # backward pass, one gradient's work against the numeric one's P forward passes).
    backprop(net, X2, T2, op)
    return finite_gradients(op, net._numeric(X2, T2, method))
