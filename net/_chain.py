"""The full-Jacobian gradient: the network's forward pass, then row · J per factor."""

from __future__ import annotations

from typing import Any

import numpy as np

from jacobians import ACTIVATIONS, COSTS, Context, linear
from reshape import assume_finite

from ._forward import Pass, run

__all__ = ["cost_context", "jacobian_gradients"]


def cost_context(net: Any, forward: Pass, T2: np.ndarray) -> Context:
    """The cost's context at the network's output (its rules give the row ∂ℓ/∂y⁽ᴸ⁾)."""
    cost = COSTS[net.loss]
    with assume_finite():  # the output and the targets are checked
        return cost.prepare(forward.y[net.depth], T2, **cost.options)


def jacobian_gradients(net: Any, X2: np.ndarray, T2: np.ndarray) -> dict[str, np.ndarray]:
    """Reverse mode through the chain: the prefix ∂C/∂z⁽ᵏ⁾ is shared by W⁽ᵏ⁾ and b⁽ᵏ⁾ and
    extended by W⁽ᵏ⁾ · ∇σ_{k−1}. The factors are those of :meth:`factors`, each built by its
    operation's rule from the forward pass's context, unlabelled: a gradient shows no labels,
    and building them (and a Result per operation) costs more than the arithmetic of a small
    network. The prefix is a 1×N row, and each step is ``J.right(row)`` = row · J, exactly what
    ``row @ J`` (compose) computes for a row, without a Jacobian object per product; so nothing
    nd×nm is ever made dense. The last step's row has the parameter's entries in row-major
    order, so a reshape folds it into the gradient (what ``to_gradient`` does)."""
    forward = run(net.activations, net._params, X2)
    P, d, rules = net._params, X2.shape[1], linear.rules
    cost = COSTS[net.loss]
    row = cost.rules[cost.params[0].name].build(cost_context(net, forward, T2)).matrix
    prefix = row if d == 1 else row * (1 / d)  # the 1×1 factor ∂C/∂ℓ = 1/d times the row
    grads = {}
    for k in range(net.depth, 0, -1):
        z, act = forward.linear[k], ACTIVATIONS[net.activations[k - 1]]
        dz = act.rules["z"].build(forward.activation[k]).right(prefix)
        for p in ("W", "b"):
            name = f"{p}{k}"
            grads[name] = rules[p].build(z).right(dz).reshape(P[name].shape)
        if k > 1:
            prefix = rules["x"].build(z).right(dz)
    return {name: grads[name] for name in P}
