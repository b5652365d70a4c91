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

import re
from collections.abc import Mapping
from math import prod
from typing import Any

import numpy as np

from reshape import InputError

from .._column_major import column_major
from .._jacobian import Jacobian
from .._notation import to_latex
from .._structure_args import from_checked
from .._structures import Dense, Identity
from .._sum import add_jacobians
from ._elimination import Graph, Plan, plans, run
from ._evaluate import Evaluation, at_values, evaluate
from ._fast import program, replay
from ._graph import ACTIONS, Expression
from ._shapes import show
from ._symbolic import variable_of

__all__ = ["MAX_PATHS", "METHODS", "column_major", "costs", "gradient", "jacobian", "paths"]

METHODS = ("reverse", "forward", "cheapest")
MAX_PATHS = 10_000  # paths :func:`paths` lists; a graph may have exponentially many
MAX_TEXT = 60  # operations and leaves of a node's text in labels (see _texts)
# Operations without a derivative at a point (norm2 at 0) that are Lipschitz there: where the
# output's derivative with respect to their value is 0 (‖r‖² at r = 0: 2‖r‖ = 0), the composite
# has a derivative, the other paths' sum (|h(‖r + d‖) − h(‖r‖)| ≤ o(‖d‖) when h′ = 0), so
# their paths contribute 0 instead of the refusal. sqrt at 0 is not Lipschitz: (√x)² is x.
LIPSCHITZ = frozenset({"norm2"})


# ----- the graph of the nodes on a path from the variable to the output -----
def _on_paths(e: Expression, x: Expression) -> list[Expression]:
    """The nodes that depend on x (x first, e last), in evaluation order."""
    on, out = {x.key}, [x]
    for n in e.nodes():
        if n.key not in on and any(a.key in on for a in n.args):
            on.add(n.key)
            out.append(n)
    return out


def _texts(e: Expression) -> dict[object, str]:
    """Each node as the language writes it, for labels. Printing repeats a shared node at each
    use, so a text may grow exponentially with the graph: a node whose text would count more
    than MAX_TEXT operations and leaves is named by its operation and position (``matmul_7``),
    as is one the printer cannot write (the numbers must never depend on the printer)."""
    size: dict[object, int] = {}
    out: dict[object, str] = {}
    for i, n in enumerate(e.nodes()):
        size[n.key] = 1 + sum(size[a.key] for a in n.args)
        if n.is_variable:
            out[n.key] = n.name
            continue
        short = f"{n.op.name if n.op else n.name}_{i}"
        try:
            out[n.key] = str(n) if size[n.key] <= MAX_TEXT else short
        except InputError:
            out[n.key] = short
    return out


def _label(text: str) -> str:
    """A node's text for a symbol, bracketed unless a name or one call: ∂(x + y)/∂x."""
    return text if _one_term(text) else f"({text})"


def _in_brackets(template: str, slot: str) -> bool:
    """Whether every ``$slot`` of a closed-form template stands alone in brackets, ``f($z)``."""
    found = list(re.finditer(rf"\$(?:\{{{slot}\}}|{slot}(?![A-Za-z0-9_]))", template))
    return all(
        template[m.start() - 1 : m.start()] == "(" and template[m.end() : m.end() + 1] == ")"
        for m in found
    )


def _one_term(text: str) -> bool:
    """Whether text is a name or a number, or a name with one bracket around all the rest."""
    head = text.split("(", 1)[0]
    if not head.replace(".", "").replace("_", "").isalnum():
        return False
    if head == text:
        return True
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch == ")":
            return i == len(text) - 1
    return False


def _local(n: Expression, i: int, ev: Evaluation, texts: dict, where: str) -> Jacobian:
    """∂n/∂(its i-th argument) from n's rule, shaped as the graph's values are."""
    assert n.op is not None
    a, p = n.args[i], n.op.params[i].name
    rule = n.op.rules.get(p)
    if rule is None:
        raise InputError(where, "expression", f"an operation with a rule for {p}", n.op.name)
    out_shape, in_shape = ev.shapes[n.key], ev.shapes[a.key]
    try:
        J = rule.build(ev.contexts[n.key])
    except InputError as err:  # a derivative out of range at these values: the values' fault
        raise at_values(err, n, where) from err
    if J.shape != (prod(out_shape), prod(in_shape)):
        raise AssertionError(
            f"{n.op.name}: ∂/∂{p} is {J.shape[0]}×{J.shape[1]} for {out_shape} by {in_shape}"
        )
    of, wrt = _label(texts[n.key]), _label(texts[a.key])
    form = rule.form
    names = {
        q.name: (str if _in_brackets(form.source, q.name) else _label)(texts[b.key])
        for q, b in zip(n.op.params, n.args, strict=True)
    }
    tex = {k: to_latex(t) for k, t in names.items()}
    return J.label(of, wrt, form.text(**names), form.latex(**tex), out_shape, in_shape)


def _graph(e: Expression, x: Expression, ev: Evaluation, texts: dict, where: str) -> Graph:
    """The linearised graph: an edge u → w per pair, the sum of w's uses of u."""
    nodes = _on_paths(e, x)
    on = {n.key for n in nodes}
    edges: dict[tuple[object, object], Jacobian] = {}
    refused: list[tuple[Expression, int, InputError]] = []
    for n in nodes[1:]:
        for i, a in enumerate(n.args):
            if a.key in on:
                try:
                    J, k = _local(n, i, ev, texts, where), (a.key, n.key)
                except InputError as err:
                    if n.op is None or n.op.name not in LIPSCHITZ:
                        raise
                    refused.append((n, i, err))
                    continue
                edges[k] = add_jacobians(edges[k], J) if k in edges else J
    for n, i, err in refused:  # see LIPSCHITZ: its uses must all take its value with slope 0
        uses = [J for (u, _), J in edges.items() if u == n.key]
        if n.key == e.key or not uses or any(_slope(J) for J in uses):
            raise err
        a = n.args[i]
        zero = np.zeros((1, prod(ev.shapes[a.key])), dtype=ev.value(e).dtype)
        edges[(a.key, n.key)] = _zero_local(n, a, zero, ev, texts)
    return Graph(x.key, e.key, tuple(n.key for n in nodes[1:-1]), edges)


def _slope(J: Jacobian) -> bool:
    """Whether a use of a scalar, J (one column), takes it with a slope other than 0."""
    return bool(J._left(np.ones((1, 1), dtype=J.dtype)).any())


def _zero_local(
    n: Expression, a: Expression, zero: np.ndarray, ev: Evaluation, texts: dict
) -> Jacobian:
    """∂n/∂a as 0 where n (an operation of LIPSCHITZ) has no derivative but every use of it
    has slope 0: the paths through it contribute nothing."""
    J = Dense(zero)
    return J.label(_label(texts[n.key]), _label(texts[a.key]), "0", "0", (), ev.shapes[a.key])


def _prepare(
    e: Expression, wrt: str | Expression, values: Mapping[str, Any], where: str
) -> tuple[Expression, Evaluation, Graph, dict[object, str]]:
    """The variable, the evaluation, the linearised graph and the nodes' texts."""
    if not isinstance(e, Expression):
        raise InputError(where, "expression", "an Expression", type(e).__name__)
    x = variable_of(e, wrt, where)
    ev = evaluate(e, values, where)
    texts = _texts(e)
    return x, ev, _graph(e, x, ev, texts, where), texts


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
    J = J.label(_label(texts[e.key]), x.name, J._cf, J._tex, out_shape, in_shape)
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
    nodes = _on_paths(e, x)
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
    for n in _on_paths(e, x)[1:]:
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
    nodes = _on_paths(e, x)
    on = {m.key for m in nodes}
    ending: dict[object, list[list[Expression]]] = {x.key: [[x]]}
    for m in nodes[1:]:
        ending[m.key] = [[*p, m] for a in m.args if a.key in on for p in ending[a.key]]
    return ending[e.key]


# Expression.jacobian, .gradient and .costs call these (the graph module cannot import this one)
ACTIONS.update(jacobian=jacobian, gradient=gradient, costs=costs)
