"""The explicit Jacobian of an expression: local Jacobians along the graph, summed over the paths.

Each node's Jacobian with respect to each argument comes from its operation's rule, built from
the context the evaluation kept; a variable reaching the output along several paths gets the sum
of the products along them (an argument used twice by one node counts twice). The products are
accumulated by vertex elimination (:mod:`._elimination`): ``"reverse"`` (adjoints from the
output back), ``"forward"`` (tangents from the variable on) or ``"cheapest"``, the order with
the fewest multiply-adds, planned on the structures as :func:`jacobians.chain` plans a chain.

>>> import numpy as np
>>> from jacobians.expressions import Variable
>>> X = Variable("X", (2, 2))
>>> J = jacobian(X @ X, "X", {"X": np.eye(2)})  # I ⊗ Xᵀ + X ⊗ I: both uses of X
>>> J.kind, J.matrix.diagonal()
('sum', array([2., 2., 2., 2.]))
"""

from __future__ import annotations

from collections.abc import Mapping
from math import prod
from typing import Any

import numpy as np

from reshape import InputError

from .._column_major import column_major
from .._jacobian import Jacobian
from .._structure_args import from_checked
from .._structures import Identity
from ._elimination import Graph, Plan, plans, run
from ._evaluate import Evaluation, at_values, evaluate
from ._fast import program, replay
from ._graph import ACTIONS, Expression
from ._linearise import LIPSCHITZ, graph, label, on_paths, texts_of
from ._shapes import show
from ._symbolic import variable_of

__all__ = ["MAX_PATHS", "METHODS", "column_major", "costs", "gradient", "jacobian", "paths"]

METHODS = ("reverse", "forward", "cheapest")
MAX_PATHS = 10_000  # paths :func:`paths` lists; a graph may have exponentially many


def _prepare(
    e: Expression, wrt: str | Expression, values: Mapping[str, Any], where: str
) -> tuple[Expression, Evaluation, Graph, dict[object, str]]:
    """The variable, the evaluation, the linearised graph and the nodes' texts."""
    if not isinstance(e, Expression):
        raise InputError(where, "expression", "an Expression", type(e).__name__)
    x = variable_of(e, wrt, where)
    ev = evaluate(e, values, where)
    texts = texts_of(e)
    return x, ev, graph(e, x, ev, texts, where), texts


def _order(g: Graph, method: str) -> tuple[object, ...]:
    """The vertices in the order ``method`` eliminates them; only "cheapest" plans."""
    if method == "reverse":
        return g.inner[::-1]
    return g.inner if method == "forward" else plans(g)["cheapest"].order


def _check_method(method: str, where: str) -> None:
    if method not in METHODS:
        raise InputError(
            where, "method", "'reverse', 'forward' or 'cheapest'", repr(method),
            "reverse accumulates adjoints from the output back, forward tangents from the variable",
        )  # fmt: skip


# ----- the public functions (attached to Expression as methods) -----
def jacobian(
    e: Expression,
    wrt: str | Expression,
    values: Mapping[str, Any],
    *,
    order: str = "C",
    method: str = "cheapest",
) -> Jacobian:
    """The structured Jacobian of vec(e) with respect to vec(wrt) at ``values``.

    Args:
        e: the expression.
        wrt: the variable, by name or as the Variable.
        values: an array for each variable (a vector as (n,) or (n, 1)).
        order: ``"C"`` (row-major vec on both sides, the toolkit's convention) or ``"F"``
            (column-major, as Magnus & Neudecker write it).
        method: ``"reverse"``, ``"forward"`` or ``"cheapest"`` (see :func:`costs`).

    Shapes: e of shape (p, q), wrt (m, n) -> pq × mn (numerator layout).

    >>> import numpy as np
    >>> from jacobians.expressions import Variable
    >>> W, x = Variable("W", (2, 3)), Variable("x", (3, 1))
    >>> J = jacobian(W @ x, "W", {"W": np.ones((2, 3)), "x": np.arange(3.0)})
    >>> J.kind, J.shape  # I₂ ⊗ xᵀ
    ('kronecker', (2, 6))
    """
    where = "Expression.jacobian"
    _check_method(method, where)
    if order not in ("C", "F"):
        raise InputError(
            where, "order", "'C' (row-major vec) or 'F' (column-major vec)", repr(order)
        )
    x, ev, g, texts = _prepare(e, wrt, values, where)
    out_shape, in_shape = ev.shapes[e.key], ev.shapes[x.key]
    if not g.edges:  # the expression is the variable
        J: Jacobian = Identity(in_shape, dtype=ev.value(x).dtype)
    else:
        J = run(g, _order(g, method))
    J = J.label(label(texts[e.key]), x.name, J._cf, J._tex, out_shape, in_shape)
    return J if order == "C" else column_major(J)


def costs(e: Expression, wrt: str | Expression, values: Mapping[str, Any]) -> dict[str, Any]:
    """Multiply-adds of each way to accumulate the Jacobian, and what the cheapest does.

    Returns a dict: ``reverse``, ``forward``, ``cheapest`` (multiply-adds of the products, as
    :func:`jacobians.plan` counts and :func:`jacobians.compose` does them); ``additions`` (entries
    added where paths meet, per method); ``strategy`` (the order the cheapest is: reverse,
    forward, chain, markowitz or search), ``order`` (the intermediate nodes as text, in the order
    the cheapest eliminates them), ``orders`` (every strategy's multiply-adds) and ``paths`` (the
    number of paths summed).

    >>> import numpy as np
    >>> from jacobians import tanh
    >>> from jacobians.expressions import Variable
    >>> W, x = Variable("W", (3, 3)), Variable("x", (3, 1))
    >>> c = costs(tanh(W @ x), "x", {"W": np.eye(3), "x": np.ones(3)})
    >>> c["reverse"], c["forward"], c["cheapest"]
    (9, 9, 9)
    """
    where = "Expression.costs"
    x, _, g, text = _prepare(e, wrt, values, where)
    ps = plans(g) if g.edges else {m: Plan("reverse", (), 0, 0) for m in METHODS}
    cheap = ps["cheapest"]
    return {
        **{m: ps[m].multiply_adds for m in METHODS},
        "additions": {m: ps[m].additions for m in METHODS},
        "strategy": cheap.strategy,
        "order": [text[k] for k in cheap.order],
        "orders": {k: p.multiply_adds for k, p in ps.items() if k != "cheapest"},
        "paths": _count(e, x),
    }


def gradient(e: Expression, wrt: str | Expression, values: Mapping[str, Any]) -> np.ndarray:
    """∇_wrt e of a scalar expression, shaped like the value given for wrt: a vector given as
    (n,) gets an (n,) gradient, as (n, 1) an (n, 1) one (a gradient is shaped like its
    parameter). Accumulated in reverse, which a scalar output makes the cheapest order.

    >>> import numpy as np
    >>> from jacobians import squared_error, tanh
    >>> from jacobians.expressions import Variable
    >>> x, y = Variable("x", (2, 1)), Variable("y", (2, 1))
    >>> gradient(squared_error(tanh(x), y), "x", {"x": [[0.0], [0.0]], "y": [1.0, 2.0]})
    array([[-1.],
           [-2.]])
    """
    where = "Expression.gradient"
    if isinstance(e, Expression) and e.shape != ():
        raise InputError(
            where, "expression", "a scalar expression", f"one of shape {show(e.shape)}",
            "a gradient exists for a scalar only: Expression.jacobian gives the full Jacobian",
        )  # fmt: skip
    g = replay(e, wrt, values)  # at shapes met before: the checked work, without its checks
    if g is not None:
        return g
    x = variable_of(e, wrt, where)
    ev = evaluate(e, values, where)
    nodes = on_paths(e, x)
    on = {n.key for n in nodes}
    # reverse mode with rows, not labelled Jacobians: each step is row · J (J.right), as in
    # jacobian(method="reverse"), without the texts, labels and plans a gradient never shows
    rows = {e.key: np.ones((1, 1), dtype=ev.value(e).dtype)}
    for n in reversed(nodes[1:]):
        row = rows.pop(n.key, None)
        if row is None or n.op is None:
            continue
        for i, a in enumerate(n.args):
            if a.key in on:
                with from_checked():  # the contexts hold checked arrays
                    try:
                        J = n.op.rules[n.op.params[i].name].build(ev.contexts[n.key])
                    except InputError as err:
                        if n.op.name in LIPSCHITZ and n.key != e.key and not row.any():
                            continue  # see LIPSCHITZ: row, its adjoint, is 0
                        raise at_values(err, n, where) from err
                r = J._right(row)  # row · J, unchecked: the gradient is checked once, below
                rows[a.key] = r if a.key not in rows else rows[a.key] + r
    size = prod(ev.shapes[x.key])
    g = rows.get(x.key, np.zeros((1, size), dtype=ev.value(e).dtype))
    if not np.isfinite(g).all():
        raise InputError(
            where, "values", "values at which the gradient stays within floating-point range",
            f"a gradient with {np.size(g) - np.isfinite(g).sum()} entries beyond it",
        )  # fmt: skip
    given = np.shape(values[x.name])
    program(e, x, values, ev, g)
    return g.reshape(given if prod(given) == size else ev.shapes[x.key])


def _count(e: Expression, x: Expression) -> int:
    """The number of paths from x to e (an argument used twice is two paths)."""
    count: dict[object, int] = {x.key: 1}
    for n in on_paths(e, x)[1:]:
        count[n.key] = sum(count.get(a.key, 0) for a in n.args)
    return count[e.key]


def paths(e: Expression, wrt: str | Expression) -> list[list[Expression]]:
    """The paths from the variable to the output whose products are summed, each a list of
    nodes from wrt to e; an argument used twice by one node gives two paths.

    >>> from jacobians.expressions import Variable
    >>> X = Variable("X", (3, 3))
    >>> [[str(n) for n in p] for p in paths(X @ X.T, "X")]
    [['X', "X*X'"], ['X', "X'", "X*X'"]]
    """
    where = "Expression.paths"
    x = variable_of(e, wrt, where)
    n = _count(e, x)
    if n > MAX_PATHS:
        raise InputError(
            where, "expression", f"at most {MAX_PATHS:,} paths to list", f"{n:,} paths",
            "Expression.costs counts them; the Jacobian sums them without listing them",
        )  # fmt: skip
    nodes = on_paths(e, x)
    on = {m.key for m in nodes}
    ending: dict[object, list[list[Expression]]] = {x.key: [[x]]}
    for m in nodes[1:]:
        ending[m.key] = [[*p, m] for a in m.args if a.key in on for p in ending[a.key]]
    return ending[e.key]


# Expression.jacobian, .gradient and .costs call these (the graph module cannot import this one)
ACTIONS.update(jacobian=jacobian, gradient=gradient, costs=costs)
