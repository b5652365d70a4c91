"""Closed-form derivatives of an expression, as expressions: composed from each operation's
symbolic rules along the graph, then simplified.

``gradient_expression`` runs reverse mode on expressions: the output's adjoint is 1 and each
operation's rule ``adjoint(G, node)`` passes G back to its arguments, summed where a variable is
used twice. ``jacobian_expression`` runs forward mode: each operation's rule ``expression(node)``
is its local Jacobian as an expression, multiplied along every path from wrt and summed. Either
result is an :class:`Expression` in the user's names, so ``str()`` of it is text that ``parse``
reads back, and evaluating it reproduces the numeric Jacobian (what the tables check).
"""

from __future__ import annotations

from math import prod

from reshape import InputError

from ._graph import ACTIONS, Expression, constant, node
from ._shapes import resolve
from ._simplify import simplify, zero

__all__ = ["gradient_expression", "jacobian_expression", "variable_of"]


def variable_of(e: Expression, wrt: str | Expression, where: str) -> Expression:
    """The variable of ``e`` named (or given as) ``wrt``, or a clear error naming the known ones."""
    name = wrt.name if isinstance(wrt, Expression) and wrt.is_variable else wrt
    found = e.variables()
    if not isinstance(name, str) or name not in found:
        known = ", ".join(found) or "none"
        raise InputError(where, "wrt", f"a variable of the expression ({known})", repr(wrt))
    return found[name]


def _depends(e: Expression, x: Expression) -> set[object]:
    """Keys of the nodes on a path from x up to e."""
    on: set[object] = {x.key}
    for n in e.nodes():
        if any(a.key in on for a in n.args):
            on.add(n.key)
    return on


def _rule(n: Expression, i: int, what: str, where: str):  # noqa: ANN202 - a Rule's callable
    assert n.op is not None
    rule = n.op.rules[n.op.params[i].name]
    f = rule.expression if what == "expression" else rule.adjoint
    if f is None:
        raise InputError(
            where,
            "expression",
            f"operations with a closed-form {what}",
            f"{n.op.name} has none for {n.op.params[i].name}",
        )
    return f


def gradient_expression(e: Expression, wrt: str | Expression) -> Expression:
    """∇_wrt e for a scalar e, shaped like wrt, as a simplified expression.

    >>> from jacobians.expressions import parse
    >>> print(parse("x'*A*x", ["A=3x3"]).gradient_expression("x"))
    A'*x + A*x
    """
    where = "Expression.gradient_expression"
    x = variable_of(e, wrt, where)
    if not e.is_scalar:
        raise InputError(
            where,
            "expression",
            "a scalar expression",
            f"shape {e.shape}",
            "for a matrix or vector expression use jacobian_expression",
        )
    on = _depends(e, x)
    adj: dict[object, Expression] = {e.key: constant("number", 1.0)}
    for n in reversed(e.nodes()):
        G = adj.get(n.key)
        if G is None or n.op is None:
            continue
        for i, a in enumerate(n.args):
            if a.key not in on:
                continue
            part = simplify(_rule(n, i, "adjoint", where)(G, n))
            adj[a.key] = part if a.key not in adj else simplify(node("add", adj[a.key], part))
    return adj.get(x.key, zero(x.shape))


def jacobian_expression(e: Expression, wrt: str | Expression) -> Expression:
    """∂vec(e)/∂vec(wrt) (row-major vec, numerator layout) as a simplified expression.

    >>> from jacobians.expressions import parse
    >>> print(parse("A*X*B", ["A=2x3", "X=3x4", "B=4x5"]).jacobian_expression("X"))
    kron(A, B')
    """
    where = "Expression.jacobian_expression"
    x = variable_of(e, wrt, where)
    if e.is_scalar and e.key != x.key:  # a row: the gradient's vec, transposed
        g = gradient_expression(e, x)
        return simplify(node("transpose", node("vec", g))) if not g.is_scalar else g
    on = _depends(e, x)
    tangent: dict[object, Expression | None] = {x.key: None}  # None: the identity
    for n in e.nodes():
        if n.key not in on or n.key == x.key:
            continue
        total: Expression | None = None
        for i, a in enumerate(n.args):
            if a.key not in on:
                continue
            J = _rule(n, i, "expression", where)(n)
            T = tangent[a.key]
            if T is None:
                part = simplify(J)
            else:  # a scalar's Jacobian is 1×1: a scalar multiple, not a matrix product
                scalar = J.is_scalar or T.is_scalar
                part = simplify(node("multiply" if scalar else "matmul", J, T))
            total = part if total is None else simplify(node("add", total, part))
        tangent[n.key] = total
    out = tangent.get(e.key)
    if out is None:  # e is wrt itself: the identity of vec(wrt)'s size
        sizes = [resolve(d) for d in x.shape]
        if not all(isinstance(s, int) for s in sizes):
            raise InputError(
                where, "wrt", "a variable of fixed size (give shapes)", f"{x.name} of open size"
            )
        N = prod(sizes)  # type: ignore[arg-type]
        return constant("eye", 1.0, (N, N))
    return out


ACTIONS["jacobian_expression"] = jacobian_expression
ACTIONS["gradient_expression"] = gradient_expression
