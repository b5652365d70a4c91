"""What :class:`net.Network` runs: the parameters' draw within the memory limit, the forward pass
shared by every method, and the two backward passes (the layers' Jacobians, or their shortcuts).

Each refuses a point as :class:`net.MLP` does (:mod:`net._forward`, :mod:`net._checks`): a layer's
output, the loss or its gradient, or a parameter's gradient leaving floating-point range is one
:class:`~net._checks.PointError` naming the layer, whatever the gradient method.
"""

from __future__ import annotations

import contextlib
from math import prod
from typing import Any

import numpy as np

from jacobians import COSTS, Context
from jacobians._notation import to_latex
from jacobians._structure_args import from_checked
from reshape import check_bytes

from ._checks import finite_gradients, overflow
from ._factors import Factors, _head
from ._forward import Pass, loss_and_gradient, loss_value
from ._layer_base import at

__all__ = ["Draws", "backward", "cost_of", "labelled_factors", "run"]

_MAX = float(np.finfo(np.float64).max)
# where a Generator method takes its size by position (normal(loc, scale, size), …)
_SIZE_AT = {
    "normal": 2,
    "uniform": 2,
    "integers": 2,
    "standard_normal": 0,
    "random": 0,
    "choice": 1,
    "exponential": 1,
    "binomial": 2,
    "dirichlet": 1,
    "standard_t": 1,
    "laplace": 2,
}


class Draws:
    """The generator the layers draw their parameters from: ``numpy.random.Generator``'s methods,
    each draw refused before it is made when it would take the parameters past the session's
    memory limit (``jacobians.set_dense_limit``); :meth:`add` counts what a layer returned (its
    parameters that were not drawn, such as γ = 1, too)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng, self.count, self.where = rng, 0, ""
        self._drawn = 0  # entries drawn by the current layer so far

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._rng, name)
        if not callable(method):
            return method
        at = _SIZE_AT.get(name)

        def draw(*args: Any, **kwargs: Any) -> Any:
            size = kwargs.get("size", args[at] if at is not None and len(args) > at else None)
            if size is not None:
                n = prod(int(s) for s in np.atleast_1d(size))  # Python ints: no overflow
                self._check(self.count + self._drawn + n, f"{self.where} draws {n:,}")
                self._drawn += n
            return method(*args, **kwargs)

        return draw

    def start(self, where: str) -> None:
        self.where, self._drawn = where, 0

    def add(self, params: dict[str, np.ndarray]) -> None:
        n = sum(int(np.size(v)) for v in params.values())
        self.count += n
        self._check(self.count, f"{self.where} holds {n:,}")

    def _check(self, total: int, what: str) -> None:
        if not total:  # layers without parameters so far
            return
        check_bytes(
            "Network",
            f"the parameters up to {self.where} ({total:,} numbers, float64; {what})",
            8 * total,
            "choose smaller layers",
        )


def _peak(a: np.ndarray) -> float:
    return float(np.abs(a).max())


@np.errstate(all="ignore")  # an overflow is refused by name below, not warned of
def run(net: Any, params: dict[str, np.ndarray], X: np.ndarray, op: str) -> tuple[list, Any]:
    """Each layer's forward pass in order from checked X (in_shape + (d,)), its parameters read
    from ``params`` (the network's names); (the caches, the output as (n, d)). A layer whose
    output leaves floating-point range is refused, naming it."""
    caches, Y = [], X
    for k, layer in enumerate(net.layers, 1):
        P = {local: params[name] for local, name in net._names[k - 1].items()}
        cache = layer.forward(P, Y)
        for what, value in {**layer.inner(cache), "y": cache.value}.items():
            if not _peak(value) <= _MAX:  # False for inf and NaN
                sizes = {"x" if k == 1 else f"the input of layer {k}": Y}
                raise overflow(op, f"the forward pass ({net._where[k - 1]}: {what})", sizes)
        caches.append(cache)
        Y = cache.value
    return caches, Y.reshape(net.output_shape[0], -1)


def _at_output(net: Any, out: Any) -> Pass:
    """The output as the forward pass the loss helpers of net._forward read (y at the depth)."""
    return Pass({}, {}, {}, {net.depth: out}, {})


def cost_of(net: Any, params: dict[str, np.ndarray], X: np.ndarray, T: np.ndarray, op: str) -> Any:
    """C, the mean loss over the d samples, by the loss's value alone (numeric differences call
    it once or twice per parameter entry)."""
    _, out = run(net, params, X, op)
    return loss_value(net, _at_output(net, out), T, op) / out.shape[1]


@np.errstate(all="ignore")  # a gradient that overflows is refused by name (finite_gradients)
def backward(net: Any, X: np.ndarray, T: np.ndarray, how: str, op: str) -> tuple[float, dict]:
    """(C, the gradients) by ``how``: "jacobian" (each layer's row · J, top down, under
    ``from_checked``: the arrays were checked) or "shortcut" (each layer's hand-written step).

    The start is the cost's row ∂ℓ/∂y (the loss's gradient, as MLP's), times ∂C/∂ℓ = 1/d."""
    caches, out = run(net, net._params, X, op)
    value, g = loss_and_gradient(net, _at_output(net, out), T, op)
    d = out.shape[1]
    if how == "jacobian":
        G = g if d == 1 else g * (1 / d)  # MLP's prefix: the 1×1 factor 1/d times the row
    else:
        G = g / d
    G = G.reshape(caches[-1].value.shape)
    grads: dict[str, np.ndarray] = {}
    with from_checked() if how == "jacobian" else contextlib.nullcontext():
        for k in range(net.depth, 0, -1):
            layer, names = net.layers[k - 1], net._names[k - 1]
            P = {local: net._params[name] for local, name in names.items()}
            step = layer.jacobian_backward if how == "jacobian" else layer.shortcut_backward
            inner, G = step(P, caches[k - 1], G)
            grads.update({names[local]: v for local, v in inner.items()})
    ordered = {name: grads[name] for name in net._params}
    return float(np.real(value)) / d, finite_gradients(op, ordered)


def _latex(name: str) -> str:
    """A factor's short name in LaTeX; as text where the notation has no command for a symbol."""
    try:
        return to_latex(name)
    except ValueError:
        return rf"\text{{{name}}}"


def labelled_factors(net: Any, caches: list, cost: Context, d: int, wrt: str) -> Factors:
    """The chain of ∂C/∂wrt from a forward pass: the cost's row (after 1/d for a batch), each
    layer's input Jacobians from the last down to wrt's layer, then that layer's chain to wrt;
    each factor's name marked with its layer ("∂z/∂W [2]")."""
    items = list(_head(COSTS[net.loss].result(cost), net.depth, d))
    k, local = net._owner[wrt]
    for j in range(net.depth, k - 1, -1):
        layer, names = net.layers[j - 1], net._names[j - 1]
        P = {name: net._params[full] for name, full in names.items()}
        for name, J in layer.chain(P, caches[j - 1], local if j == k else None):
            marked = at(name, j)
            items.append((J, marked, _latex(marked)))
    return Factors(
        wrt,
        net._params[wrt].shape,
        tuple(i[0] for i in items),
        tuple(i[1] for i in items),
        tuple(i[2] for i in items),
    )
