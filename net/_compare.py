"""Side by side: the gradient of every parameter by each method, and how far apart they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, describe

from ._mlp import METHODS, MLP

__all__ = ["Comparison", "compare"]


def differences(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(largest absolute difference, the same relative to the larger of the two max-norms).

    The relative figure is max|a − b| / max(max|a|, max|b|), 0 when both are 0: norm-wise, so an
    entry that is 0 in both (a dead relu unit) does not divide by zero.

    >>> differences(np.array([1.0, 0.0]), np.array([1.0, 1e-9]))
    (1e-09, 1e-09)
    """
    diff = float(np.max(np.abs(a - b)))
    scale = float(max(np.max(np.abs(a)), np.max(np.abs(b))))
    return diff, (diff / scale if scale > 0 else 0.0)


@dataclass(frozen=True)
class Comparison:
    """Per parameter and per pair of methods, the largest absolute and relative differences.

    Attributes:
        gradients: method -> parameter -> gradient array.
        pairs: the compared pairs of methods, e.g. ("jacobian", "shortcut").
        table: parameter -> "a vs b" -> {"abs": …, "rel": …}.

    Shapes: each gradient is shaped like its parameter; the figures are scalars.
    """

    gradients: dict[str, dict[str, np.ndarray]]
    pairs: tuple[tuple[str, str], ...]
    table: dict[str, dict[str, dict[str, float]]]

    def worst(self, a: str, b: str, kind: str = "rel") -> float:
        """The largest difference (``"abs"`` or ``"rel"``) between methods a and b over all
        parameters."""
        key = _key(a, b) if (a, b) in self.pairs else _key(b, a)
        if key not in next(iter(self.table.values())):
            raise InputError("Comparison.worst", "a, b", f"a compared pair: {self.pairs}", key)
        if kind not in ("abs", "rel"):
            raise InputError("Comparison.worst", "kind", "'abs' or 'rel'", repr(kind))
        return max(row[key][kind] for row in self.table.values())

    def to_dict(self) -> dict[str, dict[str, dict[str, float]]]:
        """The table as plain nested dicts (parameter -> pair -> {"abs", "rel"})."""
        return {p: {k: dict(v) for k, v in row.items()} for p, row in self.table.items()}

    def __str__(self) -> str:
        keys = [_key(a, b) for a, b in self.pairs]
        first = self.gradients[self.pairs[0][0]]
        shapes = {p: "×".join(map(str, g.shape)) for p, g in first.items()}
        w = max(len(k) for k in keys) + 2
        head = f"{'param':<6} {'shape':>7}" + "".join(f"  {k:^{w}}" for k in keys)
        h, r = w // 2, w - w // 2
        sub = f"{'':<6} {'':>7}" + "".join(f"  {'abs':>{h}}{'rel':>{r}}" for _ in keys)
        lines = [head, sub]
        for p, row in self.table.items():
            cells = "".join(
                f"  {row[k]['abs']:>{w // 2}.1e}{row[k]['rel']:>{w - w // 2}.1e}" for k in keys
            )
            lines.append(f"{p:<6} {shapes[p]:>7}{cells}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        worst = ", ".join(f"{_key(a, b)}: {self.worst(a, b):.1e}" for a, b in self.pairs)
        return f"<Comparison, worst relative differences {worst}>"


def _diff(grads: dict[str, dict[str, np.ndarray]], a: str, b: str, p: str) -> tuple[float, float]:
    return differences(grads[a][p], grads[b][p])


def _key(a: str, b: str) -> str:
    return f"{a} vs {b}"


def is_network(net: Any) -> bool:
    """Whether ``net`` is a network compare and train can use: a net.MLP, or anything with
    ``gradients`` and ``params`` (a net.Network)."""
    return isinstance(net, MLP) or (
        callable(getattr(net, "gradients", None)) and hasattr(type(net), "params")
    )


def compare(
    mlp: Any,
    X: Any,
    T: Any,
    methods: Sequence[str] = ("jacobian", "shortcut", "numeric"),
) -> Comparison:
    """Compute the gradients by each method and compare every pair, parameter by parameter.

    Args:
        mlp: the network, a net.MLP or a net.Network.
        X, T: inputs and targets, samples as columns.
        methods: at least two of ``net.METHODS``.

    Shapes: X (m,) | (m, d), T (n,) | (n, d) (a Network's X: input_shape + (d,)).

    >>> net = MLP([2, 2, 1], ["sigmoid", "identity"])
    >>> c = compare(net, np.ones(2), np.zeros(1))
    >>> sorted(c.to_dict()["W1"])
    ['jacobian vs numeric', 'jacobian vs shortcut', 'shortcut vs numeric']
    """
    if not is_network(mlp):
        raise InputTypeError(
            "compare", "mlp", "a net.MLP or net.Network", f"{mlp!r} ({describe(mlp)})"
        )
    expected = f"two or more distinct names from {METHODS}"
    if isinstance(methods, (str, bytes)) or not isinstance(methods, (Sequence, np.ndarray)):
        raise InputTypeError("compare", "methods", expected, f"{methods!r} ({describe(methods)})")
    methods = tuple(methods)
    texts = all(isinstance(m, str) for m in methods)  # before set(): a list is not hashable
    if (
        not texts
        or len(methods) < 2
        or len(set(methods)) < len(methods)
        or set(methods) - set(METHODS)
    ):
        raise InputError("compare", "methods", expected, repr(methods))
    grads = {m: mlp.gradients(X, T, m) for m in methods}
    pairs = tuple(combinations(methods, 2))
    table = {
        p: {
            _key(a, b): dict(zip(("abs", "rel"), _diff(grads, a, b, p), strict=True))
            for a, b in pairs
        }
        for p in grads[methods[0]]
    }
    return Comparison(grads, pairs, table)
