"""The network's one forward pass, used by every gradient method, the cost and ``forward``, and the
point check that every gradient method makes on it before any backward step.

Each layer is the registry's ``linear`` and activation, called through ``Operation.unchecked``:
the network checks its inputs, targets and parameters once per call, and each operation feeds the
next arrays it made, so the per-call checks would only repeat work. The contexts it keeps are what
the operations' rules build Jacobians from, so the full-Jacobian chain reads the same numbers the
shortcut and the numeric referee read.

Finite inputs and parameters can still leave floating-point range: a layer's z overflows, the loss
is infinite (cross-entropy after a softmax that saturated to 0) or its gradient overflows (y ⊘ a at
a subnormal a). :func:`point` refuses such a point before any backward step, with one message
whatever the gradient method, so ``"jacobian"``, ``"shortcut"`` and ``"numeric"`` (and ``train``)
report the same error for the same point.
"""

from __future__ import annotations

import cmath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from jacobians import ACTIVATIONS, COSTS, Context, linear
from jacobians._checks import all_finite
from jacobians._notation import sup
from reshape import InputError, assume_finite

from ._checks import PointError, impossible_loss, overflow
from ._layers import LOSSES

__all__ = ["Pass", "cost_context", "loss_and_gradient", "loss_value", "point", "run"]


@dataclass(frozen=True, slots=True)
class Pass:
    """One forward pass: per layer k the contexts of linear and of the activation (keys k).

    ``z[k]`` and ``y[k]`` are their values, (n_k, d) with samples as columns; ``y[start]`` is the
    input; ``peak[k]`` is max |y[k]| (k > start: it came with the test that y[k] is finite),
    which bounds the gradients of layer k + 1.
    """

    linear: dict[int, Context]
    activation: dict[int, Context]
    z: dict[int, np.ndarray]
    y: dict[int, np.ndarray]
    peak: dict[int, float]


@np.errstate(all="ignore")  # an overflow is refused by name below, not warned of
def run(
    activations: Sequence[str],
    params: Mapping[str, np.ndarray],
    Y: np.ndarray,
    start: int = 0,
    op: str = "MLP.forward",
) -> Pass:
    """y⁽ᵏ⁾ = σ_k(W⁽ᵏ⁾ y⁽ᵏ⁻¹⁾ + b⁽ᵏ⁾) for k = start+1 … L, from checked (m, d) inputs Y; a layer
    whose z or y leaves floating-point range is refused (the error names ``op``)."""
    lin, act, z, y, peak = {}, {}, {}, {start: Y}, {}
    make = linear.unchecked
    assert make is not None
    for k in range(start + 1, len(activations) + 1):
        lin[k] = c = make(params[f"W{k}"], y[k - 1], params[f"b{k}"])
        act[k] = a = ACTIVATIONS[activations[k - 1]].unchecked(c.value)  # type: ignore[misc]
        z[k], y[k] = c.value, a.value
        peak[k] = _peak(a.value)
        if not (_peak(c.value) <= _MAX and peak[k] <= _MAX):  # False for inf and NaN
            raise _layer_overflow(op, k, activations[k - 1], params, y[k - 1], c.value)
    return Pass(lin, act, z, y, peak)


_MAX = float(np.finfo(np.float64).max)


def _peak(a: np.ndarray) -> float:
    """max |a| (inf or NaN where an entry is): one pass tests finiteness and gives the bound."""
    return float(np.abs(a).max())


def _layer_overflow(
    op: str, k: int, act: str, params: Mapping[str, np.ndarray], y: Any, z: Any
) -> PointError:
    K = sup(k)
    if not all_finite(z):
        what = f"z{K} = W{K}y{sup(k - 1)} + b{K}"
        sizes = {f"W{K}": params[f"W{k}"], f"y{sup(k - 1)}": y, f"b{K}": params[f"b{k}"]}
    else:
        what, sizes = f"y{K} = {act}(z{K})", {f"z{K}": z}
    return overflow(op, f"the forward pass ({what})", sizes)


def cost_context(net: Any, forward: Pass, T2: np.ndarray, op: str = "MLP.factors") -> Context:
    """The cost's context at the network's output (its rules give the row ∂ℓ/∂y⁽ᴸ⁾), or the
    error naming ``op`` that the loss is not finite there."""
    cost = COSTS[net.loss]
    try:
        with assume_finite():  # the output and the targets are checked
            return cost.prepare(forward.y[net.depth], T2, **cost.options)
    except InputError as err:
        raise impossible_loss(op, net.loss, net.depth, err) from None


def point(net: Any, X2: np.ndarray, T2: np.ndarray, op: str) -> tuple[Pass, Context, np.ndarray]:
    """The forward pass, the cost's context and the row ∂ℓ/∂y⁽ᴸ⁾ (1×nd, the cost's own rule),
    or the one error every gradient method gives where the forward pass, the loss or its
    gradient leaves floating-point range."""
    forward = run(net.activations, net._params, X2, op=op)
    ctx = cost_context(net, forward, T2, op)
    return forward, ctx, _row(net, ctx, op)


def _row(net: Any, ctx: Context, op: str) -> np.ndarray:
    """The cost's row ∂ℓ/∂y⁽ᴸ⁾ by its own rule, or its refusal restated as the network's."""
    cost = COSTS[net.loss]
    try:
        return cost.rules[cost.params[0].name].build(ctx).matrix
    except InputError as err:
        raise impossible_loss(op, net.loss, net.depth, err) from None


@np.errstate(all="ignore")  # a loss or gradient that is not finite is refused by name below
def loss_and_gradient(net: Any, forward: Pass, T2: np.ndarray, op: str) -> tuple[Any, Any]:
    """(ℓ, ∇ℓ shaped like the output) by the loss's value and gradient alone, the shortcut's
    cheap path; where either is not finite, the refusal :func:`point` gives (each of its checks
    refuses exactly a point where the value or the gradient is not finite)."""
    loss, Y = LOSSES[net.loss], forward.y[net.depth]
    value, g = loss.value(Y, T2), loss.grad(Y, T2)
    if cmath.isfinite(value) and all_finite(g):
        return value, g
    _row(net, cost_context(net, forward, T2, op), op)  # either raises, naming why
    raise overflow(op, f"the loss {net.loss!r} or its gradient", {"y⁽ᴸ⁾": Y, "T": T2})


@np.errstate(all="ignore")  # a loss that is not finite is refused by name below
def loss_value(net: Any, forward: Pass, T2: np.ndarray, op: str) -> Any:
    """ℓ summed over the samples, by the loss's value alone (cheap: numeric differentiation
    evaluates it once or twice per parameter entry); where it is not finite, the cost's own
    checks say why (:func:`cost_context`)."""
    value = LOSSES[net.loss].value(forward.y[net.depth], T2)
    if cmath.isfinite(value):
        return value
    cost_context(net, forward, T2, op)  # raises, naming why the loss is infinite
    raise overflow(op, f"the loss {net.loss!r}", {"y⁽ᴸ⁾": forward.y[net.depth], "T": T2})
