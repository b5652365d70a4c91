"""The point a table is computed at: the caller's arrays and the seed's draw, and what the
tables say about it.

A source draws every input from its seed, then puts the caller's arrays in place of the drawn
ones: the drawn point does not depend on what the caller gives, so any subset given is the
seed's draw with those arrays replaced. A draw at which nothing passes back (a relu layer with
no active unit, ∂C/∂z = 0) would print an all-zero gradient with nothing to learn from it, so
the source takes the generator's next draw instead, up to :data:`DRAWS` times (the first draw
is kept when none is better: a one-entry softmax is constant at every point). The caller's
arrays are never changed: a degenerate point they give is said in the table (:func:`inactive`
and the zero-gradient note of ``_build``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np

from jacobians import ACTIVATIONS
from reshape import InputError

from . import _args, _tex
from ._model import Degenerate, Value

__all__ = [
    "DRAWS",
    "at_the_point",
    "computed",
    "first_live",
    "given_layer",
    "inactive",
    "inputs",
    "silent",
]

DRAWS = 64  # draws tried for a live default point (relu, 1 unit: each is dead with p = 1/2)

_P = TypeVar("_P")


def first_live(draw: Callable[[], _P], live: Callable[[_P], bool]) -> _P:
    """The first of up to DRAWS calls of ``draw`` at which ``live`` holds, else the first."""
    first = draw()
    point = first
    for _ in range(DRAWS - 1):
        if live(point):
            return point
        point = draw()
    return point if live(point) else first


@contextmanager
def at_the_point(op: str, given: Collection[str]) -> Iterator[None]:
    """Within the block, an operation's refusal of the point (a value that leaves floating-point
    range: z overflowing, a probability rounded to 0 or 1 under a log) is the table's error,
    naming the arrays the caller gave; a drawn point stays in range, so nothing else is caught."""
    try:
        yield
    except InputError as e:
        if not given:
            raise
        raise InputError(
            op,
            ", ".join(given),
            "arrays at which every value of the table is finite",
            f"{e.op} refusing its {e.arg!r}: {e.got}",
            "scale the arrays down; a probability a must stay inside (0, 1) under a log",
        ) from e


def silent(activation: str, z: np.ndarray) -> bool:
    """Whether an activation passes nothing back at z: σ′(z) = 0 at every unit of an elementwise
    one (relu with every z ≤ 0); a softmax whose Jacobian diag(a) − aaᵀ is 0 (a one-hot a: always
    so for a single entry)."""
    op = ACTIVATIONS[activation]
    if op.deriv is not None:
        return not np.any(op.deriv(z))
    if activation == "softmax":
        a = op.value(z)
        return not np.any(a * (1 - a))
    return False


def inactive(
    activation: str,
    z: np.ndarray,
    layer: int,
    where: str,
    name: str,
    consequence: tuple[str, str],
) -> list[Degenerate]:
    """The note of a layer with no active unit, if it has none: ``where`` names the layer ("the
    layer", "layer 2"), ``name`` its z (z, z⁽²⁾), ``consequence`` what follows (which gradients
    are therefore zero), as text and as LaTeX text."""
    if not silent(activation, z):
        return []
    text, latex = consequence
    because = "so nothing passes back through it:"
    if ACTIVATIONS[activation].deriv is None:  # softmax
        what = (
            "a softmax of one entry is always 1"
            if z.size == 1
            else f"softmax({name}) is one-hot to machine precision"
        )
        lead = f"The softmax of {where} is flat here ({what}): its Jacobian "
        return [
            Degenerate(
                "inactive_layer",
                f"{lead}diag(a) − aaᵀ is 0, {because} {text}.",
                layer,
                f"{_tex.text(lead)}${_tex.math('diag(a) − aaᵀ')} = 0$, {because} {latex}.",
            )
        ]
    units = "its one unit" if z.size == 1 else f"each of its {z.size} units"
    return [
        Degenerate(
            "inactive_layer",
            f"No unit of {where} ({activation}) is active: σ′({name}) = 0 at {units}, {because} "
            f"{text}.",
            layer,
            f"No unit of {_tex.text(where)} ({_tex.text(activation)}) is active: "
            f"${_tex.math(f'σ′({name}) = 0')}$ at {units}, {because} {latex}.",
        )
    ]


def inputs(
    arrays: dict[str, np.ndarray],
    given: set[str],
    names: dict[str, str] | None = None,
    columns: tuple[str, ...] = (),
) -> list[Value]:
    """The inputs as table values, in the order of ``arrays`` (argument -> array): given or
    drawn, shown under ``names`` (argument -> symbol, W1 -> W⁽¹⁾); ``columns`` are vectors."""
    names = names or {}
    out = []
    for arg, a in arrays.items():
        name = names.get(arg, arg)
        out.append(
            Value(
                name,
                _tex.math(name),
                "input",
                a,
                origin="given" if arg in given else "drawn",
                argument=arg,
                column=arg in columns,
            )
        )
    return out


def computed(setup: Sequence[tuple[str, str]], values: Sequence[Any]) -> list[Value]:
    """The forward values, one per definition of the table's ``setup`` (text, LaTeX), named and
    defined by it: "z = Wx + b" names z, computed as Wx + b. A vector is a column; the cost is a
    scalar."""
    out = []
    for (text, tex), v in zip(setup, values, strict=True):
        name, definition = text.split(" = ", 1)
        a = np.asarray(v)
        out.append(
            Value(
                name,
                tex.split(" = ", 1)[0],
                "forward",
                a,
                definition=definition,
                definition_latex=tex.split(" = ", 1)[1],
                column=a.ndim == 1,
            )
        )
    return out


def given_layer(
    op: str,
    arrays: dict[str, Any],
    kinds: dict[str, str],
    sizes: tuple[int | None, int | None],
    defaults: tuple[int, int],
    total: bool | None,
) -> tuple[dict[str, np.ndarray], int, int]:
    """A one-layer table's arrays given by the caller (W, x, b, y; checked), and its sizes n, m:
    as asked, else read off the arrays (a size that contradicts one is refused), else the
    defaults. ``total`` says whether a given y must sum to 1 (None: y is not a probability)."""
    given = {k: _args.array(op, k, v, kinds[k]) for k, v in arrays.items() if v is not None}
    rows = [(k, given.get(k), 0) for k in ("W", "b", "y")]
    n = _args.size_from(op, "n", sizes[0], defaults[0], rows)
    columns = [("W", given.get("W"), 1), ("x", given.get("x"), 0)]
    m = _args.size_from(op, "m", sizes[1], defaults[1], columns)
    if "y" in given and total is not None:
        _args.probabilities(op, "y", given["y"], total=total)
    return given, n, m
