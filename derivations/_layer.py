"""A single layer: z = Wx + b, a = σ(z), C(a), and ∂C/∂W (or b, x) as the
chain ∂C/∂a · ∂a/∂z · ∂z/∂W, checked against the Hadamard shortcut and numeric differentiation.

The shortcut's δ is computed from the registry's arrays (the cost's ``gradient`` ∇ₐC and the
activation's ``vjp``), without any Jacobian or product of Jacobians.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jacobians import ACTIVATIONS, COSTS, OPERATIONS, Jacobian, Operation, linear
from reshape import InputError

from . import _args, _tex
from ._build import build, difference_check, layer_factors, numeric_check, short
from ._model import Check, Derivation
from ._point import at_the_point, computed, first_live, given_layer, inactive, inputs

__all__ = ["single_layer"]

# costs of probabilities, and the activations that give them (binary cross-entropy is per entry,
# so softmax, whose entries are tied together, is not one of them)
_PROBABILITY_COSTS = {"cross_entropy": ("sigmoid", "softmax"), "binary_cross_entropy": ("sigmoid",)}
_WRT = ("W", "b", "x")
_WRT_ORDER = ("W", "x", "b", "y")  # the inputs, in the order they are drawn and shown
_KINDS = {"W": "matrix", "x": "vector", "b": "vector", "y": "vector"}


def _layer_costs() -> list[str]:
    """The costs of the activation's output a (the fused costs on logits z are other sources')."""
    return [name for name, op in COSTS.items() if op.params[0].name == "a"]


def _layer_data(n: int, m: int, cost: str, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """One draw of W, x, b, y as in the README's tour, y fitted to the cost."""
    W, x, b, y = rng.normal(size=(n, m)), rng.normal(size=m), rng.normal(size=n), rng.random(n)
    if cost == "cross_entropy":
        y = np.eye(n)[rng.integers(n)]
    elif cost == "binary_cross_entropy":
        y = (y < 0.5).astype(np.float64)
    return W, x, b, y


def _draw(n: int, m: int, activation: str, cost: str, seed: int) -> dict[str, np.ndarray]:
    """The seed's point: its first draw (the README's tour), or the generator's next draws until
    ∂C/∂z is not zero (relu with no active unit), as ``_point`` explains."""
    act, cst = OPERATIONS[activation], COSTS[cost]
    rng = np.random.default_rng(seed)

    def live(point: tuple[np.ndarray, ...]) -> bool:
        W, x, b, y = point
        z = W @ x + b
        return bool(np.any(_delta(act, cst, z, act.value(z), y)))

    return dict(
        zip(_WRT_ORDER, first_live(lambda: _layer_data(n, m, cost, rng), live), strict=True)
    )


def _delta(
    act: Operation, cost: Operation, z: np.ndarray, a: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """The shortcut's δ = ∂C/∂z as an array: ∇ₐC ⊙ σ′(z) (softmax: a ⊙ (g − aᵀg), g = ∇ₐC)."""
    return act.vjp(z, a, cost.gradient(a, y))  # type: ignore[misc]


def single_layer(
    n: int | None = None,
    m: int | None = None,
    activation: str = "sigmoid",
    cost: str = "squared_error",
    wrt: str = "W",
    seed: int = 0,
    show_matrices: bool = False,
    *,
    W: Any = None,
    x: Any = None,
    b: Any = None,
    y: Any = None,
) -> Derivation:
    """The layer a = σ(Wx + b) with cost C(a): ∂C/∂W = ∂C/∂a · ∂a/∂z · ∂z/∂W.

    Args:
        n, m: outputs and inputs of the layer (W is n×m); 3 and 4 unless the arrays given fix
            them (a size that contradicts a given array is refused).
        activation: a name of :data:`jacobians.ACTIVATIONS`.
        cost: ``squared_error``, ``cross_entropy`` or ``binary_cross_entropy`` (y of
            probabilities, entries in [0, 1]; drawn one-hot and 0/1).
        wrt: the parameter, ``W``, ``b`` or ``x``.
        seed: the random draw of the inputs not given (the same draw as the README's tour; a
            draw at which ∂C/∂z = 0, a relu with no active unit, is replaced by the generator's
            next, so the default points are not degenerate).
        show_matrices: put the factors' numbers in the table (small sizes only).
        W, x, b, y: the point, any subset (vectors (k,) or (k, 1)); the others are drawn from
            ``seed``, as if none were given. A degenerate point given is said in the table.

    Shapes: 1×n · n×n · n×nm = 1×nm -> n×m for W (1×n -> n for b, 1×m -> m for x).

    >>> d = single_layer()
    >>> [F.instance for F in d.factors], d.gradient.shape, d.passed
    ([(1, 3), (3, 3), (3, 12)], (3, 4), True)
    >>> d = single_layer(W=[[1.0, 2.0]], x=[1.0, -1.0], b=[0.0], y=[0.0], activation="identity")
    >>> d.gradient  # δ = a − y = Wx + b − y = −1, and δxᵀ
    array([[-1.,  1.]])
    """
    op = "single_layer"
    _args.choice(op, "activation", "activation", activation, list(ACTIVATIONS))
    hint = "for softmax with cross-entropy on logits use the softmax source"
    _args.choice(op, "cost", "cost", cost, _layer_costs(), hint)
    _args.choice(op, "wrt", "parameter", wrt, _WRT)
    seed = _args.seed(op, seed)
    show_matrices = _args.flag(op, "show_matrices", show_matrices)
    allowed = _PROBABILITY_COSTS.get(cost)
    if allowed is not None and activation not in allowed:
        raise InputError(
            op,
            "activation",
            f"{' or '.join(allowed)}: cost {cost!r} needs probabilities a in (0, 1)",
            repr(activation),
        )
    arrays = {"W": W, "x": x, "b": b, "y": y}
    probability = None if allowed is None else False
    given, n, m = given_layer(op, arrays, _KINDS, (n, m), (3, 4), probability)
    point = {**_draw(n, m, activation, cost, seed), **given}
    W, x, b, y = (point[k] for k in _WRT_ORDER)
    act, cst, lin = OPERATIONS[activation], COSTS[cost], OPERATIONS["linear"]
    params = {"W": W, "x": x, "b": b}
    with at_the_point(op, given):  # a given point may leave floating-point range
        z = linear(W, x, b)
        a = act(z.value)
        C = cst(a.value, y)
        factors = layer_factors(z, a, C, wrt)

        # The shortcut: δ, then δxᵀ, δ or Wᵀδ. The descriptions say which δ the activation makes.
        delta = _delta(act, cst, z.value, a.value, y)
    shortcut, short_text = {
        "W": (np.outer(delta, x), "δ xᵀ"),
        "b": (delta, "δ"),
        "x": (W.T @ delta, "Wᵀ δ"),
    }[wrt]
    short_latex = _tex.math(short_text)
    if activation == "softmax":
        delta_text = "δ = a ⊙ (∇ₐC − aᵀ∇ₐC)"
        delta_latex = r"\delta = a \odot (\nabla_a C - a^{\top} \nabla_a C)"
    else:
        delta_text = "δ = ∇ₐC ⊙ σ′(z)"
        delta_latex = r"\delta = \nabla_a C \odot \sigma'(z)"

    def cost_of(p: np.ndarray) -> Any:
        args = {**params, wrt: p}
        return cst.value(act.value(linear.value(args["W"], args["x"], args["b"])), y)

    complex_ok = all(r.analytic for r in (cst.rules["a"], act.rules["z"], lin.rules[wrt]))

    def checks(grad: np.ndarray, row: Jacobian) -> list[Check]:
        return [
            difference_check(
                "shortcut",
                f"max |chain − Hadamard shortcut {short_text}|, {delta_text}",
                grad,
                shortcut,
                latex=rf"$\max \lvert$chain $-$ Hadamard shortcut ${short_latex}\rvert$, "
                rf"${delta_latex}$",
            ),
            numeric_check(cost_of, params[wrt], grad, complex_ok),
        ]

    param = next(p for p in lin.params if p.name == wrt)
    setup = [(short(op.formula), short(op.formula_latex)) for op in (lin, act, cst)]
    forward = computed(setup, [z.value, a.value, C.value])
    with at_the_point(op, given):
        return build(
            source="single_layer",
            setup=setup,
            sizes={"n": n, "m": m},
            options={"activation": activation, "cost": cost, "wrt": wrt, "seed": seed},
            wrt=wrt,
            param_shape=param.shape,
            factors=factors,
            gradient_shape=params[wrt].shape,
            checks=checks,
            show_matrices=show_matrices,
            values=[*inputs(point, set(given), columns=("x", "b", "y")), *forward],
            degenerate=inactive(
                activation,
                z.value,
                1,
                "the layer",
                "z",
                (
                    "∂a/∂z = 0, and the gradients of W, b and x are zero",
                    r"$\partial a / \partial z = 0$, and the gradients of $W$, $b$ and $x$ are "
                    "zero",
                ),
            ),
        )
