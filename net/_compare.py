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


def differences(a: np.ndarray, b: np.ndarray, scale: float | None = None) -> tuple[float, float]:
    """(largest absolute difference, the same relative to ``scale``).

    ``scale`` is the size the difference is measured against; None takes the larger of the two
    max-norms, max(max|a|, max|b|). :func:`compare` passes the whole gradient's (every
    parameter's): a parameter whose gradient is 0 in theory (a bias before a batch norm) then
    shows its rounding as rounding, not as rounding over rounding, which is 1. The figure is 0
    when the scale is 0, so entries that are 0 everywhere (a dead relu unit) never divide by 0.

    >>> differences(np.array([1.0, 0.0]), np.array([1.0, 1e-9]))
    (1e-09, 1e-09)
    >>> a, b = np.array([1e-16]), np.array([0.0])     # rounding where the gradient is 0
    >>> differences(a, b)[1], differences(a, b, scale=0.5)[1]
    (1.0, 2e-16)
    """
    diff = float(np.max(np.abs(a - b), initial=0.0))
    if scale is None:
        scale = _peak(a, b)
    return diff, (diff / scale if scale > 0 else 0.0)


def _peak(*arrays: np.ndarray) -> float:
    """The largest |entry| of the arrays (0 for none or empty ones)."""
    return float(max((np.max(np.abs(x), initial=0.0) for x in arrays), default=0.0))


@dataclass(frozen=True)
class Comparison:
    """Per parameter and per pair of methods, the largest absolute and relative differences.

    For methods a and b and a parameter p, ``abs`` is max|a_p − b_p| over p's entries, and
    ``rel`` is that over the scale of the whole gradient: the largest |entry| of a's or b's
    gradient over every parameter (``rel`` is 0 when that scale is 0). So ``worst(a, b)`` is the
    norm-wise relative difference of the two gradients as vectors, ‖a − b‖∞ / max(‖a‖∞, ‖b‖∞).
    Rounding stays at rounding's size where a gradient is 0 in theory (a bias before a batch
    norm: over its own size, rounding over rounding, it would be about 1). A parameter whose
    gradient is wrong by its own size shows that size over the largest entry: about 1 for a
    parameter of the gradient's usual size, but only 1e-6 for one whose gradient is 1e-6 of
    the largest; read such a parameter's ``abs`` beside its gradient.

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
        """The largest difference (``"abs"`` or ``"rel"``, as the class says) between methods a
        and b over all parameters (0 for a network without parameters)."""
        if (a, b) in self.pairs:
            key = _key(a, b)
        elif (b, a) in self.pairs:
            key = _key(b, a)
        else:
            raise InputError(
                "Comparison.worst",
                "a, b",
                f"a compared pair: {self.pairs}",
                f"a = {a!r}, b = {b!r}",
            )
        if kind not in ("abs", "rel"):
            raise InputError("Comparison.worst", "kind", "'abs' or 'rel'", repr(kind))
        return max((row[key][kind] for row in self.table.values()), default=0.0)

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


def _scale(grads: dict[str, dict[str, np.ndarray]], a: str, b: str) -> float:
    """The whole gradient's scale for the pair: the largest |entry| of a's or b's, over every
    parameter."""
    return _peak(*grads[a].values(), *grads[b].values())


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

    Returns:
        A :class:`Comparison`: per parameter and pair, the largest absolute difference and the
        same relative to the scale of the pair's whole gradient (its largest |entry| over every
        parameter), so ``worst(a, b)`` is ‖a − b‖∞ / max(‖a‖∞, ‖b‖∞) of the gradients as vectors.

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
    scales = {(a, b): _scale(grads, a, b) for a, b in pairs}
    table = {
        p: {
            _key(a, b): dict(
                zip(
                    ("abs", "rel"), differences(grads[a][p], grads[b][p], scales[a, b]), strict=True
                )
            )
            for a, b in pairs
        }
        for p in grads[methods[0]]
    }
    return Comparison(grads, pairs, table)
