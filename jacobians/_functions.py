"""Elementwise functions: sin, cos, tan, arcsin, arccos, arctan, exp, log, abs, sign and sqrt.

Each is one :class:`~jacobians.Elementwise` row of the family "function": an operation (in
:data:`jacobians.OPERATIONS`, the catalogue, every registry-wide test, and expressions as
``sin(x)``), but not an activation: ``net.MLP`` and ``jacobians.testing.networks`` draw only
:data:`jacobians.ACTIVATIONS`, so they never meet log or arcsin. Like the activations, each takes
any shape (a scalar too) and ∂a/∂z = diag(f′(z)).

Domains, refused with an InputError naming the function and z, never a NaN:

- log needs z > 0; sqrt needs z ≥ 0, and z > 0 for its derivative (1/(2√z) is infinite at 0:
  sqrt(0) is 0, its Jacobian is refused); arcsin and arccos need −1 ≤ z ≤ 1, and −1 < z < 1 for
  their derivative (infinite at ±1); exp refuses a z whose e^z overflows.
- At the kinks the documented one-sided values are used: abs′(0) = 0 (the subgradient, like
  relu′(0) = 0), and sign′ = 0 everywhere, so sign's Jacobian is zero. Neither is complex-step
  differentiable at 0 (``analytic=False``); their tests draw inputs away from 0.

Every value is written to keep complex inputs complex (abs and sign read the real part), so
complex-step differentiation can check the analytic ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._elementwise import Domain, Elementwise, away_from_zero, register_activation
from ._expr_helpers import call

__all__ = [
    "abs",
    "arccos",
    "arcsin",
    "arctan",
    "cos",
    "exp",
    "log",
    "sign",
    "sin",
    "sqrt",
    "tan",
]


def _abs(z: np.ndarray) -> np.ndarray:
    """|z|, continued analytically for a complex step (the sign read from the real part)."""
    return np.where(np.real(z) >= 0, z, -z) if np.iscomplexobj(z) else np.abs(z)


def _sign(z: np.ndarray) -> np.ndarray:
    """sign(Re z) in z's dtype: −1, 0 or 1."""
    return np.sign(np.real(z)).astype(z.dtype)


def _arctan_slope(z: np.ndarray) -> np.ndarray:
    """1/(1 + z²), as r²/(1 + r²) with r = 1/z where |z| > 1: z² would overflow for |z| past
    1e154 (both forms analytic, so complex step applies)."""
    big = np.abs(np.real(z)) > 1
    s = np.where(big, 1 / np.where(big, z, 1), z)  # 1/z where |z| > 1, else z
    s2 = s * s
    return np.where(big, s2, 1) / (1 + s2)


def _overflows(re: np.ndarray) -> np.ndarray:
    return re > np.log(np.finfo(re.dtype).max)


def _fn(
    name: str,
    value: Callable[..., np.ndarray],
    derivative: Callable[..., np.ndarray],
    derivative_form: str,
    doc: str,
    sigma: Callable[..., Any],
    latex: tuple[str, str | None] | None = None,
    **extra: Any,
) -> Elementwise:
    """A row of the family "function": a = name(z); ``latex`` the formula's and σ′'s LaTeX."""
    formula_latex, derivative_latex = latex or (None, None)
    return Elementwise(
        name,
        value,
        derivative,
        f"{name}(z)",
        derivative_form,
        doc,
        family="function",
        derivative_expression=sigma,
        formula_latex=formula_latex,
        derivative_latex=derivative_latex,
        **extra,
    )


_UNIT = "−1 ≤ z ≤ 1"
_OPEN_UNIT = Domain(
    lambda re: np.abs(re) == 1,
    "−1 < z < 1 for the derivative ±1/√(1 − z²)",
    "the derivative is infinite at z = ±1",
)

# ----- the table: one row per function -----
TABLE = (
    _fn("sin", np.sin, lambda z, a: np.cos(z), "cos($z)", "The sine.",
        lambda x: call("cos", x), (r"\sin(z)", r"\cos($z)")),
    _fn("cos", np.cos, lambda z, a: -np.sin(z), "−sin($z)", "The cosine.",
        lambda x: -call("sin", x), (r"\cos(z)", r"-\sin($z)")),
    _fn("tan", np.tan, lambda z, a: 1 + a * a, "1 + tan²($z)", "The tangent (poles at π/2 + kπ).",
        lambda x: 1 + call("tan", x) ** 2, (r"\tan(z)", r"1 + \tan^{2}($z)"),
        draw=lambda z: 1.2 * np.tanh(z)),
    _fn("arcsin", np.arcsin, lambda z, a: 1 / np.sqrt(1 - z * z), "1 ⊘ √(1 − $z²)",
        "The inverse sine, for −1 ≤ z ≤ 1; its derivative is refused at ±1.",
        lambda x: 1 / call("sqrt", 1 - x**2),
        (r"\arcsin(z)", r"1 \oslash \sqrt{1 - $z^{2}}"),
        draw=lambda z: 0.9 * np.tanh(z), large=0.99,
        domain=Domain(lambda re: np.abs(re) > 1, _UNIT, "arcsin is real only on [−1, 1]"),
        derivative_domain=_OPEN_UNIT),
    _fn("arccos", np.arccos, lambda z, a: -1 / np.sqrt(1 - z * z), "−1 ⊘ √(1 − $z²)",
        "The inverse cosine, for −1 ≤ z ≤ 1; its derivative is refused at ±1.",
        lambda x: -(1 / call("sqrt", 1 - x**2)),
        (r"\arccos(z)", r"-1 \oslash \sqrt{1 - $z^{2}}"),
        draw=lambda z: 0.9 * np.tanh(z), large=0.99,
        domain=Domain(lambda re: np.abs(re) > 1, _UNIT, "arccos is real only on [−1, 1]"),
        derivative_domain=_OPEN_UNIT),
    _fn("arctan", np.arctan, lambda z, a: _arctan_slope(z), "1 ⊘ (1 + $z²)",
        "The inverse tangent.", lambda x: 1 / (1 + x**2),
        (r"\arctan(z)", None), draw=lambda z: 2 * z),
    _fn("exp", np.exp, lambda z, a: a.copy(), "exp($z)",
        "The exponential; a z whose e^z overflows (z > 709.78 in float64) is refused.",
        lambda x: call("exp", x), large=700.0,
        domain=Domain(_overflows, "z ≤ log of the largest float (709.78 in float64)",
                      "e^z overflows: work with log-values (logsumexp) instead")),
    _fn("log", np.log, lambda z, a: 1 / z, "1 ⊘ $z", "The natural logarithm, for z > 0.",
        lambda x: 1 / x, draw=lambda z: np.exp(z / 2),
        domain=Domain(lambda re: re <= 0, "z > 0", "log is real only for positive numbers")),
    _fn("abs", _abs, lambda z, a: _sign(z), "sign($z)",
        "The absolute value |z|; at 0 its derivative is the subgradient 0.",
        lambda x: call("sign", x), (r"\lvert z \rvert", r"\operatorname{sign}($z)"),
        draw=away_from_zero, analytic=False),
    _fn("sign", _sign, lambda z, a: np.zeros_like(z), "0",
        "The sign, −1, 0 or 1; its derivative is 0 everywhere (at 0, the one-sided value).",
        lambda x: 0, (r"\operatorname{sign}(z)", "0"), draw=away_from_zero, analytic=False),
    _fn("sqrt", np.sqrt, lambda z, a: 0.5 / a, "1 ⊘ (2√$z)",
        "The square root, for z ≥ 0; its derivative is refused at 0, where it is infinite.",
        lambda x: 0.5 / call("sqrt", x), (r"\sqrt{z}", r"1 \oslash (2 \sqrt{$z})"),
        draw=lambda z: np.exp(z / 2),
        domain=Domain(lambda re: re < 0, "z ≥ 0", "sqrt is real only for z ≥ 0"),
        derivative_domain=Domain(lambda re: re == 0, "z > 0 for the derivative 1/(2√z)",
                                 "√z has an infinite slope at 0 (its one-sided derivative)")),
)  # fmt: skip
FUNCTION_OPS = {entry.name: register_activation(entry) for entry in TABLE}
sin, cos, tan, arcsin, arccos, arctan, exp, log, abs, sign, sqrt = FUNCTION_OPS.values()
