"""How every derivation table is assembled: argument checks, factor rows, the running product,
the checks, and :func:`build`.

Every row is read from the objects the code computes with: the factors are the Jacobians the
operations of :data:`jacobians.OPERATIONS` return, their closed forms and symbolic shapes are the
registry's rules, the running product is :func:`jacobians.compose`, and the multiply-adds are
:func:`jacobians.chain_costs`. The checks compare against computations that share none of that: a
shortcut written without Jacobians, and numeric differentiation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from jacobians import Jacobian, Result, chain_costs, compose, numeric, to_gradient

from . import _tex
from ._model import Case, Check, Degenerate, Derivation, Factor, Step, Value

__all__ = [
    "MATRIX_LIMIT",
    "NUMERIC_LIMIT",
    "SIZE_LIMIT",
    "build",
    "difference_check",
    "factor_row",
    "layer_factors",
    "numeric_check",
    "running_product",
    "short",
]

NUMERIC_LIMIT = 20_000  # numeric differentiation costs one pass per parameter entry
MATRIX_LIMIT = (16, 48)  # largest factor shown with show_matrices (rows, columns)
SIZE_LIMIT = 4096


# ----- arguments -----


def short(formula: str) -> str:
    """'a = σ(z) = 1/(1 + e^(−z))' -> 'a = σ(z)': the definition without its expansion."""
    return " = ".join(formula.split(" = ")[:2])


# ----- the factors and their product -----


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


def layer_factors(z: Result, a: Result, C: Result, wrt: str) -> list[Factor]:
    """The factors ∂C/∂a, ∂a/∂z, ∂z/∂wrt of one layer, from the results of its three calls
    (each with the symbolic shape its rule declares)."""
    pairs = [(C, "a"), (a, "z"), (z, wrt)]
    return [factor_row(r.jacobians[k], r.op.rules[k].shape) for r, k in pairs]


def _dims(shape: str) -> tuple[str, str]:
    rows, cols = shape.split("×")
    return rows, cols


def running_product(
    factors: Sequence[Factor], partials: list[Jacobian] | None = None
) -> tuple[tuple[Step, ...], Jacobian]:
    """The product left to right (reverse mode, as backprop does it): a Step per multiplication.
    ``partials``, if given, receives the product after each one."""
    P = factors[0].jacobian
    rows = _dims(factors[0].shape)[0]
    steps = []
    for F in factors[1:]:
        left = P.symbol
        P = compose(P, F.jacobian)
        if partials is not None:
            partials.append(P)
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


# ----- checks -----


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


# ----- the point -----


def _rows_of_product(
    factors: Sequence[Factor], steps: Sequence[Step], partials: Sequence[Jacobian]
) -> list[Value]:
    """The rows the product passes through before the gradient: the first factor (∂C/∂a) and
    each partial product but the last (∂C/∂z, …), as the table computed them."""
    first = factors[0]
    if first.instance[0] != 1:  # a chain that does not start at a scalar has no rows to show
        return []
    out = [
        Value(
            first.symbol,
            first.symbol_latex,
            "backward",
            first.jacobian.matrix[0],
            definition=first.closed_form,
            definition_latex=first.closed_form_latex,
        )
    ]
    for s, F, P in zip(steps[:-1], factors[1:], partials, strict=False):
        out.append(
            Value(
                s.result,
                s.result_latex,
                "backward",
                P.matrix[0],
                definition=f"{s.left} · {s.right}",
                definition_latex=rf"{_tex.frac_symbol(*_parts(s.left))} \, {F.symbol_latex}",
            )
        )
    return out


def _parts(symbol: str) -> tuple[str, str]:
    """∂C/∂a -> ("C", "a")."""
    of, wrt = symbol[1:].split("/∂", 1)
    return of, wrt


def zero_gradient(wrt: str, gradient: np.ndarray) -> list[Degenerate]:
    """The note of a gradient that vanishes at the point (every entry exactly 0)."""
    if np.any(gradient):
        return []
    entries = "its one entry" if gradient.size == 1 else f"all {gradient.size} entries"
    rest = f"is zero at this point ({entries}): a step of gradient descent "
    return [
        Degenerate(
            "zero_gradient",
            f"The gradient ∂C/∂{wrt} {rest}would not move {wrt}.",
            latex=f"The gradient ${_tex.math(f'∂C/∂{wrt}')}$ {_tex.text(rest)}would not move "
            f"${_tex.math(wrt)}$.",
        )
    ]


# ----- the table -----


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
    values: Sequence[Value] = (),
    degenerate: Sequence[Degenerate] = (),
) -> Derivation:
    """Assemble a Derivation from its factors: the running product, the gradient and the checks.

    ``values`` are the point's inputs and forward values; the rows of the product are added
    after them. ``degenerate`` says what the source found (a layer with no active unit); a
    gradient that vanishes is noted here.
    """
    if show_matrices:
        _check_matrices(factors)
    partials: list[Jacobian] = []
    steps, row = running_product(factors, partials)
    gradient = to_gradient(row, gradient_shape)
    rows_of_product = _rows_of_product(factors, steps, partials)
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
        values=(*values, *rows_of_product),
        degenerate=(*degenerate, *zero_gradient(wrt, np.asarray(gradient))),
    )


def network_checks(
    net: Any, X: np.ndarray, T: np.ndarray, wrt: str, grad: np.ndarray, shortcut_words: str
) -> list[Check]:
    """A network's chain for ``wrt`` (``grad``, shaped as the table shows it) against the net's
    hand-written backward pass (``shortcut_words`` says which, in the check's description) and
    against its numeric gradient where the parameters are few enough (a table's checks, for
    ``net.MLP`` and ``net.Network`` alike)."""
    shortcut = net.gradients(X, T, "shortcut")[wrt].reshape(grad.shape)
    out = [
        difference_check(
            "shortcut",
            f"max |chain − {shortcut_words}|",
            grad,
            shortcut,
            latex=rf"$\max \lvert$chain $-$ {shortcut_words}$\rvert$",
        )
    ]
    label = "complex step" if net.analytic else "central differences"
    description = f"max |chain − numeric ({label})|"
    latex = rf"$\max \lvert$chain $-$ numeric ({label})$\rvert$"
    total = sum(int(np.prod(s)) for s in net.shapes.values())
    if total > NUMERIC_LIMIT:
        reason = f"{total} parameters (numeric differentiation runs up to {NUMERIC_LIMIT})"
        out.append(Check("numeric", description, None, 0.0, skipped=reason, latex=latex))
    else:
        num = net.gradients(X, T, "numeric")[wrt].reshape(grad.shape)
        rel = 1e-10 if net.analytic else 1e-6
        out.append(difference_check("numeric", description, grad, num, rel, latex))
    return out
