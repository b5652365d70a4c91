"""The network's one forward pass, used by every gradient method, the cost and ``forward``.

Each layer is the registry's ``linear`` and activation, called through ``Operation.unchecked``:
the network checks its inputs, targets and parameters once per call, and each operation feeds the
next arrays it made, so the per-call checks would only repeat work. The contexts it keeps are what
the operations' rules build Jacobians from, so the full-Jacobian chain reads the same numbers the
shortcut and the numeric referee read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from jacobians import ACTIVATIONS, Context, linear

__all__ = ["Pass", "run"]


@dataclass(frozen=True, slots=True)
class Pass:
    """One forward pass: per layer k the contexts of linear and of the activation (keys k).

    ``z[k]`` and ``y[k]`` are their values, (n_k, d) with samples as columns; ``y[start]`` is the
    input.
    """

    linear: dict[int, Context]
    activation: dict[int, Context]
    z: dict[int, np.ndarray]
    y: dict[int, np.ndarray]


def run(
    activations: Sequence[str], params: Mapping[str, np.ndarray], Y: np.ndarray, start: int = 0
) -> Pass:
    """y⁽ᵏ⁾ = σ_k(W⁽ᵏ⁾ y⁽ᵏ⁻¹⁾ + b⁽ᵏ⁾) for k = start+1 … L, from checked (m, d) inputs Y."""
    lin, act, z, y = {}, {}, {}, {start: Y}
    make = linear.unchecked
    assert make is not None
    for k in range(start + 1, len(activations) + 1):
        lin[k] = c = make(params[f"W{k}"], y[k - 1], params[f"b{k}"])
        act[k] = a = ACTIVATIONS[activations[k - 1]].unchecked(c.value)  # type: ignore[misc]
        z[k], y[k] = c.value, a.value
    return Pass(lin, act, z, y)
