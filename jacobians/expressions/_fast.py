"""A gradient program: the checked gradient's work, replayed without the checks it has made.

The first ``Expression.gradient`` at values of some shapes and dtypes runs in full: every value
checked, every size resolved, each operation's ``prepare`` checking its arguments. It then keeps
a :class:`Program` on the expression for those shapes and dtypes: the nodes to compute in order,
the constants' values, and the builders of the local Jacobians on the paths to the variable. A
later call at values of the same shapes and dtypes replays it: each operation through its
``unchecked`` (its context without the argument checks) where it has one, the rest through
``prepare``; the Jacobians from the same builders, with the same ``J._right`` products. So the
numbers are the checked path's, to the bit. Where the expression has a closed-form gradient that
reproduces the checked one, the program kept is that closed form, compiled (:mod:`._compiled`):
fewer numpy calls, the same refusals, the numbers to rounding.

What the skipped checks would have refused still cannot pass: the values not proved finite
through a product are scanned as before; every node's value is tested finite (a sum per node: a
NaN or infinity in any entry makes it non-finite), as is the gradient; the builders keep their
own domain checks. Where any of these fails, the call runs the checked path, which names the
node, the operation and the values at fault (or, where only a sum overflowed, returns the same
gradient).
"""

from __future__ import annotations

import cmath
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from math import prod
from typing import Any

import numpy as np

from reshape import InputError

from .._checks import all_finite
from .._registry import Context
from .._structure_args import from_checked
from ._compiled import Compiled, bound, compile_gradient, run_compiled
from ._compiled_parts import checked_compute
from ._evaluate import Evaluation, proved_through_products
from ._graph import Expression

__all__ = ["Program", "program", "replay"]

_KEPT = 8  # programs kept per expression (one per wrt and signature); the oldest goes first


@dataclass(frozen=True)
class Program:
    """One gradient, planned: see the module docstring. Slots are indices into a list of values."""

    wrt: str
    slots: int  # the graph's nodes
    dtype: np.dtype
    # per variable: (name, slot, scanned for NaN and infinity (not proved by a product), shape)
    variables: tuple[tuple[str, int, bool, tuple[int, ...]], ...]
    constants: tuple[tuple[int, np.ndarray], ...]  # (slot, read-only value)
    # (slot, compute, argument slots, options, shape): compute(*args, **options) -> Context
    steps: tuple[tuple[int, Callable[..., Context], tuple[int, ...], dict, tuple[int, ...]], ...]
    root: int | None  # the output's slot, None where it does not depend on wrt
    # in reverse order: (slot, [(argument slot, builder)]) for the arguments on a path to wrt
    back: tuple[tuple[int, tuple[tuple[int, Callable[[Any], Any]], ...]], ...]
    x: int  # wrt's slot
    size: int  # its number of entries


def _signature(e: Expression, values: Mapping[str, Any]) -> tuple | None:
    """The shapes and dtypes of the given values, or None where a value is not a real float
    ndarray: a list or an integer array (the checked path converts those), or a complex one (a
    complex step), where log, sqrt or arcsin outside their real domains give finite numbers that
    only the operations' own checks refuse."""
    if not isinstance(values, Mapping):
        return None
    out = []
    for name, _ in e._variables or tuple(e.variables().items()):
        a = values.get(name)
        if type(a) is not np.ndarray or a.dtype.kind != "f":
            return None
        out.append((name, a.shape, a.dtype))
    return tuple(out)


def program(
    e: Expression, x: Expression, values: Mapping[str, Any], ev: Evaluation, g: np.ndarray
) -> None:
    """Keep on ``e`` the program of the gradient ``g`` just computed, checked, at ``values``:
    the compiled closed form where it has one that gives ``g`` (:mod:`._compiled`), else the
    replayed steps."""
    sig = _signature(e, values)
    if sig is None or (x.name, sig) in e._programs:
        return
    through = proved_through_products(e)
    slot = {n.key: i for i, n in enumerate(ev.nodes)}
    variables = e.variables()
    kept = e._programs
    if len(kept) >= _KEPT:
        kept.pop(next(iter(kept), None), None)  # the oldest (a dict keeps insertion order)
    scanned = tuple(
        (k, slot[v.key], k not in through, ev.shapes[v.key]) for k, v in variables.items()
    )
    compiled = compile_gradient(e, x, values, ev, g, scanned)
    if compiled is not None:
        kept[(x.name, sig)] = compiled
        return
    constants, steps = [], []
    for i, n in enumerate(ev.nodes):
        if n.is_constant:
            v = ev.values[n.key].copy()
            v.setflags(write=False)  # shared by every call: nothing may write into it
            constants.append((i, v))
        elif n.op is not None:
            compute = checked_compute(n, ev.shapes)
            args = tuple(slot[a.key] for a in n.args)
            steps.append((i, compute, args, {**n.op.options, **n.options}, ev.shapes[n.key]))
    on = {x.key}
    for n in ev.nodes:
        if any(a.key in on for a in n.args):
            on.add(n.key)
    back = []
    for n in reversed(ev.nodes):
        if n.op is None or n.key not in on:
            continue
        uses = tuple(
            (slot[a.key], n.op.rules[n.op.params[i].name].build)
            for i, a in enumerate(n.args)
            if a.key in on
        )
        back.append((slot[n.key], uses))
    kept[(x.name, sig)] = Program(
        x.name,
        len(ev.nodes),
        ev.values[e.key].dtype,
        scanned,
        tuple(constants),
        tuple(steps),
        slot[e.key] if e.key in on else None,
        tuple(back),
        slot[x.key],
        int(np.prod(ev.shapes[x.key])),
    )


def replay(e: Expression, wrt: object, values: Mapping[str, Any]) -> np.ndarray | None:
    """The gradient with respect to the variable ``wrt`` (its name, or itself) by the kept
    program for these values' shapes and dtypes, or None where there is none or a check fails
    (the caller then runs the checked path)."""
    if not e._programs:
        return None
    name = wrt.name if isinstance(wrt, Expression) and wrt.is_variable else wrt
    if type(name) is not str:
        return None  # the checked path names what came instead
    sig = _signature(e, values)
    p = e._programs.get((name, sig)) if sig is not None else None
    if p is None:
        return None
    with np.errstate(all="ignore"), from_checked():
        if type(p) is Compiled:
            g = run_compiled(p, values)
            return None if g is None else _shaped(g, values[p.wrt], p.size, p.variables, p.wrt)
        return _run(p, values)


def _shaped(g: np.ndarray, given: Any, size: int, variables: tuple, wrt: str) -> np.ndarray:
    """The gradient shaped like the value given for wrt (a gradient is shaped like its
    parameter), or as the expression shapes wrt where the given one has another size."""
    shape = np.shape(given)
    if prod(shape) == size:  # math's: numpy's costs more than a small gradient's arithmetic
        return g.reshape(shape)
    return g.reshape(next(sh for name, _, _, sh in variables if name == wrt))


def _run(p: Program, values: Mapping[str, Any]) -> np.ndarray | None:
    vals = bound(p, values)
    if vals is None:
        return None
    dtype = p.dtype
    ctx: dict[int, Context] = {}
    total = 0.0  # NaN and infinity in any node's value make it non-finite
    try:
        for i, compute, args, options, shape in p.steps:
            c = compute(*[vals[j] for j in args], **options)
            v = np.asarray(c.value)
            total += np.add.reduce(v, axis=None) if v.ndim else v
            vals[i], ctx[i] = (v if v.shape == shape else v.reshape(shape)), c
        if not cmath.isfinite(total):
            return None
        rows = {} if p.root is None else {p.root: np.ones((1, 1), dtype=dtype)}
        for i, uses in p.back:
            row = rows.pop(i, None)
            if row is None:
                continue
            for j, build in uses:
                r = build(ctx[i])._right(row)
                rows[j] = r if j not in rows else rows[j] + r
    except InputError:  # a builder's domain check: the checked path names it
        return None
    g = rows.get(p.x)
    if g is None:
        g = np.zeros((1, p.size), dtype=dtype)
    elif not all_finite(g):
        return None
    return _shaped(g, values[p.wrt], p.size, p.variables, p.wrt)
