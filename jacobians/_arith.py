"""Elementwise arithmetic: w = u + v, u − v, −u, u ⊙ v, u ⊘ v and u^v, one definition each.

A scalar operand (a 0-D array or a Python number) is broadcast over the other; nothing else is
((n,) meets (n, 1), as everywhere). Where an operand has the output's shape its Jacobian is
diagonal (the identity for add); a scalar operand broadcast over n entries gets a column n×1.
Nothing comes back inf or NaN: a zero divisor, a negative base with a fractional exponent, 0 to a
negative power, an overflowing result are refused, and so are ∂(u^v)/∂u at u = 0 for 0 < v < 1
(infinite) and ∂(u^v)/∂v where u ≤ 0 (u^v is a function of v only for u > 0).

The symbolic forms every elementwise rule shares are here too (:func:`partial_expression`,
:func:`partial_adjoint`): the activations, the functions and hadamard read them.
"""

from __future__ import annotations

import cmath
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from reshape import ShapeError, as_array

from ._checks import domain
from ._expr_helpers import call, eye, is_one, number, ones, times
from ._jacobian import Jacobian, squeezed
from ._notation import to_latex
from ._registry import Context, operation
from ._structures import Dense, Diagonal, Identity

__all__ = ["BinaryContext", "add", "divide", "multiply", "negate", "power", "subtract"]


# ----- the symbolic forms of an elementwise rule, from its local derivative d -----
def _times(a: Any, b: Any) -> Any:
    """a·b where one may be a plain number: 1 and −1 are written without a product."""
    for k, e in ((a, b), (b, a)):
        if isinstance(k, (int, float)) and k in (1, -1):
            return e if k == 1 else -e
    return a * b


def _is_scalar(d: Any) -> bool:
    return isinstance(d, (int, float)) or d.shape == ()


def _column(e: Any) -> Any:
    """vec(e) as a column (e itself when it is one already)."""
    return e if is_one(e.shape[1]) else call("vec", e)


def partial_expression(node: Any, i: int, d: Any) -> Any:
    """∂node/∂(its argument i) as an Expression, for an elementwise node whose derivative with
    respect to that argument is d (entrywise: an Expression shaped like the output, a scalar one,
    or a number): diag(vec(d)) where the argument has the output's shape, the column vec(d)
    where a scalar argument is broadcast, d itself for a scalar output."""
    out = node.shape
    if out == ():
        return number(d) if isinstance(d, (int, float)) else d
    n = times(*out)
    if node.args[i].shape == ():  # broadcast over the n entries of the output: one column
        return _times(d, ones((n, 1))) if _is_scalar(d) else _column(d)
    return _times(d, eye(n)) if _is_scalar(d) else call("diag", _column(d))


def partial_adjoint(G: Any, node: Any, i: int, d: Any) -> Any:
    """Gᵀ·∂node/∂(argument i) folded to the argument's shape: G ⊙ d, summed over the output
    where a scalar argument was broadcast."""
    g = _times(G, d)
    return call("sum", g) if node.args[i].shape == () and node.shape != () else g


def _rule_forms(i: int, local: Callable[..., Any]) -> dict[str, Callable[..., Any]]:
    """The expression and adjoint of a rule whose local derivative is ``local(*node.args)``."""
    return {
        "expression": lambda node: partial_expression(node, i, local(*node.args)),
        "adjoint": lambda G, node: partial_adjoint(G, node, i, local(*node.args)),
    }


# ----- shapes and checks shared by the binary operations -----
def broadcast_shape(same: Callable[[Any, Any], None], su: tuple, sv: tuple) -> tuple:
    """The output's shape: the operands', equated, unless one of them is a scalar."""
    if su and sv:
        for a, b in zip(su, sv, strict=True):
            same(a, b)
    return su or sv


@dataclass(slots=True)
class BinaryContext(Context):
    """An elementwise binary operation's context: u and v, one of them possibly a 0-D scalar
    broadcast over the other (v reshaped to u's shape where (n,) met (n, 1))."""

    u: np.ndarray
    v: np.ndarray


@np.errstate(over="ignore", invalid="ignore", divide="ignore")  # refused below, by name
def _apply(f: Callable[[Any, Any], Any], u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.asarray(f(u, v))


def _binary(
    op: str, f: Callable[[Any, Any], Any], u: Any, v: Any, check: Callable[..., None] | None = None
) -> BinaryContext:
    """The checked operands, ``check(u, v)`` of the domain, then w = f(u, v), which must be
    finite."""
    u, v = as_array(u, op, "u"), as_array(v, op, "v")
    given = {"u": u, "v": v}
    if u.shape != v.shape and u.ndim and v.ndim:
        if u.size != v.size or squeezed(u.shape) != squeezed(v.shape):
            raise ShapeError(
                op,
                "v",
                f"the shape of u, {u.shape}, or a scalar (shape ())",
                f"shape {v.shape}",
                "only a scalar is broadcast: give one entry per entry of u, or one number",
            )
        v = v.reshape(u.shape)
    if check is not None:
        check(u, v)
    w = _apply(f, u, v)
    if not cmath.isfinite(np.add.reduce(w, axis=None)):  # one sum tests every entry
        expected = f"u and v whose {op} stays within floating-point range"
        domain(op, "u", w, ~np.isfinite(w), expected, "the result overflows: scale them down")
    return BinaryContext(w, given, u, v)


def _partial(c: BinaryContext, d: Any, scalar: bool) -> Jacobian:
    """diag(d) on the output, or the column d where a scalar operand is broadcast over it."""
    w = c.value
    d = np.array(np.broadcast_to(d, w.shape), dtype=w.dtype)
    return Dense(d.reshape(-1, 1), w.shape, ()) if scalar and w.ndim else Diagonal(d)


def _ones(c: BinaryContext, scalar: bool, sign: int = 1) -> Jacobian:
    """±I on the output, or the column ±1 where a scalar operand is broadcast."""
    if sign == 1 and not (scalar and c.value.ndim):
        return Identity(c.value.shape, c.value.dtype)
    return _partial(c, sign, scalar)


_DRAWS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "normal": lambda z: z,
    "positive": lambda z: np.exp(0.5 * z),
    "nonzero": lambda z: np.where(z < 0, z - 0.5, z + 0.5),  # past any finite-difference step
}


def _examples(u: str = "normal", v: str = "normal") -> Callable[..., dict[str, np.ndarray]]:
    """Operands of one shape, or one of them a scalar: m picks which (m = 4, what the
    catalogue builds, gives two of one shape)."""

    def examples(r: np.random.Generator, n: int, m: int, d: int, batch: bool) -> dict:
        shape, case = ((n, d) if batch else (n,)), m % 3
        draw = lambda kind, s: np.asarray(_DRAWS[kind](np.asarray(r.normal(size=s))))
        return {"u": draw(u, () if case == 0 else shape), "v": draw(v, () if case == 2 else shape)}

    return examples


def _either(wrt: str, same: str, column: str) -> dict[str, str]:
    """A rule's closed form, shape and LaTeX: ``same`` where ``wrt`` has the output's shape,
    ``column`` (n×1) where it is a scalar broadcast over the output."""
    # a parenthesised exponent is one group in LaTeX: u^(v − 1) is u^{v - 1}
    latex = [re.sub(r"\^\(([^()]*)\)", r"^{\1}", to_latex(t)) for t in (same, column)]
    latex[1] = latex[1].replace("vec", r"\operatorname{vec}")
    return {
        "closed_form": f"{same}, or {column} for a scalar ${wrt}",
        "shape": "n×n or n×1",
        "latex": rf"{{{latex[0]}}} \text{{, or }} {{{latex[1]}}} \text{{ for a scalar }} ${wrt}",
    }


def _arithmetic(formula: str, latex: str, syntax: str, **extra: Any) -> Callable[..., Any]:
    """Declare an elementwise binary operation w = u ∘ v (a scalar operand broadcast)."""
    examples = extra.pop("examples", _examples())
    return operation(
        "arithmetic", "w", formula, latex, {"u": "n", "v": "n"}, "n", examples,
        shape_of=broadcast_shape, syntax=("infix", syntax), **extra,
    )  # fmt: skip


# ----- w = u + v, u − v -----
@_arithmetic("w = $u + $v", "w = $u + $v", "+")
def add(u: Any, v: Any) -> BinaryContext:
    """w = u + v, entrywise; a scalar operand is added to every entry of the other.

    Shapes: u, v of one shape, or either a scalar -> w; ∂w/∂u = I_n (1_n, n×1, for a scalar u).

    >>> add(np.ones(2), 3.0).jacobians["v"].matrix
    array([[1.],
           [1.]])
    """
    return _binary("add", np.add, u, v)


@add.rule("u", **_either("u", "I_n", "1_n"), **_rule_forms(0, lambda u, v: 1))
def add_du(c: BinaryContext) -> Jacobian:
    """I_n, or the column 1_n for a scalar u."""
    return _ones(c, c.u.ndim == 0)


@add.rule("v", **_either("v", "I_n", "1_n"), **_rule_forms(1, lambda u, v: 1))
def add_dv(c: BinaryContext) -> Jacobian:
    """I_n, or the column 1_n for a scalar v."""
    return _ones(c, c.v.ndim == 0)


@_arithmetic("w = $u − $v", "w = $u - $v", "-")
def subtract(u: Any, v: Any) -> BinaryContext:
    """w = u − v, entrywise; a scalar operand is broadcast over the other.

    Shapes: u, v of one shape, or either a scalar -> w; ∂w/∂v = −I_n (−1_n for a scalar v).

    >>> subtract(np.ones(2), np.ones(2)).jacobians["v"].kind
    'diagonal'
    """
    return _binary("subtract", np.subtract, u, v)


@subtract.rule("u", **_either("u", "I_n", "1_n"), **_rule_forms(0, lambda u, v: 1))
def subtract_du(c: BinaryContext) -> Jacobian:
    """I_n, or the column 1_n for a scalar u."""
    return _ones(c, c.u.ndim == 0)


@subtract.rule("v", **_either("v", "−I_n", "−1_n"), **_rule_forms(1, lambda u, v: -1))
def subtract_dv(c: BinaryContext) -> Jacobian:
    """−I_n as diag(−1), or the column −1_n for a scalar v."""
    return _ones(c, c.v.ndim == 0, -1)


# ----- w = −u -----
@dataclass(slots=True)
class NegateContext(Context):
    """negate's context: u, of any shape."""

    u: np.ndarray


@operation(
    "arithmetic", "w", "w = −$u", "w = -$u", {"u": "n"}, "n",
    lambda *draw: {"u": _examples()(*draw)["u"]},
    shape_of=lambda same, s: s, syntax=("prefix", "-"),
)  # fmt: skip
def negate(u: Any) -> NegateContext:
    """w = −u, entrywise.

    Shapes: u of any shape -> w of the same shape; ∂w/∂u = −I_n, kept as diag(−1).

    >>> negate(np.array([1.0, 2.0])).value
    array([-1., -2.])
    """
    u = as_array(u, "negate", "u")
    return NegateContext(np.negative(u), {"u": u}, u)


@negate.rule("u", "−I_n", "n×n", **_rule_forms(0, lambda u: -1))
def negate_du(c: NegateContext) -> Jacobian:
    """−I_n as diag(−1)."""
    return Diagonal(np.full(c.u.shape, -1, dtype=c.value.dtype))


# ----- w = u ⊙ v, u ⊘ v -----
@_arithmetic("w = $u ⊙ $v", r"w = $u \odot $v", ".*")
def multiply(u: Any, v: Any) -> BinaryContext:
    """w = u ⊙ v, entrywise; a scalar operand scales every entry of the other.

    Shapes: u, v of one shape, or either a scalar -> w; ∂w/∂u = diag(v) (vec(v), n×1, for a
    scalar u; v I_n for a scalar v).

    >>> multiply(2.0, np.array([1.0, 3.0])).jacobians["u"].matrix
    array([[1.],
           [3.]])
    """
    return _binary("multiply", np.multiply, u, v)


@multiply.rule("u", **_either("u", "diag($v)", "vec($v)"), **_rule_forms(0, lambda u, v: v))
def multiply_du(c: BinaryContext) -> Jacobian:
    """diag(v), or the column v for a scalar u."""
    return _partial(c, c.v, c.u.ndim == 0)


@multiply.rule("v", **_either("v", "diag($u)", "vec($u)"), **_rule_forms(1, lambda u, v: u))
def multiply_dv(c: BinaryContext) -> Jacobian:
    """diag(u), or the column u for a scalar v."""
    return _partial(c, c.u, c.v.ndim == 0)


def _nonzero_divisor(u: np.ndarray, v: np.ndarray) -> None:
    hint = "u ⊘ v is undefined where v = 0; add a small offset or mask those entries out"
    domain("divide", "v", v, v == 0, "a divisor with no zero entry", hint)


@_arithmetic("w = $u ⊘ $v", r"w = $u \oslash $v", "./", examples=_examples(v="nonzero"))
def divide(u: Any, v: Any) -> BinaryContext:
    """w = u ⊘ v, entrywise; a scalar operand is broadcast; a zero in v is refused.

    Shapes: u, v of one shape, or either a scalar -> w; ∂w/∂u = diag(1 ⊘ v),
    ∂w/∂v = −diag(u ⊘ v²).

    >>> divide(np.ones(2), np.array([2.0, 4.0])).value
    array([0.5 , 0.25])
    """
    return _binary("divide", np.divide, u, v, _nonzero_divisor)


@divide.rule("u", **_either("u", "diag(1 ⊘ $v)", "vec(1 ⊘ $v)"),
             **_rule_forms(0, lambda u, v: 1 / v))  # fmt: skip
def divide_du(c: BinaryContext) -> Jacobian:
    """diag(1 ⊘ v), or that column for a scalar u."""
    return _partial(c, 1 / c.v, c.u.ndim == 0)


@divide.rule("v", **_either("v", "−diag($u ⊘ $v²)", "−vec($u ⊘ $v²)"),
             **_rule_forms(1, lambda u, v: -(u / v**2)))  # fmt: skip
def divide_dv(c: BinaryContext) -> Jacobian:
    """−diag(u ⊘ v²) = −diag(w ⊘ v), or that column for a scalar v."""
    return _partial(c, -c.value / c.v, c.v.ndim == 0)


# ----- w = u^v -----
def _power_domain(u: np.ndarray, v: np.ndarray) -> None:
    ur, vr = np.broadcast_arrays(np.real(u), np.real(v))
    fractional, negative = (ur < 0) & (vr != np.round(vr)), (ur == 0) & (vr < 0)
    hint = "a negative number has no real power with a fractional exponent"
    domain("power", "u", ur, fractional, "u ≥ 0 where the exponent v is not an integer", hint)
    hint = "0 to a negative power is a division by zero"
    domain("power", "u", ur, negative, "u ≠ 0 where the exponent v is negative", hint)


@_arithmetic("w = $u^$v", "w = $u^{$v}", ".^", examples=_examples(u="positive"))
def power(u: Any, v: Any) -> BinaryContext:
    """w = u^v, entrywise; a scalar operand is broadcast (x^2 squares every entry).

    u < 0 needs an integer v, and 0 a non-negative one. ∂w/∂u = diag(v ⊙ u^(v−1)) (refused at
    u = 0 where 0 < v < 1: the slope is infinite there); ∂w/∂v = diag(u^v ⊙ log u) needs u > 0.

    Shapes: u, v of one shape, or either a scalar -> w.

    >>> power(np.array([2.0, 3.0]), 2).jacobians["u"].matrix
    array([[4., 0.],
           [0., 6.]])
    """
    return _binary("power", np.power, u, v, _power_domain)


def _power_du(u: Any, v: Any) -> Any:
    """v ⊙ u^(v−1); a constant exponent k is written k·u^(k−1) (2·u for a square)."""
    if v.op is None and v.name == "number":
        k = v.options["fill"]
        return k if k in (0, 1) else _times(k, u if k == 2 else u ** (k - 1))
    return v * u ** (v - 1)


@power.rule("u", **_either("u", "diag($v ⊙ $u^($v − 1))", "vec($v ⊙ $u^($v − 1))"),
            **_rule_forms(0, _power_du))  # fmt: skip
def power_du(c: BinaryContext) -> Jacobian:
    """diag(v ⊙ u^(v−1)) (0 where v = 0), or that column for a scalar u."""
    ur, vr = np.broadcast_arrays(np.real(c.u), np.real(c.v))
    expected = "u ≠ 0 where 0 < v < 1, for the derivative v·u^(v−1)"
    hint = "u^v has an infinite slope at u = 0 when 0 < v < 1"
    domain("power", "u", ur, (ur == 0) & (vr > 0) & (vr < 1), expected, hint)
    with np.errstate(divide="ignore", invalid="ignore"):  # 0·0^(−1) where v = 0, replaced
        d = np.where(c.v == 0, 0, c.v * c.u ** (c.v - 1))
    return _partial(c, d, c.u.ndim == 0)


@power.rule("v", **_either("v", "diag($u^$v ⊙ log $u)", "vec($u^$v ⊙ log $u)"),
            **_rule_forms(1, lambda u, v: u**v * call("log", u)))  # fmt: skip
def power_dv(c: BinaryContext) -> Jacobian:
    """diag(u^v ⊙ log u), or that column for a scalar v; needs u > 0."""
    ur = np.broadcast_to(np.real(c.u), c.value.shape)
    expected = "u > 0 for the derivative with respect to the exponent, u^v·log u"
    hint = "u^v is a function of v only for u > 0; a constant exponent needs no derivative"
    domain("power", "u", ur, ur <= 0, expected, hint)
    return _partial(c, c.value * np.log(c.u), c.v.ndim == 0)
