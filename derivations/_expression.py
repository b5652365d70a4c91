"""The derivation table of a matrix expression: :func:`expression`.

Every row is read from what :mod:`jacobians.expressions` computes with: the graph's nodes, each
local Jacobian as its operation's rule builds it (with the rule's closed form as text of the
language, evaluated and compared with the built matrix: ``_expression_checks``), the paths the
accumulation sums, the vertex eliminations of the chosen order and the multiply-adds of each
order (:meth:`~jacobians.expressions.Expression.costs`), the result's closed form
(``gradient_expression`` for a scalar, else ``jacobian_expression``) parsed back and evaluated,
and numeric differentiation of the expression's value, which shares none of that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from itertools import pairwise
from typing import Any

import numpy as np

from jacobians.checking._draws import DEFAULT_SIZE
from jacobians.expressions import Expression
from jacobians.expressions._accumulate import paths
from reshape import InputError, InputTypeError, describe

from . import _args, _tex
from ._build import MATRIX_LIMIT
from ._expression_checks import (
    closed_form_check,
    locals_check,
    locals_of,
    numeric_check,
    orders_check,
)
from ._expression_model import ExpressionTable, Input, Node, Path, Update
from ._expression_values import WHERE, Evaluated
from ._model import shape_text

__all__ = ["expression"]

_METHODS = ("reverse", "forward", "cheapest")


def expression(
    text: str,
    wrt: str,
    shapes: Any = None,
    values: Mapping[str, Any] | None = None,
    seed: int = 0,
    *,
    method: str = "cheapest",
    show_matrices: bool = False,
) -> ExpressionTable:
    """The derivation table of ∂f/∂``wrt`` for the expression f written in ``text``.

    Args:
        text: an expression of the language (``"x'*A*x"``, ``"tr(A*X'*B*X*C)"``).
        wrt: the variable to differentiate with respect to.
        shapes: sizes, as for :func:`jacobians.parse` (``["A=3x4"]``); a size neither these
            nor the values fix is 3.
        values: arrays for some or all variables; the others are drawn from ``seed`` (N(0, 1);
            + n·I for a square matrix under inv, det or logdet; positive under log and sqrt).
        seed: the random draw.
        method: the accumulation whose vertex eliminations the table lists (``"reverse"``,
            ``"forward"`` or ``"cheapest"``).
        show_matrices: put each local Jacobian's numbers in the table (small sizes).

    Shapes: f (p×q), wrt (m×n) -> the Jacobian pq×mn; for a scalar f the gradient m×n.

    >>> t = expression("x'*A*x", "x")
    >>> [n.symbol for n in t.nodes], len(t.paths), t.gradient.shape, t.passed
    (['x', 'u₁', 'A', 'u₂', 'f'], 2, (3, 1), True)
    >>> print(expression("A*X*B", "X").closed_form)
    kron(A, B')
    """
    if not isinstance(method, str) or method not in _METHODS:
        raise InputError(WHERE, "method", "'reverse', 'forward' or 'cheapest'", repr(method))
    if not isinstance(text, str):
        raise InputTypeError(WHERE, "text", "an expression as text", describe(text))
    if not isinstance(wrt, str):
        raise InputTypeError(WHERE, "wrt", "a variable's name (text)", describe(wrt))
    seed = _args.seed(WHERE, seed)
    show_matrices = _args.flag(WHERE, "show_matrices", show_matrices)
    g = Evaluated.at(text, wrt, shapes, values, seed)
    e, x = g.e, g.x
    locals_ = tuple(locals_of(g))
    too_big = [
        L for L in locals_ if L.instance[0] > MATRIX_LIMIT[0] or L.instance[1] > MATRIX_LIMIT[1]
    ]
    if show_matrices and too_big:
        raise ValueError(
            f"the matrices are shown up to {MATRIX_LIMIT[0]} rows and {MATRIX_LIMIT[1]} columns, "
            f"and {too_big[0].symbol} is {shape_text(too_big[0].instance)} here: choose smaller "
            "sizes, or leave out the matrices"
        )
    J = e.jacobian(wrt, g.values, method=method)
    costs = e.costs(wrt, g.values)
    gradient = e.gradient(wrt, g.values) if e.is_scalar else None
    closed = str(e.gradient_expression(wrt) if e.is_scalar else e.jacobian_expression(wrt))
    reference = gradient if gradient is not None else J.matrix
    checks = (
        closed_form_check(g, closed, reference, "gradient" if e.is_scalar else "Jacobian"),
        locals_check(locals_),
        orders_check(g, J.matrix, method),
        numeric_check(g, J.matrix),
    )
    sizes = ", ".join(f"{k}: {_here(v)}" for k, v in g.shapes.items())
    f = g.names[e.key]
    return ExpressionTable(
        text=text,
        expression=str(e),
        output=f,
        wrt=wrt,
        title=f"∂{f}/∂{wrt} for {f} = {e} ({sizes})",
        title_latex=(
            f"${_tex.frac_symbol(f, wrt)}$ for ${_tex.math(f)} = $ "
            f"\\texttt{{{_tex.text(str(e))}}} ({_tex.text(sizes)})"
        ),
        seed=seed,
        default_size=DEFAULT_SIZE,
        inputs=tuple(
            Input(k, g.shape(v), g.shapes[k], g.drawn[k], g.values[k])
            for k, v in e.variables().items()
        ),
        nodes=tuple(_node(g, n) for n in e.nodes()),
        locals=locals_,
        paths=tuple(_paths(g)),
        method=method,
        strategy=str(costs.get("strategy", method)) if method == "cheapest" else method,
        updates=tuple(_updates(g, _order(g, method, costs))),
        result_kind="gradient" if e.is_scalar else "jacobian",
        result_shape=g.rows_by(e.key, x.key),
        result_instance=(int(J.shape[0]), int(J.shape[1])),
        result_structure=J.kind,
        wrt_shape=g.shape(x),
        wrt_instance=tuple(g.ev.shapes[x.key]),
        out_instance=tuple(g.ev.shapes[e.key]),
        closed_form=closed,
        jacobian=np.asarray(J.matrix),
        gradient=None if gradient is None else np.asarray(gradient),
        checks=checks,
        multiply_adds={k: int(costs[k]) for k in _METHODS},
        notes=tuple(g.notes),
        show_matrices=show_matrices,
    )


def _here(shape: tuple[int, ...]) -> str:
    return shape_text(shape) if shape else "scalar"


def _node(g: Evaluated, n: Expression) -> Node:
    """A node's row: its definition in the symbols of its arguments (u₂ = u₁*A)."""
    if n.op is None:
        definition = "variable" if n.is_variable else "constant"
    else:
        # the operation's arguments stand in as placeholder variables, printed, then renamed
        stand_in: dict[str, str] = {}
        args = []
        for a in n.args:
            if a.op is None:
                args.append(a)
                continue
            name = f"stand__in__{len(stand_in)}"
            stand_in[name] = g.names[a.key]
            args.append(Expression(None, (), a.shape, name))
        shallow = Expression(n.op, tuple(args), n.shape, n.name, n.options)
        definition = re.sub(r"stand__in__\d+", lambda m: stand_in[m.group()], str(shallow))
    symbol = g.names[n.key]
    return Node(
        symbol,
        _tex.math(symbol),
        definition,
        str(n),
        n.op.name if n.op is not None else "",
        g.shape(n),
        tuple(g.ev.shapes[n.key]),
    )


def _paths(g: Evaluated) -> Iterator[Path]:
    """The paths from the variable to the output, each once with the times it is summed."""
    counted: dict[tuple[object, ...], list[Any]] = {}
    for p in paths(g.e, g.x.name):
        counted.setdefault(tuple(n.key for n in p), [p, 0])[1] += 1
    for p, count in counted.values():
        names = tuple(g.names[n.key] for n in p)
        factors = tuple(f"∂{b}/∂{a}" for a, b in pairwise(names))
        yield Path(names, factors[::-1], count)


def _order(g: Evaluated, method: str, costs: Mapping[str, Any]) -> list[object]:
    """The intermediate nodes (keys) in the order ``method`` eliminates them."""
    inner = [n for n in g.e.nodes() if n.key in g.on and n.key not in (g.x.key, g.e.key)]
    if method == "forward":
        return [n.key for n in inner]
    if method == "reverse":
        return [n.key for n in inner[::-1]]
    by_text: dict[str, list[object]] = {}  # costs names the nodes by their text
    for n in inner:
        by_text.setdefault(n.name if n.is_variable else str(n), []).append(n.key)
    return [by_text[t].pop(0) for t in costs.get("order", [])]


def _updates(g: Evaluated, order: list[object]) -> Iterator[Update]:
    """Vertex elimination on the symbols: eliminating v makes each u → v → w an edge u → w,
    added to the one already there (where paths meet)."""
    edges = {(a.key, n.key) for n in g.e.nodes() if n.key in g.on for a in n.args if a.key in g.on}
    rank = {n.key: i for i, n in enumerate(g.e.nodes())}
    sym = lambda w, u: f"∂{g.names[w]}/∂{g.names[u]}"
    for v in order:
        ordered = sorted(edges, key=lambda uw: (rank[uw[0]], rank[uw[1]]))
        for u in dict.fromkeys(u for u, w in ordered if w == v):
            for w in dict.fromkeys(w for u, w in ordered if u == v):
                yield Update(
                    g.names[v],
                    sym(w, u),
                    sym(w, v),
                    sym(v, u),
                    (u, w) in edges,
                    g.rows_by(w, u),
                    g.here(w, u),
                )
                edges.add((u, w))
        edges = {(u, w) for u, w in edges if v not in (u, w)}
