"""Which argument of f is differentiated, and how f and the claim are called with it.

:func:`bind` resolves f(x), f(*args) with ``wrt`` an index or a name, and f(**kwargs) with ``wrt`` a
name, to the point to differentiate at (``_evaluate`` calls f at the moved points and checks each
output). :func:`jacobians.verify` binds f's arguments with the same :func:`bind` as
:func:`jacobians.numeric`, so the two name the argument, and call f and the claim, the same way.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, as_array, describe

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
