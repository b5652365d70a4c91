"""Sources of derivation tables: the single layer, softmax with cross-entropy, and the catalogue.

Every row is read from the objects the code computes with: the factors are the Jacobians the
operations of :data:`jacobians.OPERATIONS` return, their closed forms and symbolic shapes are the
registry's rules, the running product is :func:`jacobians.compose`, and the multiply-adds are
:func:`jacobians.chain_costs`. The checks compare against computations that share none of that: the
Hadamard shortcut written out with numpy, and numeric differentiation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from jacobians import (
    ACTIVATIONS,
    COSTS,
    OPERATIONS,
    Jacobian,
    chain_costs,
    compose,
    linear,
    numeric,
    to_gradient,
)
from jacobians import catalog as registry_catalog

from . import _tex
from ._model import Case, Catalog, CatalogRow, Check, Derivation, Factor, Step

__all__ = ["MATRIX_LIMIT", "NUMERIC_LIMIT", "catalog", "single_layer", "softmax_cross_entropy"]

NUMERIC_LIMIT = 20_000  # numeric differentiation costs one pass per parameter entry
MATRIX_LIMIT = (16, 48)  # largest factor shown with show_matrices (rows, columns)
SIZE_LIMIT = 4096

# The cost's gradient ∇ₐC written out by hand: the shortcut's own formula, independent of the
# registry's rules, so that the check compares two computations.
_COST_GRADIENT: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "squared_error": lambda a, y: a - y,
    "cross_entropy": lambda a, y: -y / a,
    "binary_cross_entropy": lambda a, y: (1 - y) / (1 - a) - y / a,
}
# costs of probabilities, and the activations that give them (binary cross-entropy is per entry,
# so softmax, whose entries are tied together, is not one of them)
_PROBABILITY_COSTS = {"cross_entropy": ("sigmoid", "softmax"), "binary_cross_entropy": ("sigmoid",)}
_WRT = ("W", "b", "x")


def _choice(kind: str, name: str, known: Sequence[str], hint: str = "") -> str:
    if name not in known:
        extra = f"; {hint}" if hint else ""
        raise ValueError(f"unknown {kind} {name!r}: choose one of {', '.join(known)}{extra}")
    return name


def _size(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"size {name} must be a whole number, got {value!r}")
    if not 1 <= value <= SIZE_LIMIT:
        raise ValueError(f"size {name} must be between 1 and {SIZE_LIMIT}, got {value}")
    return int(value)


def _short(formula: str) -> str:
    """'a = σ(z) = 1/(1 + e^(−z))' -> 'a = σ(z)': the definition without its expansion."""
    return " = ".join(formula.split(" = ")[:2])


def factor_row(J: Jacobian, shape: str) -> Factor:
    """A table row for one Jacobian, with its symbolic shape (from the registry's rule)."""
    return Factor(
        symbol=J.symbol,
        symbol_latex=_tex.frac_symbol(J.of, J.wrt),
        closed_form=J.closed_form,
        closed_form_latex=J.latex,
        shape=shape,
        instance=(int(J.shape[0]), int(J.shape[1])),
        structure=J.kind,
        jacobian=J,
    )


def _dims(shape: str) -> tuple[str, str]:
    rows, cols = shape.split("×")
    return rows, cols


def running_product(factors: Sequence[Factor]) -> tuple[tuple[Step, ...], Jacobian]:
    """The product left to right (reverse mode, as backprop does it): a Step per multiplication."""
    P = factors[0].jacobian
    rows = _dims(factors[0].shape)[0]
    steps = []
    for F in factors[1:]:
        left = P.symbol
        P = compose(P, F.jacobian)
        steps.append(
            Step(
                left=left,
                right=F.symbol,
                result=P.symbol,
                result_latex=_tex.frac_symbol(P.of, P.wrt),
                shape=f"{rows}×{_dims(F.shape)[1]}",
                instance=(int(P.shape[0]), int(P.shape[1])),
            )
        )
    return tuple(steps), P


def _tolerance(reference: np.ndarray, rel: float) -> float:
    return rel * (1.0 + float(np.max(np.abs(reference))))


def difference_check(
    name: str,
    description: str,
    value: np.ndarray,
    reference: np.ndarray,
    rel: float = 1e-10,
    latex: str = "",
) -> Check:
    """The largest |value − reference|, with a tolerance relative to the reference's scale."""
    diff = float(np.max(np.abs(np.asarray(value) - np.asarray(reference))))
    return Check(name, description, diff, _tolerance(reference, rel), latex=latex)


def numeric_check(
    f: Callable[[np.ndarray], Any], param: np.ndarray, gradient: np.ndarray, complex_ok: bool
) -> Check:
    """The gradient against numeric differentiation of the cost (complex step where analytic)."""
    method = "complex" if complex_ok else "central"
    label = "complex step" if complex_ok else "central differences"
    description = f"max |chain − numeric ({label})|"
    latex = rf"$\max \lvert$chain $-$ numeric ({label})$\rvert$"
    if param.size > NUMERIC_LIMIT:
        reason = f"{param.size} parameters (numeric differentiation runs up to {NUMERIC_LIMIT})"
        return Check("numeric", description, None, 0.0, skipped=reason, latex=latex)
    num = numeric(f, param, method=method).matrix.reshape(param.shape)
    rel = 1e-10 if complex_ok else 1e-6
    return difference_check("numeric", description, gradient, num, rel, latex)


def _check_matrices(factors: Sequence[Factor]) -> None:
    rmax, cmax = MATRIX_LIMIT
    for F in factors:
        r, c = F.instance
        if r > rmax or c > cmax:
            raise ValueError(
                f"the matrices are shown up to {rmax} rows and {cmax} columns, and {F.symbol} is "
                f"{r}×{c} here: choose smaller sizes, or leave out the matrices"
            )


def build(
    *,
    source: str,
    setup: Sequence[tuple[str, str]],
    sizes: dict[str, int],
    options: dict[str, Any],
    wrt: str,
    param_shape: str,
    factors: Sequence[Factor],
    gradient_shape: tuple[int, ...],
    checks: Callable[[np.ndarray, Jacobian], Sequence[Check]],
    cases: Sequence[Case] = (),
    cases_of: str = "",
    notes: Sequence[str] = (),
    show_matrices: bool = False,
) -> Derivation:
    """Assemble a Derivation from its factors: the running product, the gradient and the checks."""
    if show_matrices:
        _check_matrices(factors)
    steps, row = running_product(factors)
    gradient = to_gradient(row, gradient_shape)
    costs = chain_costs(*(F.jacobian for F in factors))
    size_text = ", ".join(f"{k} = {v}" for k, v in sizes.items())
    title = f"∂C/∂{wrt} for {', '.join(t for t, _ in setup)} ({size_text})"
    title_latex = (
        f"${_tex.frac_symbol('C', wrt)}$ for {', '.join(f'${tex}$' for _, tex in setup)} "
        f"({', '.join(f'${_tex.math(k)} = {v}$' for k, v in sizes.items())})"
    )
    return Derivation(
        source=source,
        title=title,
        title_latex=title_latex,
        setup=tuple(setup),
        sizes=dict(sizes),
        options=dict(options),
        wrt=wrt,
        wrt_latex=_tex.math(wrt),
        param_shape=param_shape,
        factors=tuple(factors),
        steps=steps,
        gradient=np.asarray(gradient),
        checks=tuple(checks(np.asarray(gradient), row)),
        multiply_adds=dict(costs),
        cases=tuple(cases),
        cases_of=cases_of,
        notes=tuple(notes),
        show_matrices=show_matrices,
    )


def _layer_data(n: int, m: int, cost: str, seed: int) -> tuple[np.ndarray, ...]:
    """W, x, b, y drawn as in the README's tour, y fitted to the cost."""
    rng = np.random.default_rng(seed)
    W, x, b, y = rng.normal(size=(n, m)), rng.normal(size=m), rng.normal(size=n), rng.random(n)
    if cost == "cross_entropy":
        y = np.eye(n)[rng.integers(n)]
    elif cost == "binary_cross_entropy":
        y = (y < 0.5).astype(np.float64)
    return W, x, b, y


def single_layer(
    n: int = 3,
    m: int = 4,
    activation: str = "sigmoid",
    cost: str = "squared_error",
    wrt: str = "W",
    seed: int = 0,
    show_matrices: bool = False,
) -> Derivation:
    """The first write-up's layer a = σ(Wx + b) with cost C(a): ∂C/∂W = ∂C/∂a · ∂a/∂z · ∂z/∂W.

    Args:
        n, m: outputs and inputs of the layer (W is n×m).
        activation: a name of :data:`jacobians.ACTIVATIONS`.
        cost: ``squared_error``, ``cross_entropy`` (one-hot y) or ``binary_cross_entropy``.
        wrt: the parameter, ``W``, ``b`` or ``x``.
        seed: the random draw of W, x, b, y (the same draw as the README's tour).
        show_matrices: put the factors' numbers in the table (small sizes only).

    Shapes: 1×n · n×n · n×nm = 1×nm -> n×m for W (1×n -> n for b, 1×m -> m for x).

    >>> d = single_layer()
    >>> [F.instance for F in d.factors], d.gradient.shape, d.passed
    ([(1, 3), (3, 3), (3, 12)], (3, 4), True)
    """
    n, m = _size("n", n), _size("m", m)
    act_names = list(ACTIVATIONS)
    _choice("activation", activation, act_names)
    _choice(
        "cost",
        cost,
        list(_COST_GRADIENT),
        "for softmax with cross-entropy on logits use the softmax source",
    )
    _choice("parameter", wrt, _WRT)
    allowed = _PROBABILITY_COSTS.get(cost)
    if allowed is not None and activation not in allowed:
        raise ValueError(
            f"cost {cost!r} needs probabilities a in (0, 1): use activation "
            f"{' or '.join(allowed)}, not {activation!r}"
        )
    act, cst = OPERATIONS[activation], COSTS[cost]
    W, x, b, y = _layer_data(n, m, cost, seed)
    params = {"W": W, "x": x, "b": b}
    z = linear(W, x, b)
    a = act(z.value)
    C = cst(a.value, y)
    rules = [cst.rules["a"], act.rules["z"], OPERATIONS["linear"].rules[wrt]]
    jacs = [C.jacobian, a.jacobian, z.jacobians[wrt]]
    factors = [factor_row(J, r.shape) for J, r in zip(jacs, rules, strict=True)]

    # The shortcut, by hand: δ = ∇ₐC ⊙ σ′(z) (softmax: a ⊙ (g − aᵀg)), then δxᵀ, δ or Wᵀδ.
    g = _COST_GRADIENT[cost](a.value, y)
    if activation == "softmax":
        delta = a.value * (g - a.value @ g)
        delta_text = "δ = a ⊙ (∇ₐC − aᵀ∇ₐC)"
    else:
        delta = g * act.deriv(z.value)  # type: ignore[misc]
        delta_text = "δ = ∇ₐC ⊙ σ′(z)"
    shortcut, short_text = {
        "W": (np.outer(delta, x), "δ xᵀ"),
        "b": (delta, "δ"),
        "x": (W.T @ delta, "Wᵀ δ"),
    }[wrt]
    short_latex = _tex.math(short_text)
    delta_latex = (
        r"\delta = a \odot (\nabla_a C - a^{\top} \nabla_a C)"
        if activation == "softmax"
        else r"\delta = \nabla_a C \odot \sigma'(z)"
    )

    def cost_of(p: np.ndarray) -> Any:
        args = {**params, wrt: p}
        return cst.value(act.value(linear.value(args["W"], args["x"], args["b"])), y)

    complex_ok = all(r.analytic for r in rules)

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

    param = next(p for p in OPERATIONS["linear"].params if p.name == wrt)
    return build(
        source="single_layer",
        setup=[
            (_short(op.formula), _short(op.formula_latex))
            for op in (OPERATIONS["linear"], act, cst)
        ],
        sizes={"n": n, "m": m},
        options={"activation": activation, "cost": cost, "wrt": wrt, "seed": seed},
        wrt=wrt,
        param_shape=param.shape,
        factors=factors,
        gradient_shape=params[wrt].shape,
        checks=checks,
        show_matrices=show_matrices,
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
    n, m = _size("n", n), _size("m", m)
    _choice("parameter", wrt, _WRT)
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
        setup=[(_short(op.formula), _short(op.formula_latex)) for op in (lin, sm, ce)],
        sizes={"n": n, "m": m},
        options={"wrt": wrt, "seed": seed},
        wrt=wrt,
        param_shape=param.shape,
        factors=factors,
        gradient_shape=params[wrt].shape,
        checks=checks,
        cases=(
            Case(
                "i = j",
                "∂a_i/∂z_j = a_i(1 − a_i)",
                r"\frac{\partial a_i}{\partial z_j} = "
                r"a_i (1 - a_i)",
                r"i = j",
            ),
            Case(
                "i ≠ j",
                "∂a_i/∂z_j = −a_i a_j",
                r"\frac{\partial a_i}{\partial z_j} = "
                r"-a_i a_j",
                r"i \neq j",
            ),
        ),
        cases_of="∂a/∂z = diag(a) − a aᵀ",
        notes=(
            "With a one-hot y, ∂C/∂a · ∂a/∂z collapses to (a − y)ᵀ: the i ≠ j terms −a_i a_j "
            "and the i = j term a_i(1 − a_i) combine, since Σ_i y_i = 1.",
        ),
        show_matrices=show_matrices,
    )


def catalog() -> Catalog:
    """Every operation's Jacobian with respect to each input, from :data:`jacobians.OPERATIONS`.

    Shapes: one row per (operation, input) pair.

    >>> rows = catalog().rows
    >>> [(r.symbol, r.closed_form, r.shape) for r in rows if r.operation == "linear"][0]
    ('∂z/∂W', 'I_n ⊗ xᵀ', 'n×nm')
    """
    rows = []
    for op, rule in registry_catalog():
        rows.append(
            CatalogRow(
                operation=op.name,
                family=op.family,
                formula=op.formula,
                formula_latex=op.formula_latex,
                symbol=f"∂{op.output}/∂{rule.wrt}",
                symbol_latex=_tex.frac_symbol(op.output, rule.wrt),
                closed_form=rule.closed_form,
                closed_form_latex=rule.latex,
                shape=rule.shape,
                structure=rule.structure,
                params=tuple((p.name, p.shape) for p in op.params),
            )
        )
    return Catalog(tuple(rows))
