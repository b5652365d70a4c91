"""The output layer: softmax with cross-entropy, its Jacobian by cases, and the collapse of
∂C/∂a · ∂a/∂z to the fused rule (a − y)ᵀ."""

from __future__ import annotations

from typing import Any

import numpy as np

from jacobians import COSTS, OPERATIONS, Jacobian, compose

from . import _args, _tex
from ._build import build, difference_check, layer_factors, numeric_check, short
from ._model import Case, Check, Derivation
from ._point import at_the_point, computed, first_live, given_layer, inactive, inputs

__all__ = ["softmax_cross_entropy"]

_WRT = ("W", "b", "x")
_ORDER = ("W", "x", "b", "y")  # the inputs, in the order they are drawn and shown
_KINDS = {"W": "matrix", "x": "vector", "b": "vector", "y": "vector"}

# The softmax Jacobian's entries by case, and why the product collapses: the algebra done by hand,
# which the checks below verify entry by entry.
_CASES = (
    Case(
        "i = j",
        "∂a_i/∂z_j = a_i(1 − a_i)",
        r"\frac{\partial a_i}{\partial z_j} = a_i (1 - a_i)",
        r"i = j",
    ),
    Case(
        "i ≠ j",
        "∂a_i/∂z_j = −a_i a_j",
        r"\frac{\partial a_i}{\partial z_j} = -a_i a_j",
        r"i \neq j",
    ),
)
_NOTE = (
    "With a one-hot y, ∂C/∂a · ∂a/∂z collapses to (a − y)ᵀ: the i ≠ j terms −a_i a_j "
    "and the i = j term a_i(1 − a_i) combine, since Σ_i y_i = 1."
)


def _draw(n: int, m: int, seed: int) -> dict[str, np.ndarray]:
    """The seed's point: W and b scaled by ½ (so the softmax is not saturated), a one-hot y;
    another draw of the generator while a = y (only possible with n = 1, where every point is
    degenerate and the first draw is kept)."""
    rng = np.random.default_rng(seed)

    def draw() -> tuple[np.ndarray, ...]:
        W, x, b = 0.5 * rng.normal(size=(n, m)), rng.normal(size=m), 0.5 * rng.normal(size=n)
        return W, x, b, np.eye(n)[rng.integers(n)]

    def live(point: tuple[np.ndarray, ...]) -> bool:
        W, x, b, y = point
        return bool(np.any(OPERATIONS["softmax"].value(W @ x + b) - y))

    return dict(zip(_ORDER, first_live(draw, live), strict=True))


def softmax_cross_entropy(
    n: int | None = None,
    m: int | None = None,
    wrt: str = "W",
    seed: int = 0,
    show_matrices: bool = False,
    *,
    W: Any = None,
    x: Any = None,
    b: Any = None,
    y: Any = None,
) -> Derivation:
    """The softmax output layer: z = Wx + b, a = softmax(z), C = −Σ y log a with a one-hot y.

    The softmax Jacobian is shown by its two cases (i = j and i ≠ j), each checked entry by entry,
    and the product ∂C/∂a · ∂a/∂z is checked against the fused rule ∂C/∂z = (a − y)ᵀ.

    Args:
        n, m: classes and inputs (W is n×m); 4 and 3 unless the arrays given fix them.
        wrt: the parameter, ``W``, ``b`` or ``x``.
        seed: the random draw of the inputs not given.
        show_matrices: put the factors' numbers in the table (small sizes only).
        W, x, b, y: the point, any subset (vectors (k,) or (k, 1); y a probability vector, as
            the collapse to (a − y)ᵀ needs); the others are drawn from ``seed``.

    Shapes: 1×n · n×n · n×nm = 1×nm -> n×m for W.

    >>> d = softmax_cross_entropy()
    >>> [c.condition for c in d.cases], d.passed
    (['i = j', 'i ≠ j'], True)
    """
    op = "softmax_cross_entropy"
    _args.choice(op, "wrt", "parameter", wrt, _WRT)
    seed = _args.seed(op, seed)
    show_matrices = _args.flag(op, "show_matrices", show_matrices)
    arrays = {"W": W, "x": x, "b": b, "y": y}
    given, n, m = given_layer(op, arrays, _KINDS, (n, m), (4, 3), True)
    point = {**_draw(n, m, seed), **given}
    W, x, b, y = (point[k] for k in _ORDER)
    sm, ce, lin = OPERATIONS["softmax"], COSTS["cross_entropy"], OPERATIONS["linear"]
    params = {"W": W, "x": x, "b": b}
    with at_the_point(op, given):  # a given point may leave floating-point range
        z = lin(W, x, b)
        a = sm(z.value)
        C = ce(a.value, y)
        factors = layer_factors(z, a, C, wrt)
        s = a.value
        J = a.jacobian.matrix
        off = ~np.eye(n, dtype=bool)
        fused = COSTS["softmax_cross_entropy"](z.value, y).jacobian
    # the output error written out by hand, independent of the registry's rules
    shortcut = {"W": np.outer(s - y, x), "b": s - y, "x": W.T @ (s - y)}[wrt]
    short_text = {"W": "(a − y) xᵀ", "b": "a − y", "x": "Wᵀ(a − y)"}[wrt]

    def cost_of(p: np.ndarray) -> Any:
        args = {**params, wrt: p}
        return ce.value(sm.value(lin.value(args["W"], args["x"], args["b"])), y)

    def checks(grad: np.ndarray, row: Jacobian) -> list[Check]:
        dC_dz = compose(C.jacobian, a.jacobian).matrix
        return [
            difference_check(
                "case i = j",
                "max |∂a_i/∂z_i − a_i(1 − a_i)|",
                np.diag(J),
                s * (1 - s),
                latex=r"$\max_i \lvert \partial a_i / \partial z_i - a_i (1 - a_i) \rvert$",
            ),
            difference_check(
                "case i ≠ j",
                "max |∂a_i/∂z_j + a_i a_j| over i ≠ j",
                J[off] if n > 1 else np.zeros(1),
                (-np.outer(s, s))[off] if n > 1 else np.zeros(1),
                latex=r"$\max_{i \neq j} \lvert \partial a_i / \partial z_j + a_i a_j \rvert$",
            ),
            difference_check(
                "fused",
                "max |∂C/∂a · ∂a/∂z − (a − y)ᵀ| (the fused rule)",
                dC_dz,
                fused.matrix,
                latex=r"$\max \lvert \frac{\partial C}{\partial a} \frac{\partial a}{\partial z}"
                r" - (a - y)^{\top} \rvert$ (the fused rule)",
            ),
            difference_check(
                "shortcut",
                f"max |chain − shortcut {short_text}|",
                grad,
                shortcut,
                latex=rf"$\max \lvert$chain $-$ shortcut ${_tex.math(short_text)}\rvert$",
            ),
            numeric_check(cost_of, params[wrt], grad, True),
        ]

    param = next(p for p in lin.params if p.name == wrt)
    setup = [(short(op.formula), short(op.formula_latex)) for op in (lin, sm, ce)]
    forward = computed(setup, [z.value, a.value, C.value])
    with at_the_point(op, given):
        return build(
            source="softmax_cross_entropy",
            setup=setup,
            sizes={"n": n, "m": m},
            options={"wrt": wrt, "seed": seed},
            wrt=wrt,
            param_shape=param.shape,
            factors=factors,
            gradient_shape=params[wrt].shape,
            checks=checks,
            cases=_CASES,
            cases_of="∂a/∂z = diag(a) − a aᵀ",
            notes=(_NOTE,),
            show_matrices=show_matrices,
            values=[*inputs(point, set(given), columns=("x", "b", "y")), *forward],
            degenerate=inactive(
                "softmax",
                z.value,
                1,
                "the layer",
                "z",
                (
                    "the gradients of W, b and x are zero",
                    "the gradients of $W$, $b$ and $x$ are zero",
                ),
            ),
        )
