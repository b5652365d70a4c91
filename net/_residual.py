"""The residual block y = x + f(x): its Jacobian I + J_f is the sum of two paths.

f is a list of layers applied in order, whose output must have the block's input shape. The
gradient reaching x is the identity path's row plus f's (row · (I + J_f) = row + row · J_f); a
parameter inside f sees f's path alone.

Parameters inside a block carry the sub-layer's number after a dot: the W of the first layer of
the block at layer 2 is ``W2.1`` (its local name in the block is ``W.1``), and a block inside a
block adds a further number (``W3.2.1``).

>>> from net import Dense, Network
>>> Network([Residual([Dense(4, "tanh"), Dense(2)]), Dense(1)], (2,)).shapes["W1.2"]
(2, 4)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from jacobians import Identity, Sum, chain
from reshape import ShapeError

from ._layer_base import Factor, Grads, Layer, at, check_layers, sub_where

__all__ = ["Residual"]


def _inside(local: str, j: int) -> str:
    """Sub-layer j's parameter ``local`` as the block names it: "W" -> "W.1", "W.2" -> "W.1.2"."""
    base, dot, rest = local.partition(".")
    return f"{base}.{j}{dot}{rest}"


def _split(P: dict[str, np.ndarray], count: int) -> list[dict[str, np.ndarray]]:
    """The block's parameters per sub-layer, by their local names there."""
    out: list[dict[str, np.ndarray]] = [{} for _ in range(count)]
    for name, value in P.items():
        base, _, path = name.partition(".")
        j, dot, rest = path.partition(".")
        out[int(j) - 1][f"{base}{dot}{rest}"] = value
    return out


@dataclass(frozen=True, slots=True)
class ResidualCache:
    """The block's forward pass: x, f's layers' caches, and y = x + f(x)."""

    value: np.ndarray
    caches: list[Any]
    x: np.ndarray


class Residual(Layer):
    """y = x + f(x) for the layers of f, applied in order; ∂y/∂x = I + J_f.

    Shapes: X in_shape + (d,) -> the same shape; f must give back in_shape.

    >>> from net import Dense
    >>> Residual([Dense(3, "relu"), Dense(2)])
    Residual([Dense(3, 'relu'), Dense(2)])
    """

    kind = "residual"

    def __init__(self, layers: list[Layer]) -> None:
        self.layers = check_layers("Residual", layers)

    @property
    def analytic(self) -> bool:  # type: ignore[override]
        return all(layer.analytic for layer in self.layers)

    def __repr__(self) -> str:
        return f"Residual([{', '.join(map(repr, self.layers))}])"

    def init(self, rng: Any, in_shape: tuple[int, ...], where: str) -> tuple[dict, tuple]:
        params, shape = {}, tuple(in_shape)
        for j, layer in enumerate(self.layers, 1):
            P, shape = layer.init(rng, shape, sub_where(where, layer, j))
            params.update({_inside(local, j): v for local, v in P.items()})
        if tuple(shape) != tuple(in_shape):
            hint = "end the block with a layer that gives back the input's shape"
            if len(in_shape) == 1:
                hint += f", such as Dense({in_shape[0]})"
            raise ShapeError(
                where,
                "layers",
                f"a block f whose output has its input's shape {tuple(in_shape)} "
                "(y = x + f(x) adds them)",
                f"f giving per-sample shape {tuple(shape)}",
                hint,
            )
        return params, tuple(in_shape)

    def forward(self, P: dict[str, np.ndarray], X: np.ndarray) -> ResidualCache:
        caches, Y = [], X
        for layer, Pj in zip(self.layers, _split(P, len(self.layers)), strict=True):
            caches.append(layer.forward(Pj, Y))
            Y = caches[-1].value
        return ResidualCache(X + Y, caches, X)

    def inner(self, cache: ResidualCache) -> dict[str, np.ndarray]:
        out = {}
        for j, (layer, c) in enumerate(zip(self.layers, cache.caches, strict=True), 1):
            out.update({f"{name} of sub-layer {j}": v for name, v in layer.inner(c).items()})
            out[f"the output of sub-layer {j}"] = c.value
        return out

    def _backward(self, P: dict, cache: ResidualCache, G: Any, how: str) -> Grads:
        """f's parameters' gradients and ∂C/∂x through f alone."""
        grads, g, parts = {}, G, _split(P, len(self.layers))
        for j in range(len(self.layers), 0, -1):
            layer = self.layers[j - 1]
            step = layer.jacobian_backward if how == "jacobian" else layer.shortcut_backward
            inner, g = step(parts[j - 1], cache.caches[j - 1], g)
            grads.update({_inside(local, j): v for local, v in inner.items()})
        return {name: grads[name] for name in P}, g

    def _identity(self, cache: ResidualCache) -> Identity:
        return Identity(cache.x.shape, dtype=cache.value.dtype)

    def jacobian_backward(self, P: dict, cache: ResidualCache, G: Any) -> Grads:
        grads, through_f = self._backward(P, cache, G, "jacobian")
        # row · (I + J_f): the identity path's row (I's own product) plus f's
        direct = self._identity(cache)._right(G.reshape(1, -1)).reshape(cache.x.shape)
        return grads, direct + through_f

    def shortcut_backward(self, P: dict, cache: ResidualCache, G: Any) -> Grads:
        grads, through_f = self._backward(P, cache, G, "shortcut")
        return grads, G + through_f

    def _input(self, P: dict, cache: ResidualCache) -> Factor:
        """∂y/∂x = I + J_f, J_f the product of f's layers' input Jacobians (top first)."""
        parts = _split(P, len(self.layers))
        inner = [
            J
            for j in range(len(self.layers), 0, -1)
            for _, J in self.layers[j - 1].chain(parts[j - 1], cache.caches[j - 1], None)
        ]
        J_f = inner[0] if len(inner) == 1 else chain(*inner)
        n = int(np.prod(cache.x.shape))
        # kept as the sum of the two paths, each in its structure (never added into one matrix)
        total = Sum([self._identity(cache), J_f])
        return "∂y/∂x", total.label(
            "y", "x", f"I_{n} + ∂f/∂x", rf"I_{{{n}}} + \partial f / \partial x"
        )

    def factors(self, P: dict, cache: ResidualCache) -> list[Factor]:
        """∂y/∂x = I + J_f, then each sub-layer's factors, marked with its number ([1], [2], …)."""
        out = [self._input(P, cache)]
        for j, (layer, Pj) in enumerate(
            zip(self.layers, _split(P, len(self.layers)), strict=True), 1
        ):
            out += [(at(name, j), J) for name, J in layer.factors(Pj, cache.caches[j - 1])]
        return out

    def chain(self, P: dict, cache: ResidualCache, wrt: str | None = None) -> list[Factor]:
        """∂y/∂x = I + J_f for the input; for a parameter inside f, f's path alone: the input
        Jacobians of the sub-layers above its own, then its own chain."""
        if wrt is None:
            return [self._input(P, cache)]
        base, _, path = wrt.partition(".")
        head, dot, rest = path.partition(".")
        k, parts = int(head), _split(P, len(self.layers))
        out: list[Factor] = []
        for j in range(len(self.layers), k, -1):
            got = self.layers[j - 1].chain(parts[j - 1], cache.caches[j - 1], None)
            out += [(at(name, j), J) for name, J in got]
        own = self.layers[k - 1].chain(parts[k - 1], cache.caches[k - 1], f"{base}{dot}{rest}")
        return out + [(at(name, k), J) for name, J in own]
