"""What an expression's table is computed at: the expression evaluated at its values, with its
nodes' symbols (u₁, u₂, …, f) and symbolic sizes (n, m, p, …); and the values file of
``jacobians derive --values`` (.npz or .json). The values themselves are drawn by
:mod:`jacobians.checking._draws`, as :func:`jacobians.verify` draws them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from math import prod
from typing import Any

import numpy as np

from jacobians._notation import sub
from jacobians.checking._draws import draw, given_values, shapes_of
from jacobians.expressions import Expression, parse
from jacobians.expressions._evaluate import Evaluation, evaluate
from jacobians.expressions._parse import parse_shapes
from jacobians.expressions._shapes import resolve
from reshape import InputError

__all__ = ["Evaluated", "size_text", "symbols"]

WHERE = "derivations.expression"
_LETTERS = "nmpqkrstlabcdefghij"
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def symbols(e: Expression) -> dict[int, str]:
    """Each open size of ``e`` (keyed by the id of its root) as a letter, n, m, p, … in order
    of appearance.

    >>> sorted(symbols(parse("A*x + y")).values())
    ['m', 'n']
    """
    letters: dict[int, str] = {}
    for v in e.nodes():
        for d in v.shape:
            r = resolve(d)
            if not isinstance(r, int) and id(r) not in letters:
                letters[id(r)] = _LETTERS[len(letters) % len(_LETTERS)]
    return letters


def size_text(dims: list[str]) -> str:
    """The number of entries of a shape, symbolically.

    >>> size_text(["n", "m"]), size_text(["n", "n"]), size_text(["3", "n"]), size_text([])
    ('nm', 'n²', '3n', '1')
    """
    number, powers = 1, {}
    for d in dims:
        if d.isdigit():
            number *= int(d)
        else:
            powers[d] = powers.get(d, 0) + 1
    letters = "".join(
        k + (str(p).translate(_SUPERSCRIPT) if p > 1 else "") for k, p in powers.items()
    )
    return (str(number) if number != 1 or not letters else "") + letters


def _names(e: Expression) -> dict[object, str]:
    """Variables by name, constants by their text, operations u₁, u₂, … and the output f (u is
    v, w, … where a variable is called u or u_1, which LaTeX would set as u₁ too)."""
    out: dict[object, str] = {}
    k = 0
    taken = set(e.variables())
    letter = next(c for c in "uvwtsqrpghk" if not any(_stem(name) == c for name in taken))
    for n in e.nodes():
        if n.op is None:
            out[n.key] = n.name if n.is_variable else str(n)
        elif n is e and "f" not in taken:
            out[n.key] = "f"
        else:
            k += 1
            out[n.key] = f"{letter}{sub(k)}"
    return out


def _stem(name: str) -> str:
    """The letter a name reads as, subscripts aside: u for u, u_1 and u_12 (not for u1 or u_a)."""
    head, _, tail = name.partition("_")
    return head if not tail or tail.isdigit() else name


@dataclass
class Evaluated:
    """An expression at its values, and what every row of its table reads.

    ``e`` is parsed with every size a number (so closed forms print their constants' sizes and
    read back), ``symbolic`` with the sizes left open (for the shapes n×m); the two have the same
    nodes in the same order.
    """

    e: Expression
    x: Expression
    ev: Evaluation
    values: dict[str, np.ndarray]
    drawn: dict[str, str]
    shapes: dict[str, tuple[int, ...]]
    names: dict[object, str]
    dims: dict[object, list[str]]
    on: set[object]  # the nodes on a path from x (x among them)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def at(
        cls, text: str, wrt: str, shapes: Any, values: Mapping[str, Any] | None, seed: int
    ) -> Evaluated:
        symbolic = parse(text, shapes)
        if not isinstance(wrt, str) or wrt not in symbolic.variables():
            known = ", ".join(symbolic.variables()) or "none"
            raise InputError(WHERE, "wrt", f"a variable of {text} ({known})", repr(wrt))
        declared = parse_shapes(shapes) if shapes is not None else {}
        extra = [name for name in declared if name not in symbolic.variables()]
        if extra:  # a typo ('a' for 'A') would leave A's size open, silently
            known = ", ".join(symbolic.variables()) or "none"
            got = f"a shape for {', '.join(map(repr, extra))}"
            raise InputError(WHERE, "shapes", f"shapes of variables of {text} ({known})", got)
        given = given_values(symbolic, values, WHERE)
        concrete = shapes_of(symbolic, given, WHERE)
        e = parse(text, concrete)
        vals, drawn = draw(e, concrete, given, np.random.default_rng(seed))
        letters = symbols(symbolic)
        dims = {
            n.key: [_dim(d, letters) for d in s.shape]
            for n, s in zip(e.nodes(), symbolic.nodes(), strict=True)
        }
        x = e.variables()[wrt]
        on = {x.key}
        for n in e.nodes():
            if any(a.key in on for a in n.args):
                on.add(n.key)
        ev = evaluate(e, vals, WHERE)
        return cls(e, x, ev, vals, drawn, concrete, _names(e), dims, on)

    def shape(self, n: Expression) -> str:
        """n×m, or scalar."""
        return "×".join(self.dims[n.key]) or "scalar"

    def rows_by(self, of: object, wrt: object) -> str:
        """The symbolic shape of ∂of/∂wrt (keys of two nodes): n×nm."""
        return f"{size_text(self.dims[of])}×{size_text(self.dims[wrt])}"

    def here(self, of: object, wrt: object) -> tuple[int, int]:
        """The shape of ∂of/∂wrt here: (rows, columns)."""
        return prod(self.ev.shapes[of]), prod(self.ev.shapes[wrt])

    def evaluate_text(self, text: str, shape: tuple[int, ...]) -> np.ndarray:
        """A closed form's text parsed back and evaluated at the values, shaped as ``shape``."""
        value = np.asarray(parse(text, self.shapes).evaluate(self.values))
        if value.size != prod(shape):
            raise ValueError(f"its value has shape {value.shape}, where {shape} is compared")
        return value.reshape(shape)


def _dim(d: Any, letters: dict[int, str]) -> str:
    r = resolve(d)
    return str(r) if isinstance(r, int) else letters.get(id(r), "?")
