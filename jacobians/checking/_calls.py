"""Calling f: which argument is differentiated, and every check on what f returns.

:func:`bind` resolves f(x), f(*args) with ``wrt`` an index or a name, and f(**kwargs) with ``wrt`` a
name, to the point to differentiate at; :class:`_Evaluator` calls f at perturbed points and checks
each output. :func:`jacobians.verify` binds f's arguments with the same :func:`bind` as
:func:`jacobians.numeric`, so the two name the argument, and call f and the claim, the same way.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, ShapeError, as_array, describe

__all__ = ["NotComplexSafeError", "bind", "function_name"]


class NotComplexSafeError(InputError):
    """f cannot be differentiated by complex step (see the message for why)."""


# ----- which argument: f(x); f(*args), wrt an index or a name; f(**kwargs), wrt a name -----


def bind(
    f: Callable[..., Any], x: Any, wrt: int | str | None, op: str = "numeric"
) -> tuple[np.ndarray, Callable[[Callable[..., Any], np.ndarray], Any], str]:
    """Resolve the point to differentiate at: (point, call, name).

    ``call(g, v)`` calls ``g`` (f, or anything with f's signature) with the differentiated argument
    replaced by ``v`` and the others as given; ``name`` names the argument (``"x"`` when f has one).
    """
    if wrt is None:
        if isinstance(x, dict):
            raise InputError(
                op,
                "wrt",
                "the name of the argument to differentiate when x is a dict of f's arguments",
                f"wrt=None with arguments {', '.join(map(repr, x))}",
            )
        try:
            point = as_array(x, op, "x")
        except InputTypeError as exc:
            if isinstance(x, (tuple, list)):
                exc.args = (
                    f"{exc.args[0]}\n Hint: for a function of several arguments give them as a "
                    "tuple or dict and name the one to differentiate: wrt=1 or wrt='W'",
                )
            raise
        return point, lambda g, v: g(v), _first_parameter(f)
    if isinstance(x, dict):
        if wrt not in x:
            raise InputError(
                op, "wrt", f"one of the arguments {', '.join(map(repr, x))}", repr(wrt)
            )
        point = as_array(x[wrt], op, f"x[{wrt!r}]")
        return point, lambda g, v: g(**{**x, wrt: v}), str(wrt)
    if isinstance(x, (tuple, list)):
        index = _position(f, x, wrt, op)
        point = as_array(x[index], op, f"x[{index}]")
        name = wrt if isinstance(wrt, str) else f"x[{index}]"

        def call(g: Callable[..., Any], v: np.ndarray) -> Any:
            return g(*x[:index], v, *x[index + 1 :])

        return point, call, name
    raise InputError(
        op,
        "x",
        f"a tuple or dict of f's arguments when wrt={wrt!r} names one of them",
        describe(x),
        "for a function of one array, leave wrt out",
    )


def _first_parameter(f: Callable[..., Any]) -> str:
    """The name of f's first parameter (``W`` for ``def cost(W)``), or ``x``."""
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return "x"
    if params and params[0].kind in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
        return params[0].name
    return "x"


def function_name(f: Callable[..., Any]) -> str:
    """f's name for symbols (``cost`` in ∂cost/∂W), or ``f`` for a lambda."""
    name = getattr(f, "__name__", "")
    return name if name.isidentifier() and name != "<lambda>" else "f"


def _position(f: Callable[..., Any], args: Sequence[Any], wrt: int | str, op: str) -> int:
    if isinstance(wrt, (bool, np.bool_)) or not isinstance(wrt, (int, np.integer, str)):
        raise InputError(op, "wrt", "an argument's index (int) or name (str)", repr(wrt))
    if isinstance(wrt, str):
        try:
            names = [
                p.name
                for p in inspect.signature(f).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
        except (TypeError, ValueError):
            names = []
        if wrt not in names[: len(args)]:
            raise InputError(
                op,
                "wrt",
                f"the name of one of f's first {len(args)} positional parameters "
                f"({', '.join(names[: len(args)]) or 'none readable'})",
                repr(wrt),
                "or give the arguments as a dict, or wrt as an index",
            )
        return names.index(wrt)
    if not -len(args) <= int(wrt) < len(args):
        raise InputError(op, "wrt", f"an index into the {len(args)} arguments", repr(wrt))
    return int(wrt) % len(args)


# ----- evaluating f, with every check on what it returns -----


class _Evaluator:
    """Calls f at perturbed points and checks each output: numeric, finite, of one shape."""

    def __init__(self, g: Callable[[np.ndarray], Any], x: np.ndarray, name: str, op: str) -> None:
        self.g, self.x, self.name, self.op = g, x, name, op
        self.out_shape: tuple[int, ...] | None = None

    def where(self, k: int | None = None, h: float | complex = 0.0) -> str:
        if k is None:
            return self.name
        idx = np.unravel_index(k, self.x.shape) if self.x.ndim else ()
        entry = f"{self.name}[{', '.join(map(str, idx))}]" if idx else self.name
        return f"{self.name} with {entry} moved by {h:.3g}"

    def __call__(self, v: np.ndarray, where: str, complex_ok: bool = False) -> np.ndarray:
        try:
            y = self.g(v.copy())
        except NotComplexSafeError:
            raise
        except Exception as exc:
            if complex_ok:
                raise NotComplexSafeError(
                    self.op, "f", "a function that accepts complex input", _raised(exc)
                ) from exc
            raise InputError(
                self.op, "f", f"a function that can be evaluated at {where}", _raised(exc)
            ) from exc
        return self.check(y, where, complex_ok)

    def check(self, y: Any, where: str, complex_ok: bool) -> np.ndarray:
        op = self.op
        if hasattr(y, "value") and hasattr(y, "jacobians"):
            raise InputTypeError(
                op, "f", "a function returning an array", "an operation's Result", "return .value"
            )
        if y is None or isinstance(y, (str, bytes, dict, set)):
            raise InputTypeError(op, "f", "a function returning a numeric array", describe(y))
        try:
            a = np.asarray(y)
        except (ValueError, TypeError) as exc:
            raise InputTypeError(
                op, "f", "a function returning a numeric array", str(exc)
            ) from None
        if a.dtype.kind not in "iufc":
            raise InputTypeError(
                op, "f", f"a function returning a numeric array (at {where})", describe(a)
            )
        if a.dtype.kind == "c" and not complex_ok:
            raise InputTypeError(
                op,
                "f",
                f"a real-valued function (at {where})",
                f"complex output, {describe(a)}",
                "Jacobians here are real; return the real quantity you differentiate",
            )
        if a.size == 0:
            raise ShapeError(op, "f", "a function returning a non-empty array", describe(a))
        if self.out_shape is None:
            self.out_shape = a.shape
        elif a.shape != self.out_shape:
            raise ShapeError(
                op,
                "f",
                "a function whose output has the same shape at every point",
                f"shape {self.out_shape} at {self.name} but shape {a.shape} at {where}",
                "the output's shape must not depend on the input's values",
            )
        finite = np.isfinite(a)
        if not finite.all():
            first = tuple(int(i) for i in np.argwhere(~finite)[0])
            raise InputError(
                op,
                "f",
                f"finite values at {where}",
                f"{int((~finite).sum())} NaN or infinite entries, the first at output index "
                f"{first} ({a[first] if a.ndim else a.item()})",
                "the point (or a step from it) may lie outside f's domain",
            )
        return a


def _raised(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"it raised {type(exc).__name__}: {text}" if text else f"it raised {type(exc).__name__}"
