"""The linearised graph of an expression: each node's Jacobian with respect to each argument on a
path from the variable, from its operation's rule and the context the evaluation kept, labelled
in the expression's own text; and where a derivative does not exist but is not needed (see
:data:`LIPSCHITZ`), a 0 in its place.
"""

from __future__ import annotations

import re
from math import prod

import numpy as np

from reshape import InputError

from .._jacobian import Jacobian
from .._notation import to_latex
from .._structures import Dense
from .._sum import add_jacobians
from ._elimination import Graph
from ._evaluate import Evaluation, at_values
from ._graph import Expression

__all__ = ["LIPSCHITZ", "graph", "label", "on_paths", "texts_of"]

MAX_TEXT = 60  # operations and leaves of a node's text in labels (see texts_of)
# Operations without a derivative at a point (norm2 at 0) that are Lipschitz there: where the
# output's derivative with respect to their value is 0 (‖r‖² at r = 0: 2‖r‖ = 0), the composite
# has a derivative, the other paths' sum (|h(‖r + d‖) − h(‖r‖)| ≤ o(‖d‖) when h′ = 0), so
# their paths contribute 0 instead of the refusal. sqrt at 0 is not Lipschitz: (√x)² is x.
LIPSCHITZ = frozenset({"norm2"})


# ----- the graph of the nodes on a path from the variable to the output -----
def on_paths(e: Expression, x: Expression) -> list[Expression]:
    """The nodes that depend on x (x first, e last), in evaluation order."""
    on, out = {x.key}, [x]
    for n in e.nodes():
        if n.key not in on and any(a.key in on for a in n.args):
            on.add(n.key)
            out.append(n)
    return out


def texts_of(e: Expression) -> dict[object, str]:
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


def label(text: str) -> str:
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
    of, wrt = label(texts[n.key]), label(texts[a.key])
    form = rule.form
    names = {
        q.name: (str if _in_brackets(form.source, q.name) else label)(texts[b.key])
        for q, b in zip(n.op.params, n.args, strict=True)
    }
    tex = {k: to_latex(t) for k, t in names.items()}
    return J.label(of, wrt, form.text(**names), form.latex(**tex), out_shape, in_shape)


def graph(e: Expression, x: Expression, ev: Evaluation, texts: dict, where: str) -> Graph:
    """The linearised graph: an edge u → w per pair, the sum of w's uses of u."""
    nodes = on_paths(e, x)
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
    return J.label(label(texts[n.key]), label(texts[a.key]), "0", "0", (), ev.shapes[a.key])
