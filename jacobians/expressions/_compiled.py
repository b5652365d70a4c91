"""A gradient compiled from its closed form: the expression's nodes and those of its simplified
gradient expression, evaluated in one straight line of numpy calls.

The replayed program of :mod:`._fast` makes, per node, a context, a local Jacobian and a product
with it. The gradient expression (``Expression.gradient_expression``, the rules' adjoints composed
and simplified) is what a person writes by hand: for ‖Ax − y‖² it is 2Aᵀ(Ax − y), three numpy
calls. So where the expression has one, a later call at values of the shapes and dtype met before
evaluates it instead, beside the expression itself.

What the checked path refuses is still refused, by running it:

- every node of the expression itself is computed and its value tested finite (a sum per node),
  so log of a negative number or a division by zero still fails, and the gradient is tested; a
  node whose every use passes a NaN or infinity on (a sum, a product by an array, log, …: see
  ``_compiled_parts.PASSES_ON``) to a node that is tested needs no test of its own, nor a
  variable its scan;
- an operation whose derivative has a domain of its own (norm2 at 0, sqrt at 0, a power's
  infinite slope, arcsin and arccos at ±1, inv) has its rule's builder run, as the
  checked path runs it, since simplifying may remove the division that would show it
  (2‖r‖ · r/‖r‖ is 2r, finite at r = 0, where norm2 has no derivative);
- a closed form can be less stable than the builders it stands for, so where it could lose
  what they keep, the checked path runs instead: a quotient of the gradient expression whose
  divisor is not finite or falls below the normal range (x/∞ is 0, and 1/v² of a tiny v loses
  digits, where the builder's −(u/v)/v does not), log's argument there too (log′ = 1/z
  overflows: its builder refuses), a norm whose squares underflow (the builder scales them),
  and a log-sum-exp over a matrix's entries (exp(X − logsumexp(X)) cancels digits at large
  X; a vector's gradient is its softmax, as stable as the builder's);
- the result is the program's own array, never a value passed in or a constant it keeps;
- the constants it keeps are weighed against the memory limit on every call, as they are when
  made (a limit lowered since is met by the checked path's refusal);
- the program is kept only if, at the values of the checked call, it gives that call's gradient
  to rounding (relative 1e-12 of its largest entry), checked through both the evaluation of the
  gradient expression and the program itself.

Results equal the checked path's to float64 rounding, not to the bit: the closed form groups the
arithmetic differently.
"""

from __future__ import annotations

import cmath
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from reshape import InputError, _limit

from .._checks import all_finite
from ._compiled_parts import (
    GUARDED,
    cancels,
    checked_compute,
    covered_nodes,
    hoisted,
    plain_power,
    smallest_norm,
    value_of,
)
from ._evaluate import Evaluation, evaluate
from ._graph import Expression

__all__ = ["Compiled", "compile_gradient", "run_compiled"]

_AGREE = 1e-12


@dataclass(frozen=True)
class Compiled:
    """The straight line: see the module docstring. Slots index a list of values."""

    wrt: str
    slots: int
    dtype: np.dtype
    variables: tuple[tuple[str, int, bool, tuple[int, ...]], ...]  # as Program's
    constants: tuple[tuple[int, np.ndarray], ...]
    # (slot, value(*args, **options), argument slots, options, shape, tested finite)
    steps: tuple[tuple[int, Callable[..., Any], tuple[int, ...], dict, tuple[int, ...], bool], ...]
    nonzero: tuple[int, ...]  # slots of norm2 nodes: the norm has no derivative where it is 0
    small: float  # a norm below it has squares that underflow (see the module docstring)
    tiny: float  # the dtype's smallest normal number
    # slots whose entries must be normal numbers: log's arguments (positive: the least is
    # tested), the divisors of the gradient expression's quotients (their magnitudes), and of
    # those the ones the expression's own nodes do not hold (tested finite too, x/∞ being 0)
    positive: tuple[int, ...]
    divisors: tuple[int, ...]
    divisors_untested: tuple[int, ...]
    # (build, prepare-or-unchecked, argument slots, options): the builders that keep a domain
    guards: tuple[tuple[Callable[[Any], Any], Callable[..., Any], tuple[int, ...], dict], ...]
    out: int
    size: int
    out_dtype: np.dtype  # the checked call's gradient's


def compile_gradient(
    e: Expression, x: Expression, values: Mapping[str, Any], ev: Evaluation, g: np.ndarray,
    variables: tuple[tuple[str, int, bool, tuple[int, ...]], ...] | None = None,
) -> Compiled | None:  # fmt: skip
    """The compiled gradient of ``e`` with respect to ``x`` at the checked call's ``values``
    (its evaluation ``ev`` and gradient ``g``, as a row), or None where there is no closed form
    or it does not reproduce ``g``."""
    try:
        ge = e.gradient_expression(x)
    except InputError:
        return None  # an operation without a symbolic adjoint
    if ge.op is None:
        return None  # a constant or wrt itself: the replayed program is as short
    if any(cancels(n, ev.shapes) for n in ev.nodes):
        return None
    ge = hoisted(ge)
    try:
        evg = evaluate(ge, values, "Expression.gradient")
    except (InputError, ArithmeticError, np.linalg.LinAlgError):
        return None
    scale = float(np.max(np.abs(g))) if g.size else 0.0
    if not _agrees(evg.values[ge.key], g, scale):
        return None
    forward = {n.key for n in ev.nodes}
    covered = covered_nodes(e)
    nodes = list(ev.nodes) + [n for n in evg.nodes if n.key not in forward]
    shapes = {**evg.shapes, **ev.shapes}
    on = {x.key}
    for n in ev.nodes:
        if any(a.key in on for a in n.args):
            on.add(n.key)
    # one slot per distinct computation: the adjoints rebuild nodes the expression has (the
    # logistic loss's gradient writes exp(−y ⊙ Xw) twice more), computed once here
    slot: dict[object, int] = {}
    seen: dict[tuple, int] = {}
    constants, steps, guards, nonzero, positive, divisors = [], [], [], [], [], []
    ahead: set[int] = set()  # the slots of the expression's own nodes, tested or covered
    for n in nodes:
        options = {} if n.op is None else {**n.op.options, **n.options}
        args = tuple(slot[a.key] for a in n.args)
        what = (n.op.name if n.op else n.name, args, repr(sorted(options.items())))
        same = seen.get((*what, repr(n.options), shapes[n.key]))
        if same is not None:
            slot[n.key] = same
            continue
        i = slot[n.key] = seen[(*what, repr(n.options), shapes[n.key])] = len(seen)
        if n.is_constant:
            # in the gradient's dtype: a closed form of constants alone (mean's 1/n) is float64
            v = (ev.values if n.key in forward else evg.values)[n.key].astype(g.dtype)
            v.setflags(write=False)
            constants.append((i, v))
        elif n.op is not None:
            tested = n.key in forward and n.key not in covered
            steps.append((i, value_of(n, shapes), args, options, shapes[n.key], tested))
            if n.key in forward:
                ahead.add(i)
            if n.op.name == "log" and n.key in on:
                positive.append(args[0])
            elif n.op.name == "divide" and n.key not in forward:
                divisors.append(args[1])
            if n.key not in on or n.op.name not in GUARDED:
                continue
            if n.op.name == "norm2":
                nonzero.append(i)  # its builder refuses X = 0 alone, where the norm is 0
                continue
            for k, a in enumerate(n.args):
                if a.key in on and not plain_power(n, k):
                    build = n.op.rules[n.op.params[k].name].build
                    guards.append((build, checked_compute(n, shapes), args, options))
    c = Compiled(
        x.name,
        len(seen),
        ev.values[e.key].dtype,
        tuple(
            (k, slot[("variable", k)], s and ("variable", k) not in covered, sh)
            for k, _, s, sh in variables or ()
        ),
        tuple(constants),
        tuple(steps),
        tuple(nonzero),
        smallest_norm(ev.values[e.key].dtype),
        float(np.finfo(ev.values[e.key].dtype).tiny),
        tuple(dict.fromkeys(positive)),
        tuple(i for i in dict.fromkeys(divisors) if i not in positive),
        tuple(i for i in dict.fromkeys(divisors) if i not in positive and i not in ahead),
        tuple(guards),
        slot[ge.key],
        int(np.prod(ev.shapes[x.key])),
        g.dtype,
    )
    with np.errstate(all="ignore"):
        again = run_compiled(c, values)
    return c if again is not None and _agrees(again, g, scale) else None


def _agrees(a: np.ndarray, g: np.ndarray, scale: float) -> bool:
    a = np.asarray(a).reshape(-1)
    return a.size == g.size and bool(np.all(np.abs(a - g.reshape(-1)) <= _AGREE * scale))


def bound(p: Any, values: Mapping[str, Any]) -> list[Any] | None:
    """A kept program's slots with its variables (in its dtype and shapes, scanned where it says)
    and its constants in place; None where a scanned variable is not finite."""
    for _, v in p.constants:
        if v.nbytes > _limit._dense_limit:  # the limit was lowered: the checked path refuses
            return None
    vals: list[Any] = [None] * p.slots
    for name, i, scanned, shape in p.variables:
        a = values[name]
        if scanned and not all_finite(a):
            return None
        vals[i] = a.astype(p.dtype, copy=False).reshape(shape)
    for i, v in p.constants:
        vals[i] = v
    return vals


def run_compiled(c: Compiled, values: Mapping[str, Any]) -> np.ndarray | None:
    """The gradient as a flat array, or None where a check fails (the checked path then runs)."""
    vals = bound(c, values)
    if vals is None:
        return None
    total = 0.0  # NaN and infinity in any of the expression's own nodes make it non-finite
    try:
        for i, value, args, options, shape, tested in c.steps:
            v = np.asarray(value(*[vals[j] for j in args], **options))
            if tested:
                total += np.add.reduce(v, axis=None) if v.ndim else v
            vals[i] = v if v.shape == shape else v.reshape(shape)
        if not cmath.isfinite(total):
            return None
        for i in c.nonzero:
            if not vals[i] >= c.small:  # 0, or squares lost to underflow: the builder scales
                return None
        for i in c.positive:
            if not vals[i].min() >= c.tiny:
                return None
        for i in c.divisors:
            if not np.abs(vals[i]).min() >= c.tiny:
                return None
        for i in c.divisors_untested:
            if not cmath.isfinite(np.add.reduce(vals[i], axis=None)):
                return None
        for build, compute, args, options in c.guards:
            build(compute(*[vals[j] for j in args], **options))
    except (InputError, ArithmeticError, np.linalg.LinAlgError):
        return None  # the checked path names it
    g = vals[c.out]
    if not all_finite(g):
        return None
    if not (g.flags.owndata and g.flags.writeable) or g.dtype != c.out_dtype:
        # a view of a value passed in or of a constant kept (the output is an operation's, so
        # never one of them itself): never handed out
        g = g.astype(c.out_dtype)
    return g.reshape(-1)
