"""Elementwise arithmetic: w = u + v, u − v, −u, u ⊙ v, u ⊘ v and u^v, one definition each.

A scalar operand (a 0-D array or a Python number) is broadcast over the other; nothing else is
((n,) meets (n, 1), as everywhere; :mod:`jacobians._binary` checks the operands). Where an operand
has the output's shape its Jacobian is diagonal (the identity for add); a scalar operand broadcast
over n entries gets a column n×1. Nothing comes back inf or NaN: a zero divisor, a negative base
with a fractional exponent, 0 to a negative power, an overflowing result are refused, and so are
∂(u^v)/∂u at u = 0 for 0 < v < 1 (infinite) and ∂(u^v)/∂v where u ≤ 0 (u^v is a function of v
only for u > 0).

Each rule's expression and adjoint come from its local derivative through ``rule_forms``
(:mod:`jacobians._expr_helpers`), which the activations, the functions and hadamard share too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from reshape import as_array

from ._binary import (
    BinaryContext,
    arithmetic,
    binary,
    derivative,
    draws,
    either,
    ones_jacobian,
    partial_jacobian,
)
from ._binary import broadcast_shape as broadcast_shape  # where it was before
from ._checks import domain
from ._expr_helpers import call, mul, rule_forms
from ._expr_helpers import partial_adjoint as partial_adjoint  # where they were before
from ._expr_helpers import partial_expression as partial_expression
from ._jacobian import Jacobian
from ._registry import Context, operation
from ._structures import Diagonal

__all__ = ["BinaryContext", "add", "divide", "multiply", "negate", "power", "subtract"]


# ----- w = u + v, u − v -----
@arithmetic("w = $u + $v", "w = $u + $v", "+", np.add)
def add(u: Any, v: Any) -> BinaryContext:
    """w = u + v, entrywise; a scalar operand is added to every entry of the other.

    Shapes: u, v of one shape, or either a scalar -> w; ∂w/∂u = I_n (1_n, n×1, for a scalar u).

    >>> add(np.ones(2), 3.0).jacobians["v"].matrix
    array([[1.],
           [1.]])
    """
    return binary(add, u, v)


@add.rule("u", **either("u", "I_n", "1_n"), **rule_forms(0, lambda u, v: 1))
def add_du(c: BinaryContext) -> Jacobian:
    """I_n, or the column 1_n for a scalar u."""
    return ones_jacobian(c, c.u.ndim == 0)


@add.rule("v", **either("v", "I_n", "1_n"), **rule_forms(1, lambda u, v: 1))
def add_dv(c: BinaryContext) -> Jacobian:
    """I_n, or the column 1_n for a scalar v."""
    return ones_jacobian(c, c.v.ndim == 0)


@arithmetic("w = $u − $v", "w = $u - $v", "-", np.subtract)
def subtract(u: Any, v: Any) -> BinaryContext:
    """w = u − v, entrywise; a scalar operand is broadcast over the other.

    Shapes: u, v of one shape, or either a scalar -> w; ∂w/∂v = −I_n (−1_n for a scalar v).

    >>> subtract(np.ones(2), np.ones(2)).jacobians["v"].kind
    'diagonal'
    """
    return binary(subtract, u, v)


@subtract.rule("u", **either("u", "I_n", "1_n"), **rule_forms(0, lambda u, v: 1))
def subtract_du(c: BinaryContext) -> Jacobian:
    """I_n, or the column 1_n for a scalar u."""
    return ones_jacobian(c, c.u.ndim == 0)


@subtract.rule("v", **either("v", "−I_n", "−1_n"), **rule_forms(1, lambda u, v: -1))
def subtract_dv(c: BinaryContext) -> Jacobian:
    """−I_n as diag(−1), or the column −1_n for a scalar v."""
    return ones_jacobian(c, c.v.ndim == 0, -1)


# ----- w = −u -----
@dataclass(slots=True)
class NegateContext(Context):
    """negate's context: u, of any shape."""

    u: np.ndarray


@operation(
    "arithmetic", "w", "w = −$u", "w = -$u", {"u": "n"}, "n",
    lambda *draw: {"u": draws()(*draw)["u"]},
    shape_of=lambda same, s: s, syntax=("prefix", "-"),
    unchecked=lambda u: NegateContext(np.negative(u), {"u": u}, u),
)  # fmt: skip
def negate(u: Any) -> NegateContext:
    """w = −u, entrywise.

    Shapes: u of any shape -> w of the same shape; ∂w/∂u = −I_n, kept as diag(−1).

    >>> negate(np.array([1.0, 2.0])).value
    array([-1., -2.])
    """
    return negate.unchecked(as_array(u, "negate", "u"))  # type: ignore[misc]


@negate.rule("u", "−I_n", "n×n", **rule_forms(0, lambda u: -1))
def negate_du(c: NegateContext) -> Jacobian:
    """−I_n as diag(−1)."""
    return Diagonal(np.full(c.u.shape, -1, dtype=c.value.dtype))


# ----- w = u ⊙ v, u ⊘ v -----
@arithmetic("w = $u ⊙ $v", r"w = $u \odot $v", ".*", np.multiply)
def multiply(u: Any, v: Any) -> BinaryContext:
    """w = u ⊙ v, entrywise; a scalar operand scales every entry of the other.

    Shapes: u, v of one shape, or either a scalar -> w; ∂w/∂u = diag(v) (vec(v), n×1, for a
    scalar u; v I_n for a scalar v).

    >>> multiply(2.0, np.array([1.0, 3.0])).jacobians["u"].matrix
    array([[1.],
           [3.]])
    """
    return binary(multiply, u, v)


@multiply.rule("u", **either("u", "diag($v)", "vec($v)"), **rule_forms(0, lambda u, v: v))
def multiply_du(c: BinaryContext) -> Jacobian:
    """diag(v), or the column v for a scalar u."""
    return partial_jacobian(c, c.v, c.u.ndim == 0)


@multiply.rule("v", **either("v", "diag($u)", "vec($u)"), **rule_forms(1, lambda u, v: u))
def multiply_dv(c: BinaryContext) -> Jacobian:
    """diag(u), or the column u for a scalar v."""
    return partial_jacobian(c, c.u, c.v.ndim == 0)


def _nonzero_divisor(u: np.ndarray, v: np.ndarray) -> None:
    hint = "u ⊘ v is undefined where v = 0; add a small offset or mask those entries out"
    domain("divide", "v", v, v == 0, "a divisor with no zero entry", hint)


@arithmetic("w = $u ⊘ $v", r"w = $u \oslash $v", "./", np.divide, examples=draws(v="nonzero"))
def divide(u: Any, v: Any) -> BinaryContext:
    """w = u ⊘ v, entrywise; a scalar operand is broadcast; a zero in v is refused.

    Shapes: u, v of one shape, or either a scalar -> w; ∂w/∂u = diag(1 ⊘ v),
    ∂w/∂v = −diag(u ⊘ v²).

    >>> divide(np.ones(2), np.array([2.0, 4.0])).value
    array([0.5 , 0.25])
    """
    return binary(divide, u, v, _nonzero_divisor)


@divide.rule("u", **either("u", "diag(1 ⊘ $v)", "vec(1 ⊘ $v)"),
             **rule_forms(0, lambda u, v: 1 / v))  # fmt: skip
def divide_du(c: BinaryContext) -> Jacobian:
    """diag(1 ⊘ v), or that column for a scalar u."""
    d = derivative(c, "divide", "v", "1 ⊘ v", lambda c: 1 / c.v)
    return partial_jacobian(c, d, c.u.ndim == 0)


@divide.rule("v", **either("v", "−diag($u ⊘ $v²)", "−vec($u ⊘ $v²)"),
             **rule_forms(1, lambda u, v: -(u / v**2)))  # fmt: skip
def divide_dv(c: BinaryContext) -> Jacobian:
    """−diag(u ⊘ v²) = −diag(w ⊘ v), or that column for a scalar v."""
    d = derivative(c, "divide", "v", "−u ⊘ v²", lambda c: -c.value / c.v)
    return partial_jacobian(c, d, c.v.ndim == 0)


# ----- w = u^v -----
def _power_domain(u: np.ndarray, v: np.ndarray) -> None:
    ur, vr = np.broadcast_arrays(np.real(u), np.real(v))
    fractional, negative = (ur < 0) & (vr != np.round(vr)), (ur == 0) & (vr < 0)
    hint = "a negative number has no real power with a fractional exponent"
    domain("power", "u", ur, fractional, "u ≥ 0 where the exponent v is not an integer", hint)
    hint = "0 to a negative power is a division by zero"
    domain("power", "u", ur, negative, "u ≠ 0 where the exponent v is negative", hint)


@arithmetic("w = $u^$v", "w = $u^{$v}", ".^", np.power, examples=draws(u="positive"))
def power(u: Any, v: Any) -> BinaryContext:
    """w = u^v, entrywise; a scalar operand is broadcast (x^2 squares every entry).

    u < 0 needs an integer v, and 0 a non-negative one. ∂w/∂u = diag(v ⊙ u^(v−1)) (refused at
    u = 0 where 0 < v < 1: the slope is infinite there); ∂w/∂v = diag(u^v ⊙ log u) needs u > 0.

    Shapes: u, v of one shape, or either a scalar -> w.

    >>> power(np.array([2.0, 3.0]), 2).jacobians["u"].matrix
    array([[4., 0.],
           [0., 6.]])
    """
    return binary(power, u, v, _power_domain)


def _power_du(u: Any, v: Any) -> Any:
    """v ⊙ u^(v−1); a constant exponent k is written k·u^(k−1) (2·u for a square)."""
    if v.op is None and v.name == "number":
        k = v.options["fill"]
        return k if k in (0, 1) else mul(k, u if k == 2 else u ** (k - 1))
    return v * u ** (v - 1)


@power.rule("u", **either("u", "diag($v ⊙ $u^($v − 1))", "vec($v ⊙ $u^($v − 1))"),
            **rule_forms(0, _power_du))  # fmt: skip
def power_du(c: BinaryContext) -> Jacobian:
    """diag(v ⊙ u^(v−1)) (0 where v = 0), or that column for a scalar u."""
    expected = "u ≠ 0 where 0 < v < 1, for the derivative v·u^(v−1)"
    hint = "u^v has an infinite slope at u = 0 when 0 < v < 1"
    if c.v.ndim == 0:  # one exponent (x^2): u is tested only where it has such a slope
        if 0 < c.v.real.item() < 1:
            domain("power", "u", c.u.real, c.u.real == 0, expected, hint)
    else:
        ur, vr = np.broadcast_arrays(np.real(c.u), np.real(c.v))
        domain("power", "u", ur, (ur == 0) & (vr > 0) & (vr < 1), expected, hint)
    # 0·0^(−1) where v = 0 is replaced by 0; computed quietly, refused where it overflows
    d = derivative(c, "power", "u", "v ⊙ u^(v−1)", _power_slope)
    return partial_jacobian(c, d, c.u.ndim == 0)


def _power_slope(c: BinaryContext) -> np.ndarray:
    if c.v.ndim == 0:  # one exponent k: k·u^(k−1), or 0 for k = 0
        k = c.v.item()
        return k * c.u ** (k - 1) if k != 0 else np.zeros_like(c.value)
    return np.where(c.v == 0, 0, c.v * c.u ** (c.v - 1))


@power.rule("v", **either("v", "diag($u^$v ⊙ log $u)", "vec($u^$v ⊙ log $u)"),
            **rule_forms(1, lambda u, v: u**v * call("log", u)))  # fmt: skip
def power_dv(c: BinaryContext) -> Jacobian:
    """diag(u^v ⊙ log u), or that column for a scalar v; needs u > 0."""
    ur = np.broadcast_to(np.real(c.u), c.value.shape)
    expected = "u > 0 for the derivative with respect to the exponent, u^v·log u"
    hint = "u^v is a function of v only for u > 0; a constant exponent needs no derivative"
    domain("power", "u", ur, ur <= 0, expected, hint)
    d = derivative(c, "power", "u", "u^v ⊙ log u", lambda c: c.value * np.log(c.u))
    return partial_jacobian(c, d, c.v.ndim == 0)
