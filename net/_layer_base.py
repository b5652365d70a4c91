"""The layer protocol of :class:`net.Network`: parameters, a forward pass and two backward passes.

Every layer's array has its per-sample shape followed by the samples axis d (samples last, as the
MLP keeps samples as columns); for sequence layers the columns are the tokens of one sequence.
``jacobian_backward`` multiplies a row by the layer's explicit Jacobians, built by the registry's
rules from the forward pass's contexts; ``shortcut_backward`` is the same gradient written by hand,
the referee that shares none of that code.

Besides the five methods a layer may set ``analytic = False`` (complex-step differentiation does
not apply to it, as to relu) and override :meth:`Layer.chain`, the factors of one derivative
(the default finds them among :meth:`Layer.factors` by their labels).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from jacobians import Jacobian, Sum, chain
from reshape import InputError, InputTypeError, ShapeError, describe

__all__ = ["Layer"]

Grads = tuple[dict[str, np.ndarray], np.ndarray]
Factor = tuple[str, Jacobian]

INPUT = ("x", "X")  # how a layer's factors name its input
# how factors may name a parameter whose local name is a word
SYMBOLS = {"gamma": "γ", "beta": "β", "alpha": "α", "mu": "μ", "sigma": "σ"}


class Layer:
    """One layer of a network; subclasses define the five methods below."""

    kind: str = "layer"
    analytic: bool = True  # whether complex-step differentiation applies to every entry

    def init(
        self, rng: np.random.Generator, in_shape: tuple[int, ...], where: str
    ) -> tuple[dict[str, np.ndarray], tuple[int, ...]]:
        """Check ``in_shape`` (per sample; an error names ``where``, like "Conv1d(layer 2)", and
        the argument), draw the parameters; return (parameters by local name, output shape)."""
        raise NotImplementedError

    def forward(self, P: dict[str, np.ndarray], X: np.ndarray) -> Any:
        """X is in_shape + (d,); a cache with ``.value`` (out_shape + (d,)) and what the backward
        passes need (the registry operations' contexts)."""
        raise NotImplementedError

    def jacobian_backward(self, P: dict[str, np.ndarray], cache: Any, G: np.ndarray) -> Grads:
        """From G = ∂C/∂output (shaped like it): (∂C/∂p for each parameter, ∂C/∂input), as
        row · J through the registry's Jacobians only."""
        raise NotImplementedError

    def shortcut_backward(self, P: dict[str, np.ndarray], cache: Any, G: np.ndarray) -> Grads:
        """The same gradients written by hand (no Jacobian objects): the referee."""
        raise NotImplementedError

    def factors(self, P: dict[str, np.ndarray], cache: Any) -> list[tuple[str, Jacobian]]:
        """The layer's labelled Jacobians for tables, (short name, J), output side first."""
        raise NotImplementedError

    def inner(self, cache: Any) -> dict[str, np.ndarray]:
        """Arrays of the forward pass besides its output that must stay finite, by name (a dense
        layer's z = Wx + b, which may overflow where tanh(z) does not): the network refuses a
        point where one does not, naming the layer. None by default."""
        return {}

    def chain(self, P: dict[str, np.ndarray], cache: Any, wrt: str | None = None) -> list[Factor]:
        """The factors of ∂(output)/∂wrt (a local parameter name; None: the input), output first.

        By default, the paths through :meth:`factors` by their labels: from the first factor's
        ``of``, each next factor's ``of`` is the previous one's ``wrt``, down to a factor whose
        ``wrt`` (or the short name after "/∂") is ``wrt`` ("x" or "X" for the input; a Greek
        letter for gamma, beta, …). One path is its factors (a layer one operation deep: that
        factor alone); where wrt is reached by several (attention's X through Q, K and V), the
        derivative is their sum, one factor kept as a :class:`~jacobians.Sum` of the paths'
        products.
        """
        items = self.factors(P, cache)
        targets = set(INPUT) if wrt is None else {wrt, SYMBOLS.get(wrt, wrt)}

        def reaches(name: str, J: Jacobian) -> bool:
            return J.wrt in targets or name.rpartition("/∂")[2] in targets

        def paths(symbol: str, seen: frozenset[str]) -> list[list[Factor]]:
            found: list[list[Factor]] = []
            for name, J in items:
                if J.of != symbol:
                    continue
                if reaches(name, J):
                    found.append([(name, J)])
                elif J.wrt not in seen:
                    found += [[(name, J), *rest] for rest in paths(J.wrt, seen | {J.wrt})]
            return found

        start = items[0][1].of if items else ""
        found = paths(start, frozenset({start})) if items else []
        if not found:
            listed = ", ".join(f"{n} ({J.symbol})" for n, J in items)
            what = "the input" if wrt is None else repr(wrt)
            raise LookupError(
                f"{type(self).__name__}: no chain to {what} among its factors {listed}"
            )
        if len(found) == 1:
            return found[0]
        last = found[0][-1][1]
        products = [p[0][1] if len(p) == 1 else chain(*(J for _, J in p)) for p in found]
        text = " + ".join("·".join(J.symbol for _, J in p) for p in found)
        total = Sum(products).label(
            start, last.wrt, text, None, products[0].out_shape, last.in_shape
        )
        return [(f"∂{start}/∂{last.wrt}", total)]


# ----- names of places: "Dense(layer 2)", "Dense(layer 2.1)" inside a residual block -----
_WHERE = re.compile(r"\(layer ([0-9.]+)\)$")


def sub_where(where: str, layer: object, j: int) -> str:
    """The place of sub-layer j of the layer at ``where``: "Dense(layer 2.1)" for the first
    layer inside "Residual(layer 2)"."""
    m = _WHERE.search(where)
    name = type(layer).__name__
    return f"{name}(layer {m.group(1)}.{j})" if m else f"{name}({where}, sub-layer {j})"


def at(name: str, k: int) -> str:
    """A factor's short name marked with its layer: "∂z/∂W [2]"; inside a block "[2.1]"."""
    head, mark, path = name.rpartition(" [")
    return f"{head} [{k}.{path}" if mark and path.endswith("]") else f"{name} [{k}]"


def qualified(local: str, k: int) -> str:
    """The network's name of a layer's parameter: "W" of layer 2 is "W2"; "W.1" (the W of the
    first layer inside a residual block) of layer 2 is "W2.1"."""
    base, dot, rest = local.partition(".")
    return f"{base}{k}{dot}{rest}"


def vector_input(where: str, in_shape: tuple[int, ...], what: str) -> int:
    """The width m of a layer that takes one vector (m,) per sample, or the error naming it."""
    if len(in_shape) != 1:
        raise ShapeError(
            where,
            "in_shape",
            f"a vector (m,) per sample for {what}",
            f"per-sample shape {in_shape}",
            "put Flatten() before it (or 'flatten' in a layer spec)",
        )
    return in_shape[0]


def check_layers(op: str, layers: Any) -> tuple[Layer, ...]:
    """A non-empty list of Layer objects (a block's or a network's), or the error naming it."""
    expected = "a non-empty list of layers such as [Dense(4, 'tanh'), Dense(1)]"
    if isinstance(layers, (str, bytes)) or not isinstance(layers, (list, tuple)):
        raise InputTypeError(op, "layers", expected, describe(layers))
    if not layers:
        raise InputError(op, "layers", expected, "an empty list")
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise InputTypeError(
                op, "layers", "layers (net.Dense, net.LayerNorm, …)", f"layers[{i}] = {layer!r}"
            )
    return tuple(layers)
