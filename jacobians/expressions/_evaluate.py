"""Evaluating an expression at values: the sizes fixed, then each node's operation called.

Each operation node is computed by its registered operation's ``prepare`` (which checks its
arguments, so log of a negative number or the inverse of a singular matrix is refused there, with
the operation's own message), and its context is kept: the Jacobians are built from it by the
operation's rules, exactly as calling the operation on arrays would build them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from math import prod
from typing import Any

import numpy as np

from reshape import (
    InputError,
    InputTypeError,
    ShapeError,
    as_array,
    assume_finite,
    commutation,
    describe,
)
from reshape._limit import check_bytes

from .._registry import Context
from ._graph import ACTIONS, Expression
from ._shapes import Size, concrete, resolve, root_id, show

__all__ = ["Evaluation", "evaluate"]


@dataclass
class Evaluation:
    """The values of every node (keyed by ``Expression.key``), their contexts, the nodes in
    evaluation order, and the concrete shape of each."""

    nodes: list[Expression]
    values: dict[object, np.ndarray]
    contexts: dict[object, Context]
    shapes: dict[object, tuple[int, ...]]

    def value(self, e: Expression) -> np.ndarray:
        return self.values[e.key]


def _value_of(name: str, given: Any, shape: tuple[Any, ...], where: str) -> np.ndarray:
    a = as_array(given, where, f"values[{name!r}]")
    if a.dtype.kind not in "fc":
        a = a.astype(np.float64)
    if shape == ():
        if a.size != 1 or a.ndim > 2:
            raise ShapeError(where, f"values[{name!r}]", "a scalar", describe(a))
        return a.reshape(())
    if a.ndim == 1:
        a = a.reshape(-1, 1)  # a vector given as (n,) is the column (n, 1)
    if a.ndim != 2:
        expected = "a matrix" if len(shape) == 2 and shape[1] != 1 else "a vector or a column"
        raise ShapeError(where, f"values[{name!r}]", f"{expected}, as {name} is", _given(given))
    return a


# (operation, argument) whose prepare proves the argument finite through a product far smaller
# than it (jacobians._checks.finite_product): the matrix of A*x, the W of linear
_PRODUCTS = {("matmul", 0), ("linear", 0)}


def proved_through_products(e: Expression) -> set[str]:
    """The variables used only as the matrix of a product: scanning them for NaN and infinity
    would read every entry once more, where the product's own check reads only its result."""
    uses: dict[str, set[tuple[str, int]]] = {}
    for n in e.nodes():
        for i, a in enumerate(n.args):
            if a.is_variable:
                uses.setdefault(a.name, set()).add((n.op.name if n.op else "", i))
    return {name for name, u in uses.items() if u <= _PRODUCTS}


def _bind(
    e: Expression, values: Mapping[str, Any], where: str, through: set[str]
) -> tuple[dict, dict[int, int]]:
    """The variables' arrays, and the open sizes their shapes fix (by root id)."""
    if not isinstance(values, Mapping):
        raise InputTypeError(
            where, "values", "a mapping of variable names to arrays", describe(values)
        )
    variables = e.variables()
    missing = [n for n in variables if n not in values]
    if missing:
        raise InputError(
            where, "values", f"a value for each of {', '.join(variables)}", f"none for {missing}"
        )
    arrays, bound = {}, {}
    fixed_by: dict[int, str] = {}  # an open size -> the value that fixed it, for the message
    for name, v in variables.items():
        if name in through:
            with assume_finite():  # proved finite through its products (see below)
                a = _value_of(name, values[name], v.shape, where)
        else:
            a = _value_of(name, values[name], v.shape, where)
        for d, size in zip(v.shape, a.shape if v.shape else (), strict=False):
            r = resolve(d)
            key = root_id(d)
            want = r if isinstance(r, int) else bound.get(key)
            if want is not None and want != size:
                shape = "×".join(_size_text(e, bound) for e in v.shape)
                by = "" if isinstance(r, int) else f", its size {want} fixed by {fixed_by[key]}"
                raise ShapeError(
                    where,
                    f"values[{name!r}]",
                    f"shape {shape} as the expression uses {name}{by}",
                    _given(values[name]),
                )
            if key is not None and key not in bound:
                bound[key] = size
                fixed_by[key] = f"values[{name!r}] ({_given(values[name])})"
        arrays[name] = a
    for name, v in e._origin.items():  # a derivative's: sizes its constants take from them
        if name in variables or name not in values or not v.shape:
            continue
        shape = np.shape(values[name])
        for d, size in zip(v.shape, shape if len(shape) == 2 else (*shape, 1), strict=False):
            key = root_id(d)
            if key is not None and key not in bound:
                bound[key] = size
    return arrays, bound


def _size_text(d: Any, bound: dict[int, int]) -> str:
    """A size for a message: its number where the expression or a value fixed it, else n (the
    graph's own names for open sizes, x0 or A1, mean nothing to the user)."""
    r = resolve(d)
    if isinstance(r, int):
        return str(r)
    return str(bound.get(root_id(d), "n"))


def _given(v: Any) -> str:
    """A value as the user gave it: an array's own shape (a vector (4,), not the column it is
    read as), or its type."""
    if isinstance(v, (int, float, np.generic)) and not isinstance(v, bool):
        return f"the number {v!r}"
    shape = np.shape(v) if isinstance(v, (np.ndarray, list, tuple)) else None
    return f"an array of shape {shape}" if shape is not None else describe(v)


def _constant(
    e: Expression, shape: tuple[int, ...], dtype: np.dtype, where: str, bound: dict[int, int]
) -> np.ndarray:
    # weighed before it is filled, against the one memory limit every dense array meets
    check_bytes(where, f"{e}, a dense {show(shape)} constant", prod(shape) * dtype.itemsize)
    fill = e.options.get("fill", 1.0)
    if e.name == "number" or shape == ():  # a number, or a 1×1 constant: vector(c, 1), eye(1)
        return np.asarray(fill, dtype=dtype)
    if e.name == "eye":
        return np.eye(shape[0], dtype=dtype) * fill
    if e.name == "comm":
        m, n = (concrete((e.options[k],), bound)[0] for k in ("m", "n"))  # type: ignore[index]
        return commutation(m, n).astype(dtype)
    return np.full(shape, fill, dtype=dtype)


def at_values(err: InputError, n: Expression, where: str) -> InputError:
    """An operation's refusal at node ``n`` (an overflow, a point outside its domain: the
    expression was checked when built, so its values are at fault) restated as the call's: the
    argument is the values of the variables under the operand the operation named, and its own
    message is the detail, so ``matmul: bad argument 'A'`` reads as the call's ``values``."""
    assert n.op is not None
    params = [p.name for p in n.op.params]
    blamed = n.args[params.index(err.arg)] if err.arg in params[: len(n.args)] else n
    names = list(blamed.variables()) or list(n.variables())
    arg = f"values[{names[0]!r}]" if len(names) == 1 else "values"
    # every value under the node shares the blame (a product overflows from both factors)
    shown = ", ".join(f"values[{k!r}]" for k in dict.fromkeys([*names, *n.variables()]))
    operand = f"'{err.arg}' = {blamed}" if blamed is not n else repr(err.arg)
    cls = type(err) if type(err) in (InputError, ShapeError, InputTypeError) else InputError
    return cls(
        where,
        arg,
        f"values at which every node of the expression is defined and finite; at {n}, for "
        f"{err.op}'s argument {operand}: {err.expected}",
        f"from {shown or 'constants only'}: {err.got}",
        err.hint,
    )


def evaluate(
    e: Expression, values: Mapping[str, Any], where: str = "Expression.evaluate"
) -> Evaluation:
    """Every node's value and context at ``values``; see :class:`Evaluation`."""
    through = proved_through_products(e)  # proved finite by their products, not scanned
    arrays, bound = _bind(e, values, where, through)
    dtype = np.result_type(np.float64, *(a.dtype for a in arrays.values()))
    given = {a.dtype for a in arrays.values()}
    if len(given) == 1 and next(iter(given)).kind == "f":
        dtype = next(iter(given))  # the caller's float dtype (float32, float16), every value's
    nodes = e.nodes()
    out = Evaluation(nodes, {}, {}, {})
    # the values were scanned for NaN and infinity once, in _bind, and each node feeds the next
    # what it made: the operations still check shapes, domains and overflow; a product whose
    # matrix was not scanned checks it in full (through its result)
    unscanned = {("variable", name) for name in through}
    for n in nodes:
        shape = concrete(n.shape, bound)
        if shape is None:
            open_ = [str(resolve(d)) for d in n.shape if isinstance(resolve(d), Size)]
            raise ShapeError(
                where,
                str(n),
                "sizes fixed by the values or by `shapes`",
                f"size {', '.join(open_)} left open",
                "a constant like vector(1) or eye takes its size from where it stands; "
                "give a shape when nothing around it fixes it",
            )
        out.shapes[n.key] = shape
        if n.is_variable:
            out.values[n.key] = arrays[n.name].astype(dtype, copy=False)
        elif n.is_constant:
            out.values[n.key] = _constant(n, shape, dtype, where, bound)
        else:
            assert n.op is not None
            args = [out.values[a.key] for a in n.args]
            try:
                if any(a.key in unscanned for a in n.args):
                    ctx = n.op.prepare(*args, **{**n.op.options, **n.options})
                else:
                    with assume_finite():
                        ctx = n.op.prepare(*args, **{**n.op.options, **n.options})
            except InputError as err:
                raise at_values(err, n, where) from err
            v = np.asarray(ctx.value)
            if v.size != prod(shape):
                raise AssertionError(f"{n.op.name} gave {v.shape} where {shape} was planned")
            out.contexts[n.key] = ctx
            out.values[n.key] = v.reshape(shape)
    return out


ACTIONS["evaluate"] = lambda e, values: evaluate(e, values).value(e)
