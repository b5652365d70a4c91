"""The network's activations and losses, read from the registry, and how they may be combined.

The forward pass and the Hadamard shortcut take each activation's value σ(z) and its backward map
g ↦ g·∂a/∂z (``vjp``: g ⊙ σ′(z), or a ⊙ (g − aᵀg) for softmax), and each loss's value and gradient
∇ℓ, from ``jacobians.OPERATIONS``: one definition per operation. The shortcut stays a separate
algorithm from the full-Jacobian chain (it never builds or multiplies a Jacobian), and numeric
differentiation stays the independent referee of both.

:data:`ACTIVATION_RULES` is a live view of ``jacobians.ACTIVATIONS``: an activation registered
later (``jacobians.register_activation``) is accepted by ``MLP`` at once. What this module adds is
the network's policy: which last activation each loss needs or refuses, and whether its targets
must be probability vectors.

Batches are (n, d) arrays whose d columns are samples; softmax works per column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from jacobians import ACTIVATIONS, COSTS, Operation


@dataclass(frozen=True)
class Activation:
    """σ and its backward map: ``back(z, a, g)`` is g ⊙ σ′(z) (per column for softmax)."""

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    back: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    analytic: bool = True


def _activation(op: Operation) -> Activation:
    if op.fn is None or op.vjp is None:
        raise AssertionError(f"activation {op.name!r} has no value or backward map in the registry")
    return Activation(op.name, op.fn, op.vjp, op.rules["z"].analytic)


class _Activations(Mapping[str, Activation]):
    """``jacobians.ACTIVATIONS`` seen as :class:`Activation` records, looked up at each access."""

    def __getitem__(self, name: str) -> Activation:
        return _activation(ACTIVATIONS[name])

    def __iter__(self) -> Iterator[str]:
        return iter(ACTIVATIONS)

    def __len__(self) -> int:
        return len(ACTIVATIONS)

    def __repr__(self) -> str:
        return f"<ACTIVATION_RULES of jacobians.ACTIVATIONS: {', '.join(ACTIVATIONS)}>"


ACTIVATION_RULES: Mapping[str, Activation] = _Activations()


@dataclass(frozen=True)
class Loss:
    """A loss ℓ(y, t) summed over every sample, its derivative ∂ℓ/∂y (shaped like y), and rules.

    Attributes:
        name: the loss name, also the name of the ``jacobians`` cost operation the chain uses.
        value: ℓ(Y, T) for a batch (n, d), summed over samples (the cost's unchecked value).
        grad: ∂ℓ/∂Y, shaped like Y (the cost's gradient).
        needs_last: the activation the last layer must have (None: any allowed but ``refuses``).
        refuses: last activations that make no sense with this loss.
        probabilities: targets must be probability vectors (entries in [0, 1], columns sum to 1).
        doc: one line on what the network's output means under this loss.
        impossible: the hint where the loss or its gradient is not finite at the output.
    """

    name: str
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]
    needs_last: str | None
    refuses: tuple[str, ...]
    probabilities: bool
    doc: str
    impossible: str = "scale the inputs X, the targets T or the parameters down"


def _loss(
    name: str,
    needs_last: str | None,
    refuses: tuple[str, ...],
    probabilities: bool,
    doc: str,
    *impossible: str,
) -> Loss:
    cost = COSTS[name]
    assert cost.fn is not None and cost.gradient is not None, name
    return Loss(name, cost.fn, cost.gradient, needs_last, refuses, probabilities, doc, *impossible)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        _loss(
            "squared_error",
            None,
            (),
            False,
            "ℓ = ½‖y⁽ᴸ⁾ − t‖²: the output is the prediction; any last activation.",
        ),
        _loss(
            "softmax_cross_entropy",
            None,
            ("softmax",),
            True,
            "ℓ = −Σ t log softmax(y⁽ᴸ⁾): the output is the logits; the loss applies softmax, so the"
            " last activation is usually identity (softmax there would apply it twice).",
        ),
        _loss(
            "cross_entropy",
            "softmax",
            (),
            True,
            "ℓ = −Σ t log y⁽ᴸ⁾: the output is a probability vector, so softmax must be last.",
            "the last softmax saturated (an output of 0, or one so small that t ⊘ y⁽ᴸ⁾ "
            "overflows, where the target is not 0): use loss 'softmax_cross_entropy' with "
            "'identity' last, which takes the logits and is finite for any of them",
        ),
    )
}
