"""Vertex elimination: the Jacobian of a graph with fan-out and fan-in, in an order with a cost.

The graph of the nodes that depend on the variable is linearised: each edge u → w carries the
local Jacobian ∂w/∂u. Eliminating an intermediate vertex v replaces each path u → v → w by the
edge u → w carrying ∂w/∂v · ∂v/∂u, added to the edge already there (where paths meet); when only
the variable and the output remain, the one edge left is the Jacobian: the sum over the paths of
the products along them. The order of elimination is a choice with a cost, as the bracketing of
a chain is:

=========  ==============================================================================
order      eliminates
=========  ==============================================================================
reverse    from the output back: adjoints, summed where a node has several uses (backprop)
forward    from the variable forward: tangents, summed where a node has several arguments
chain      in a chain's matrix-chain bracketing, the cheapest of :func:`jacobians.chain`
markowitz  greedily, the vertex whose products cost the fewest multiply-adds now
search     every order, by the sets of vertices eliminated (graphs of few vertices)
=========  ==============================================================================

Orders are planned on structures alone (:func:`jacobians.plan` for a product,
:func:`jacobians._sum.plan_sum` for a sum) and run on the Jacobians by the routines those plans
name, so the multiply-adds an order reports are the ones its run does (or more, where a sum finds
equal Kronecker factors, which no structure shows, and keeps a product the plan took for a sum of
two).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

from .._chain import _cheapest_tree
from .._compose import compose
from .._jacobian import Jacobian
from .._limit import dense_limit
from .._planner import plan
from .._structure_args import Structure
from .._sum import add_jacobians, plan_sum

__all__ = ["STRATEGIES", "Graph", "Plan", "best", "plan_sum", "run", "simulate"]

Key = Hashable
Edges = dict[tuple[Key, Key], Any]  # (u, w) -> ∂w/∂u: a Jacobian to run, a Structure to plan
# (multiply-adds, result) of a product or a sum: the planner's count, or the run's result
Algebra = tuple[Callable[[Any, Any], tuple[int, Any]], Callable[[Any, Any], tuple[int, Any]]]

STRATEGIES = ("reverse", "forward", "chain", "markowitz", "search")
SEARCH_LIMIT = 8  # intermediate vertices up to which every order is searched (2⁸ sets)
LABEL_FACTORS, LABEL_CHARS = 24, 600  # a closed form longer than this is shown as its symbol
CHAIN_LIMIT = 64  # factors of a chain bracketed by the matrix-chain programme (k³/6 plans)


@dataclass(frozen=True)
class Graph:
    """The linearised graph: variable (source), output (sink), the vertices between them in
    evaluation order, and the edges (u, w) → ∂w/∂u."""

    source: Key
    sink: Key
    inner: tuple[Key, ...]
    edges: Edges

    def is_chain(self) -> bool:
        return set(self.edges) == set(pairwise((self.source, *self.inner, self.sink)))


@dataclass(frozen=True)
class Plan:
    """An elimination order and what it costs: multiply-adds of the products, additions of the
    sums (entries added)."""

    strategy: str
    order: tuple[Key, ...]
    multiply_adds: int
    additions: int
    dense_entries: int = 0  # of the largest dense matrix the order makes (0: none)


def _plan_product(sa: Structure, sb: Structure) -> tuple[int, Structure]:
    cost, s, _ = plan(sa, sb)
    return cost, s


PLANNING: Algebra = (_plan_product, plan_sum)


def _bounded(J: Jacobian) -> Jacobian:
    """J with its closed form kept while it reads at a glance (at most LABEL_FACTORS factors,
    LABEL_CHARS characters), else its symbol ∂w/∂u: a deep graph's product would otherwise
    nest its labels past Python's recursion limit when shown, or when a sum spells them out."""
    stack, leaves = [J._cf], 0
    while stack and leaves <= LABEL_FACTORS:
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(node)
        else:
            leaves += 1 if node is None or len(node) <= LABEL_CHARS else LABEL_FACTORS + 1
    if leaves > LABEL_FACTORS:
        J._cf = J._tex = None
    return J


def _run_product(A: Jacobian, B: Jacobian) -> tuple[int, Jacobian]:
    return plan(A.structure, B.structure)[0], _bounded(compose(A, B))


def _run_sum(A: Jacobian, B: Jacobian) -> tuple[int, Jacobian]:
    return plan_sum(A.structure, B.structure)[0], _bounded(add_jacobians(A, B))


# Run, counting what is done on the structures met: the plan's count, unless add_jacobians finds
# equal Kronecker factors the structures cannot show (then a product and the run cost less).
RUNNING: Algebra = (_run_product, _run_sum)


def _adjacency(edges: Edges) -> tuple[dict, dict]:
    """Predecessors and successors of each vertex, as insertion-ordered dicts (sets whose order
    does not depend on hashing, so a run adds its terms in the same order every time)."""
    preds: dict[Key, dict[Key, None]] = {}
    succs: dict[Key, dict[Key, None]] = {}
    for u, w in edges:
        succs.setdefault(u, {})[w] = None
        preds.setdefault(w, {})[u] = None
    return preds, succs


def _eliminate(edges: Edges, preds: dict, succs: dict, v: Key, algebra: Algebra) -> tuple[int, int]:
    """Remove v: u → v → w becomes u → w (added to an edge already there); (multiply-adds, adds)."""
    mul, add = algebra
    mults = adds = 0
    outs = list(succs.pop(v, {}))
    for u in preds.pop(v, {}):
        del succs[u][v]
        down = edges.pop((u, v))
        for w in outs:
            c, P = mul(edges[(v, w)], down)
            mults += c
            if (u, w) in edges:
                c, edges[(u, w)] = add(edges[(u, w)], P)
                adds += c
            else:
                edges[(u, w)] = P
                succs[u][w] = None
                preds[w][u] = None
    for w in outs:
        del preds[w][v]
        del edges[(v, w)]
    return mults, adds


def simulate(g: Graph, order: Sequence[Key], algebra: Algebra = PLANNING) -> tuple[int, int, Edges]:
    """Eliminate ``order`` from a copy of g's edges: (multiply-adds, additions, edges left)."""
    edges = dict(g.edges)
    preds, succs = _adjacency(edges)
    mults = adds = 0
    for v in order:
        m, a = _eliminate(edges, preds, succs, v, algebra)
        mults, adds = mults + m, adds + a
    return mults, adds, edges


def run(g: Graph, order: Sequence[Key]) -> Jacobian:
    """The Jacobian: g's Jacobian edges with ``order`` eliminated, the one edge left."""
    _, _, edges = simulate(g, order, RUNNING)
    return edges[(g.source, g.sink)]


# ----- the orders -----
def _chain_order(g: Graph) -> tuple[Key, ...]:
    """A chain's vertices in the order of chain's cheapest bracketing: merging factors m and m+1
    (outermost first) eliminates the vertex between them."""
    path = (g.source, *g.inner, g.sink)
    k = len(g.inner)
    structs = tuple(g.edges[(path[j], path[j + 1])] for j in reversed(range(k + 1)))
    order: list[Key] = []

    def walk(tree: Any) -> tuple[int, int]:
        if isinstance(tree, int):
            return tree, tree
        (i, m), (_, j) = walk(tree[0]), walk(tree[1])
        order.append(path[k - m])
        return i, j

    walk(_cheapest_tree(structs))
    return tuple(order)


def _markowitz(g: Graph) -> tuple[Key, ...]:
    """Greedy: next, the vertex whose products cost least on the edges as they are now (the
    earliest in evaluation order on a tie). A heap keeps the costs; eliminating v changes only
    the costs of its neighbours, whose stale entries are skipped when popped."""
    edges = dict(g.edges)
    preds, succs = _adjacency(edges)
    rank = {v: i for i, v in enumerate(g.inner)}

    def now(v: Key) -> int:
        return sum(plan(edges[(v, w)], edges[(u, v)])[0] for u in preds[v] for w in succs[v])

    cost = {v: now(v) for v in g.inner}
    heap = [(c, rank[v]) for v, c in cost.items()]
    heapq.heapify(heap)
    order: list[Key] = []
    while heap:
        c, i = heapq.heappop(heap)
        v = g.inner[i]
        if v not in cost or cost[v] != c:
            continue  # eliminated, or its cost changed since this entry
        near = [u for u in (*preds[v], *succs[v]) if u in cost and u != v]
        _eliminate(edges, preds, succs, v, PLANNING)
        del cost[v]
        order.append(v)
        for u in near:
            cost[u] = now(u)
            heapq.heappush(heap, (cost[u], rank[u]))
    return tuple(order)


def _search(g: Graph) -> tuple[Key, ...]:
    """The cheapest order over the sets of vertices eliminated: each set keeps the cheapest way
    found to it (with the structures that way left), as the matrix-chain programme keeps the
    cheapest product of each span."""
    layer: dict[frozenset, tuple[tuple[int, int], Edges, tuple[Key, ...]]] = {
        frozenset(): ((0, 0), g.edges, ())
    }
    for _ in g.inner:
        following: dict[frozenset, tuple[tuple[int, int], Edges, tuple[Key, ...]]] = {}
        for done, (cost, edges, order) in layer.items():
            for v in g.inner:
                if v in done:
                    continue
                edges2 = dict(edges)
                m, a = _eliminate(edges2, *_adjacency(edges2), v, PLANNING)
                total = (cost[0] + m, cost[1] + a)
                key = done | {v}
                if key not in following or total < following[key][0]:
                    following[key] = (total, edges2, (*order, v))
        layer = following
    return next(iter(layer.values()))[2]


def _orders(g: Graph) -> dict[str, tuple[Key, ...]]:
    orders = {"reverse": g.inner[::-1], "forward": g.inner}
    if g.is_chain() and len(g.inner) < CHAIN_LIMIT:
        orders["chain"] = _chain_order(g)
    orders["markowitz"] = _markowitz(g)
    if len(g.inner) <= SEARCH_LIMIT:
        orders["search"] = _search(g)
    return orders


@lru_cache(maxsize=256)
def _plans(
    inner: int, edges: tuple[tuple[int, int, Structure], ...], limit: int
) -> dict[str, Plan]:
    """Every strategy's plan, on vertices numbered 0 (source) … inner + 1 (sink); cached, since
    it depends on the structures alone (a loop asks for the same graph at every step) and on
    the memory ``limit`` (a sum of dense terms past it is kept a Sum)."""
    g = Graph(0, inner + 1, tuple(range(1, inner + 1)), {(u, w): s for u, w, s in edges})
    out = {}
    for name, order in _orders(g).items():
        largest = [0]
        algebra = (_counting(_plan_product, largest), _counting(plan_sum, largest))
        m, a, _ = simulate(g, order, algebra)
        out[name] = Plan(name, order, m, a, largest[0])
    return out


def _counting(step: Callable[[Any, Any], tuple[int, Any]], largest: list[int]) -> Callable:
    """``step`` (a planned product or sum) noting in largest[0] the entries of the largest
    dense matrix it makes."""

    def counted(A: Structure, B: Structure) -> tuple[int, Structure]:
        c, S = step(A, B)
        if S.kind == "dense":
            largest[0] = max(largest[0], S.rows * S.cols)
        return c, S

    return counted


def plans(g: Graph) -> dict[str, Plan]:
    """The plan of each strategy for g (a graph of Jacobians), its order in g's own vertices;
    ``"cheapest"`` is the one with the fewest multiply-adds (then additions), reverse first on a
    tie, then forward, then the order :data:`STRATEGIES` lists.

    >>> from jacobians import Dense
    >>> import numpy as np
    >>> edges = {("x", "z"): Dense(np.ones((3, 4))), ("z", "f"): Dense(np.ones((1, 3)))}
    >>> g = Graph("x", "f", ("z",), edges)
    >>> {k: p.multiply_adds for k, p in plans(g).items()}
    {'reverse': 12, 'forward': 12, 'chain': 12, 'markowitz': 12, 'search': 12, 'cheapest': 12}
    """
    number = {k: i for i, k in enumerate((g.source, *g.inner, g.sink))}
    key = tuple((number[u], number[w], J.structure) for (u, w), J in g.edges.items())
    names = (g.source, *g.inner, g.sink)
    out = {
        name: Plan(
            p.strategy,
            tuple(names[i] for i in p.order),
            p.multiply_adds,
            p.additions,
            p.dense_entries,
        )
        for name, p in _plans(len(g.inner), key, dense_limit()).items()
    }
    out["cheapest"] = best(out)
    return out


def best(plans: dict[str, Plan]) -> Plan:
    """The plan with the fewest multiply-adds, then additions; the earlier strategy on a tie;
    among those whose dense matrices fit the memory limit where any does (a product of moves,
    a Kronecker product times a commutation, costs no multiply-adds and may make 40000² entries
    where the reverse order makes a row)."""
    limit = dense_limit() // 8  # entries of float64
    fit = [p for p in plans.values() if p.dense_entries <= limit] or list(plans.values())
    return min(fit, key=lambda p: (p.multiply_adds, p.additions))
