"""The third write-up: softmax with cross-entropy, its Jacobian by cases, and the collapse of
∂C/∂a · ∂a/∂z to the fused rule (a − y)ᵀ."""

from __future__ import annotations

from typing import Any

import numpy as np

from jacobians import COSTS, OPERATIONS, Jacobian, compose

from . import _args, _tex
from ._build import build, difference_check, factor_row, numeric_check, short
from ._model import Case, Check, Derivation

__all__ = ["softmax_cross_entropy"]

_WRT = ("W", "b", "x")

# The softmax Jacobian's entries by case, and why the product collapses: the write-up's algebra,
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


def softmax_cross_entropy(
    n: int = 4, m: int = 3, wrt: str = "W", seed: int = 0, show_matrices: bool = False
) -> Derivation:
    """The third write-up: z = Wx + b, a = softmax(z), C = −Σ y log a with a one-hot y.

    The softmax Jacobian is shown by its two cases (i = j and i ≠ j), each checked entry by entry,
    and the product ∂C/∂a · ∂a/∂z is checked against the fused rule ∂C/∂z = (a − y)ᵀ.

    Shapes: 1×n · n×n · n×nm = 1×nm -> n×m for W.

    >>> d = softmax_cross_entropy()
    >>> [c.condition for c in d.cases], d.passed
    (['i = j', 'i ≠ j'], True)
    """
    op = "softmax_cross_entropy"
    n, m = _args.size(op, "n", n), _args.size(op, "m", m)
    _args.choice(op, "wrt", "parameter", wrt, _WRT)
    seed = _args.seed(op, seed)
    show_matrices = _args.flag(op, "show_matrices", show_matrices)
    sm, ce, lin = OPERATIONS["softmax"], COSTS["cross_entropy"], OPERATIONS["linear"]
    rng = np.random.default_rng(seed)
    W, x, b = 0.5 * rng.normal(size=(n, m)), rng.normal(size=m), 0.5 * rng.normal(size=n)
    y = np.eye(n)[rng.integers(n)]
    params = {"W": W, "x": x, "b": b}
    z = lin(W, x, b)
    a = sm(z.value)
    C = ce(a.value, y)
    rules = [ce.rules["a"], sm.rules["z"], lin.rules[wrt]]
    jacs = [C.jacobian, a.jacobian, z.jacobians[wrt]]
    factors = [factor_row(J, r.shape) for J, r in zip(jacs, rules, strict=True)]
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
    return build(
        source="softmax_cross_entropy",
        setup=[(short(op.formula), short(op.formula_latex)) for op in (lin, sm, ce)],
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
    )
