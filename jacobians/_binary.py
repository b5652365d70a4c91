"""What the elementwise binary operations of :mod:`jacobians._arith` share: the shape rule that
broadcasts a scalar operand, the checked operands and their context, the two Jacobians (diagonal
on the output, or a column where a scalar operand is broadcast), the test inputs, and the closed
forms' two cases.

A scalar operand (a 0-D array or a Python number) is broadcast over the other; nothing else is
((n,) meets (n, 1), as everywhere), and a result that overflows is refused by name.

>>> from jacobians import add
>>> c = binary(add, np.ones(2), 3.0)
>>> c.value, partial_jacobian(c, 1.0, True).matrix.shape
(array([4., 4.]), (2, 1))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from reshape import ShapeError, as_array

from ._checks import finite_result, quiet
from ._jacobian import Jacobian
from ._notation import to_latex
from ._registry import Context, operation
from ._structure_args import squeezed
from ._structures import Dense, Diagonal, Identity

__all__ = [
    "BinaryContext",
    "arithmetic",
    "binary",
    "broadcast_shape",
    "derivative",
    "draws",
    "either",
    "ones_jacobian",
    "partial_jacobian",
    "unchecked_binary",
]


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


def _raw(f: Callable[..., Any], u: np.ndarray, v: np.ndarray) -> np.ndarray:
    # the dtype from the operands' dtypes alone: numpy 1 would pick it from a 0-D operand's value
    return np.asarray(f(u, v, dtype=np.promote_types(u.dtype, v.dtype)))


_apply = quiet(_raw)  # refused below, by name


def unchecked_binary(f: Callable[..., Any]) -> Callable[[np.ndarray, np.ndarray], BinaryContext]:
    """The operation's ``unchecked``: w = f(u, v) and its context, for operands already checked
    and shaped (one shape, or one of them 0-D), as an expression's evaluation gives them."""

    def unchecked(u: np.ndarray, v: np.ndarray) -> BinaryContext:
        return BinaryContext(_raw(f, u, v), {"u": u, "v": v}, u, v)

    return unchecked


def binary(op: Any, u: Any, v: Any, check: Callable[..., None] | None = None) -> BinaryContext:
    """The checked operands, ``check(u, v)`` of the domain, then w = op.fn(u, v), which must be
    finite (``op`` an operation declared by :func:`arithmetic`)."""
    op, f = op.name, op.fn
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
    finite_result(op, "u", f"result w of {op}(u, v)", w, given, "the result overflows: scale down")
    return BinaryContext(w, given, u, v)


@quiet
def _quietly(f: Callable[[BinaryContext], Any], c: BinaryContext) -> Any:
    return f(c)


def derivative(
    c: BinaryContext, op: str, arg: str, what: str, f: Callable[[BinaryContext], Any]
) -> Any:
    """The local derivative ``f(c)`` (``what``: "1 ⊘ v"), computed quietly and refused, naming
    ``arg``, where it leaves floating-point range (1 ⊘ v at a subnormal v)."""
    return finite_result(op, arg, f"derivative {what}", _quietly(f, c), {"u": c.u, "v": c.v})


def partial_jacobian(c: BinaryContext, d: Any, scalar: bool) -> Jacobian:
    """diag(d) on the output, or the column d where a scalar operand is broadcast over it."""
    w = c.value
    if np.shape(d) == w.shape:  # a copy all the same: the Jacobian must not share an operand
        d = np.array(d, dtype=w.dtype)
    else:
        d = np.array(np.broadcast_to(d, w.shape), dtype=w.dtype)
    return Dense(d.reshape(-1, 1), w.shape, ()) if scalar and w.ndim else Diagonal(d)


def ones_jacobian(c: BinaryContext, scalar: bool, sign: int = 1) -> Jacobian:
    """±I on the output, or the column ±1 where a scalar operand is broadcast."""
    if sign == 1 and not (scalar and c.value.ndim):
        return Identity(c.value.shape, c.value.dtype)
    return partial_jacobian(c, sign, scalar)


_DRAWS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "normal": lambda z: z,
    "positive": lambda z: np.exp(0.5 * z),
    "nonzero": lambda z: np.where(z < 0, z - 0.5, z + 0.5),  # past any finite-difference step
}


def draws(u: str = "normal", v: str = "normal") -> Callable[..., dict[str, np.ndarray]]:
    """Operands of one shape, or one of them a scalar: m picks which (m = 4, what the
    catalogue builds, gives two of one shape)."""

    def examples(r: np.random.Generator, n: int, m: int, d: int, batch: bool) -> dict:
        shape, case = ((n, d) if batch else (n,)), m % 3
        draw = lambda kind, s: np.asarray(_DRAWS[kind](np.asarray(r.normal(size=s))))
        return {"u": draw(u, () if case == 0 else shape), "v": draw(v, () if case == 2 else shape)}

    return examples


def either(wrt: str, same: str, column: str) -> dict[str, str]:
    """A rule's closed form, shape and LaTeX: ``same`` where ``wrt`` has the output's shape,
    ``column`` (n×1) where it is a scalar broadcast over the output."""
    # a parenthesised exponent is one group in LaTeX: u^(v − 1) is u^{v - 1}
    latex = [re.sub(r"\^\(([^()]*)\)", r"^{\1}", to_latex(t)) for t in (same, column)]
    return {
        "closed_form": f"{same}, or {column} for a scalar ${wrt}",
        "shape": "n×n or n×1",
        "latex": rf"{{{latex[0]}}} \text{{, or }} {{{latex[1]}}} \text{{ for a scalar }} ${wrt}",
    }


_EITHER_TEXT = re.compile(r"^(.*), or (.*) for a scalar ([^ ]+)$")
_EITHER_LATEX = re.compile(r"^\{(.*)\} \\text\{, or \} \{(.*)\} \\text\{ for a scalar \} (.+)$")


def either_one(text: str, latex: str, scalar: bool) -> tuple[str, str]:
    """The alternative of an :func:`either` rule (filled or not) that applies: the column where
    the operand is a ``scalar``, else the same-shaped one; other rules as they are."""
    t, tex = _EITHER_TEXT.match(text), _EITHER_LATEX.match(latex)
    if t is None or tex is None:
        return text, latex
    k = 2 if scalar else 1
    return t.group(k), tex.group(k)


def arithmetic(
    formula: str, latex: str, syntax: str, fn: Callable[..., Any], **extra: Any
) -> Callable[..., Any]:
    """Declare an elementwise binary operation w = fn(u, v) (a numpy ufunc; a scalar operand
    broadcast): its body calls :func:`binary`, which reads ``fn`` from the operation."""
    examples = extra.pop("examples", draws())
    return operation(
        "arithmetic", "w", formula, latex, {"u": "n", "v": "n"}, "n", examples, fn=fn,
        unchecked=unchecked_binary(fn), shape_of=broadcast_shape, syntax=("infix", syntax),
        **extra,
    )  # fmt: skip
