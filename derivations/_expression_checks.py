"""The local Jacobians of an expression's table, each with its closed form checked, and the
table's checks: the result's closed form, the local ones, two accumulation orders against each
other, and numeric differentiation (complex step where every operation on a path is analytic).

A closed form is checked as text: printed, parsed back and evaluated at the table's values, then
compared with the matrix it claims to be, to 1e-12 relative to that matrix's largest entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from math import prod

import numpy as np

from jacobians import OPERATIONS, Dense, DenseLimitError, Form, Jacobian, numeric
from jacobians._binary import either_one
from jacobians.expressions import Expression
from jacobians.expressions._linearise import LIPSCHITZ
from jacobians.expressions._simplify import simplify
from reshape import InputError

from . import _tex
from ._build import NUMERIC_LIMIT, difference_check
from ._cmd_io import one_line
from ._expression_model import Local
from ._expression_values import Evaluated
from ._model import Check

__all__ = [
    "EXACT",
    "closed_form_check",
    "locals_check",
    "locals_of",
    "numeric_check",
    "orders_check",
]

EXACT = 1e-12  # a closed form against the matrix it claims to be: the same numbers, to rounding


def _size_letters(n: Expression, g: Evaluated) -> dict[str, str]:
    """What the letters of node n's operation's shapes (matmul's A n×m, B m×p) are in this table:
    its arguments' and its output's sizes (a scalar's are 1)."""
    assert n.op is not None
    out: dict[str, str] = {}
    shapes = [(p.shape, a.key) for p, a in zip(n.op.params, n.args, strict=True)]
    for shape, key in (*shapes, (n.op.out_shape, n.key)):
        letters = shape.split("×") if shape != "1" else []
        dims = g.dims[key] + ["1"] * (len(letters) - len(g.dims[key]))
        for letter, d in zip(letters, dims, strict=False):
            if len(letter) == 1 and letter.isalpha():
                out.setdefault(letter, d)
    return out


_SUBSCRIPT = re.compile(r"_(?:\{([^{}]*)\}|([A-Za-z]))")


def _sized(rule: str, sizes: dict[str, str]) -> str:
    """A rule's subscripts in this table's sizes: I_n of a 1×n row is I_1, K_{n,m} of x (n×1)
    K_{n,1}, I_{pq} with q 1 is I_p (letters of a product side by side, numbers multiplied)."""

    def product(letters: str) -> str:
        parts = [sizes.get(c, c) for c in letters]
        number = prod(int(p) for p in parts if p.isdigit())
        rest = "".join(p for p in parts if not p.isdigit())
        return (str(number) if number != 1 or not rest else "") + rest

    def one(m: re.Match[str]) -> str:
        if m.group(2) is not None:
            return "_" + _braced(product(m.group(2)))
        inner = m.group(1)
        if not re.fullmatch(r"[A-Za-z]+(,[A-Za-z]+)*", inner):
            return m.group()  # not sizes (a slot's braces, an index j)
        return "_{" + ",".join(product(part) for part in inner.split(",")) + "}"

    return _SUBSCRIPT.sub(one, rule)


def _braced(s: str) -> str:
    return s if len(s) == 1 else "{" + s + "}"


def _rule_here(
    form: Form, fill: dict[str, str], fill_tex: dict[str, str], scalar: bool,
    n: Expression, g: Evaluated,
) -> tuple[str, str]:  # fmt: skip
    """The rule of node n as it reads in this table, as text and LaTeX: its alternative that
    applies (the argument's own shape, or a ``scalar``'s), its subscripts in the table's sizes,
    its letters the nodes' symbols (filled last, so a user's W_n is no size's subscript)."""
    held = {k: f"\x00{i}\x01" for i, k in enumerate(fill)}
    text, tex = either_one(form.text(**held), form.latex(**held), scalar)
    sizes = _size_letters(n, g)
    text, tex = _sized(text, sizes), _sized(tex, sizes)
    for k, mark in held.items():
        text, tex = text.replace(mark, fill[k]), tex.replace(mark, fill_tex[k])
    return text, tex


def locals_of(g: Evaluated) -> Iterator[Local]:
    """∂n/∂a for each operation n on a path from the variable and each argument a on one."""
    names = g.names
    for n in g.e.nodes():
        if n.op is None or n.key not in g.on:
            continue
        uses = [a.key for a in n.args]
        # the rule's letters: its arguments', and its output's (softmax's diag(a) − a aᵀ), each
        # the node's own symbol, never a letter that may be a user's name for something else
        fill = {n.op.output: names[n.key]}
        fill |= {p.name: names[b.key] for p, b in zip(n.op.params, n.args, strict=True)}
        fill_tex = {p: "{" + _tex.math(s) + "}" for p, s in fill.items()}
        for i, a in enumerate(n.args):
            if a.key not in g.on:
                continue
            param = n.op.params[i].name
            rule = n.op.rules[param]
            symbol = f"∂{names[n.key]}/∂{names[a.key]}"
            absent = False  # no derivative here, but one of slope 0 is taken of it
            try:
                J = rule.build(g.ev.contexts[n.key])
            except InputError:
                if n.op.name not in LIPSCHITZ:
                    raise
                # the table's Jacobian was computed, so every use of n takes it with slope 0
                J, absent = Dense(np.zeros((1, int(np.prod(g.ev.shapes[a.key]))))), True
                g.notes.append(
                    f"{symbol} does not exist at these values ({n.op.name} at 0); every use of"
                    f" {names[n.key]} takes it with slope 0, so its paths add 0 (shown as 0)"
                )
            J.label(names[n.key], names[a.key])  # a refusal below names it, not ∂f/∂x
            closed, check, tolerance = "", None, EXACT
            if rule.expression is not None and not absent:
                closed = str(simplify(rule.expression(n)))
                check, tolerance = _local_check(g, closed, J, symbol)
            text, tex = _rule_here(rule.form, fill, fill_tex, not g.dims[a.key], n, g)
            yield Local(
                symbol + (f" (as {param})" if uses.count(a.key) > 1 else ""),
                _tex.frac_symbol(names[n.key], names[a.key]),
                text,
                tex,
                closed,
                g.rows_by(n.key, a.key),
                (int(J.shape[0]), int(J.shape[1])),
                J.kind,
                check,
                tolerance,
                J,
            )


def _local_check(g: Evaluated, closed: str, J: Jacobian, symbol: str) -> tuple[float | None, float]:
    """The local closed form evaluated against J's matrix: (max difference, its tolerance); not
    checked (None) where either would pass the memory limit, which is no failure of the form."""
    try:
        M = J.matrix
        value = g.evaluate_text(closed, J.shape)
    except DenseLimitError as exc:
        g.notes.append(f"the closed form of {symbol} is not checked: {_over(exc)}")
        return None, EXACT
    except (InputError, ValueError) as exc:  # a printed form that does not read back
        g.notes.append(f"the closed form of {symbol} does not evaluate: {one_line(exc)}")
        return float("inf"), EXACT
    return float(np.max(np.abs(value - M))), EXACT * (1.0 + float(np.max(np.abs(M))))


def _over(exc: DenseLimitError) -> str:
    """What would pass the memory limit, without the ways to raise it (Python calls)."""
    return str(exc).split("\n", 1)[0].rstrip(".")


def closed_form_check(g: Evaluated, text: str, reference: np.ndarray, what: str) -> Check:
    """The result's closed form (text) evaluated, against the gradient or Jacobian computed."""
    description = f"max |closed form − {what}|"
    try:
        value = g.evaluate_text(text, np.shape(reference))
    except DenseLimitError as exc:
        g.notes.append(f"the closed form {text} is not checked: {_over(exc)}")
        return Check("closed form", description, None, 0.0, skipped="past the memory limit")
    except (InputError, ValueError) as exc:
        g.notes.append(f"the closed form {text} does not evaluate: {one_line(exc)}")
        return Check("closed form", description, float("inf"), 0.0)
    return difference_check("closed form", description, value, reference, EXACT)


def locals_check(locals_: tuple[Local, ...]) -> Check:
    """The worst of the local closed forms' checks, relative to its own tolerance."""
    description = "max |local closed form − built Jacobian|"
    checked = [L for L in locals_ if L.check is not None]
    if not checked:
        return Check("local closed forms", description, None, 0.0, skipped="no closed forms")
    worst = max(checked, key=lambda L: L.check / L.tolerance)  # type: ignore[operator]
    return Check("local closed forms", description, worst.check, worst.tolerance)


def orders_check(g: Evaluated, J: np.ndarray, method: str) -> Check:
    """The Jacobian of ``method`` against another accumulation order's (rounding apart)."""
    other = "forward" if method != "forward" else "reverse"
    description = f"max |{method} − {other}|"
    try:
        M = g.e.jacobian(g.x.name, g.values, method=other).matrix
    except DenseLimitError as exc:  # that order's products, or its result, made dense
        g.notes.append(f"the {other} order is not run: {_over(exc)}")
        return Check("orders", description, None, 0.0, skipped="past the memory limit")
    return difference_check("orders", description, J, M, EXACT * 10)


def _analytic(g: Evaluated) -> bool:
    ops = {n.op.name for n in g.e.nodes() if n.op is not None and n.key in g.on}
    return all(r.analytic for name in ops for r in OPERATIONS[name].rules.values())


def numeric_check(g: Evaluated, J: np.ndarray) -> Check:
    """The Jacobian against numeric differentiation of the expression's value."""
    complex_ok = _analytic(g)
    param = np.asarray(g.values[g.x.name])

    def describe(complex_ok: bool) -> str:
        return (
            f"max |Jacobian − numeric ({'complex step' if complex_ok else 'central differences'})|"
        )

    if param.size > NUMERIC_LIMIT:
        reason = f"{param.size} entries (numeric differentiation runs up to {NUMERIC_LIMIT})"
        return Check("numeric", describe(complex_ok), None, 0.0, skipped=reason)

    def f(v: np.ndarray) -> np.ndarray:
        return g.e.evaluate({**g.values, g.x.name: v})

    try:
        N = numeric(f, param, method="complex" if complex_ok else "central").matrix
    except InputError:  # an operation that refuses complex input: differences instead
        complex_ok = False
        N = numeric(f, param, method="central").matrix
    return difference_check("numeric", describe(complex_ok), J, N, 1e-10 if complex_ok else 1e-6)
