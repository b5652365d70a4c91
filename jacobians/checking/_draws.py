"""Values to check an expression at: the sizes its variables take, and random draws of them.

A size comes from the expression's own shapes (``shapes`` given to ``parse``), then from the
values given; a size still open is :data:`DEFAULT_SIZE`. Each variable without a value is drawn
from N(0, 1), except where an operation needs more of it (:data:`DOMAINS`): a square matrix
that feeds an inverse, a determinant or a log-determinant gets + n·I (well conditioned, and
drawn again in the rare case its determinant is not positive); a direct argument of log or sqrt
is |N(0, 1)| + ½; of arcsin or arccos, uniform on (−0.9, 0.9). :func:`jacobians.verify` draws
its points here, and so do the derivation tables.

>>> from jacobians.expressions import parse
>>> e = parse("logdet(X) + x'*x")
>>> shapes_of(e, {}, "verify")
{'X': (3, 3), 'x': (3, 1)}
>>> draw(e, {"X": (2, 2), "x": (2, 1)}, {}, np.random.default_rng(0))[1]
{'X': 'N(0, 1) + 2·I', 'x': 'N(0, 1)'}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from reshape import InputError, ShapeError, as_array, describe

__all__ = ["DEFAULT_SIZE", "DOMAINS", "draw", "given_values", "shapes_of"]

DEFAULT_SIZE = 3  # a size neither the expression nor the values fix
_REDRAWS = 100  # draws of a matrix under inv, det or logdet until its determinant is positive

# operation -> (which variables: all that feed it, or its direct argument; how they are drawn)
DOMAINS: dict[str, tuple[str, str]] = {
    "inv": ("feeding", "conditioned"),
    "det": ("feeding", "conditioned"),
    "logdet": ("feeding", "conditioned"),
    "log": ("argument", "positive"),
    "sqrt": ("argument", "positive"),
    "arcsin": ("argument", "unit"),
    "arccos": ("argument", "unit"),
}


def given_values(e: Any, values: Mapping[str, Any] | None, where: str) -> dict[str, np.ndarray]:
    """The values given for variables of the expression ``e``, as float64 arrays."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise InputError(where, "values", "a mapping of variable names to arrays", describe(values))
    known = e.variables()
    out = {}
    for name, v in values.items():
        if name not in known:
            raise InputError(
                where,
                "values",
                f"values for variables of the expression ({', '.join(known)})",
                f"a value for {name!r}",
            )
        a = as_array(v, where, f"values[{name!r}]")
        if a.dtype.kind == "c":
            raise InputError(where, f"values[{name!r}]", "a real array", describe(a))
        out[name] = a.astype(np.float64)
    return out


def _given_shape(a: np.ndarray, declared: tuple) -> tuple[int, ...]:
    if declared == () and a.size == 1:
        return ()
    return (a.shape[0], 1) if a.ndim == 1 else a.shape


def shapes_of(e: Any, given: Mapping[str, np.ndarray], where: str) -> dict[str, tuple[int, ...]]:
    """Every variable's shape in numbers: the expression's sizes, then the values', then
    DEFAULT_SIZE (the expression is not changed: its open sizes are read, never fixed)."""
    from ..expressions._shapes import resolve, show

    bound: dict[int, int] = {}
    variables = e.variables()
    for name, a in given.items():
        declared = variables[name].shape
        got = _given_shape(a, declared)
        ok = len(got) == len(declared)
        for d, s in zip(declared, got, strict=False):
            r = resolve(d)
            want = r if isinstance(r, int) else bound.setdefault(id(r), s)
            ok = ok and want == s
        if not ok:
            raise ShapeError(
                where,
                f"values[{name!r}]",
                f"shape {show(declared)}, as {e} uses {name}",
                describe(a),
            )
    out = {}
    for name, v in variables.items():
        dims = [resolve(d) for d in v.shape]
        out[name] = tuple(r if isinstance(r, int) else bound.get(id(r), DEFAULT_SIZE) for r in dims)
    return out  # type: ignore[return-value]


def _needs(e: Any) -> dict[str, str]:
    """Variable name -> how it must be drawn, from the operations it feeds."""
    out: dict[str, str] = {}
    for n in e.nodes():
        rule = DOMAINS.get(n.op.name) if n.op is not None else None
        if rule is None:
            continue
        which, how = rule
        if which == "feeding":
            for name in n.args[0].variables():
                out[name] = how
        elif n.args[0].is_variable:
            out.setdefault(n.args[0].name, how)
    return out


def draw(
    e: Any,
    shapes: Mapping[str, tuple[int, ...]],
    given: Mapping[str, np.ndarray],
    rng: np.random.Generator,
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """A value for every variable (given, or drawn in order of appearance), and how each was
    obtained ("given", "N(0, 1)", "N(0, 1) + 3·I", …)."""
    needs = _needs(e)
    values, how = {}, {}
    for name in e.variables():
        shape = shapes[name]
        a = rng.normal(size=shape)  # drawn even when given: the others do not depend on it
        if name in given:
            values[name], how[name] = given[name], "given"
            continue
        kind, label = needs.get(name, ""), "N(0, 1)"
        if kind == "conditioned" and len(shape) == 2 and shape[0] == shape[1]:
            a = a + shape[0] * np.eye(shape[0])
            for _ in range(_REDRAWS):  # rarely the shift leaves det ≤ 0, which logdet refuses
                if np.linalg.det(a) > 0:
                    break
                a = rng.normal(size=shape) + shape[0] * np.eye(shape[0])
            label = f"N(0, 1) + {shape[0]}·I"
        elif kind == "positive":
            a, label = np.abs(a) + 0.5, "|N(0, 1)| + ½"
        elif kind == "unit":
            a, label = rng.uniform(-0.9, 0.9, size=shape), "U(−0.9, 0.9)"
        values[name], how[name] = np.asarray(a, dtype=np.float64), label
    return values, how
