"""The full-Jacobian gradient: the forward pass through the operations, then row · J per factor."""

from __future__ import annotations

from typing import Any

import numpy as np

from jacobians import ACTIVATIONS, COSTS, Context, Operation, linear
from reshape import assume_finite

__all__ = ["jacobian_gradients", "steps"]


def steps(net: Any, X2: np.ndarray, T2: np.ndarray) -> list[tuple[Operation, Context]]:
    """The forward pass through the ``jacobians`` operations, as (operation, context) pairs:
    linear and the activation for layers 1 … L, then the cost. A context is what the
    operation's ``prepare`` returns (its value and what its rules need); ``op.result(ctx)``
    is what calling the operation would have returned."""
    P, Y, steps = net._params, X2, []
    for k in range(1, net.depth + 1):
        z = linear.prepare(P[f"W{k}"], Y, P[f"b{k}"])
        act = ACTIVATIONS[net.activations[k - 1]]
        a = act.prepare(z.value, **act.options)
        steps += [(linear, z), (act, a)]
        Y = a.value
    cost = COSTS[net.loss]
    steps.append((cost, cost.prepare(Y, T2, **cost.options)))
    return steps


def jacobian_gradients(net: Any, X2: np.ndarray, T2: np.ndarray) -> dict[str, np.ndarray]:
    """Reverse mode through the chain: the prefix ∂C/∂z⁽ᵏ⁾ is shared by W⁽ᵏ⁾ and b⁽ᵏ⁾ and
    extended by W⁽ᵏ⁾ · ∇σ_{k−1}. The factors are those of :meth:`factors`, each built by its
    operation's rule from the forward pass's context, unlabelled: a gradient shows no labels,
    and building them (and a Result per operation) costs more than the arithmetic of a small
    network. The prefix is a 1×N row, and each step is ``J.right(row)`` = row · J, exactly what
    ``row @ J`` (compose) computes for a row, without a Jacobian object per product; so nothing
    nd×nm is ever made dense. The last step's row has the parameter's entries in row-major
    order, so a reshape folds it into the gradient (what ``to_gradient`` does)."""
    with assume_finite():  # X, T and the parameters are checked, and each op feeds the next
        forward = steps(net, X2, T2)
    P, d, rules = net._params, X2.shape[1], linear.rules
    cost, c = forward[-1]
    row = cost.rules[cost.params[0].name].build(c).matrix  # ∂ℓ/∂y⁽ᴸ⁾ summed over the samples
    prefix = row if d == 1 else row * (1 / d)  # the 1×1 factor ∂C/∂ℓ = 1/d times the row
    grads = {}
    for k in range(net.depth, 0, -1):
        (_, z), (act, a) = forward[2 * k - 2], forward[2 * k - 1]
        dz = act.rules["z"].build(a).right(prefix)
        for p in ("W", "b"):
            name = f"{p}{k}"
            grads[name] = rules[p].build(z).right(dz).reshape(P[name].shape)
        if k > 1:
            prefix = rules["x"].build(z).right(dz)
    return {name: grads[name] for name in P}
