"""The argument checks the derivation tables share: sizes, choices by name, seeds and flags.

Each refuses with :class:`reshape.InputError` naming the table and the argument (a subclass of
ValueError, as the command expects), before anything is computed: a size is a whole number, never
truncated, and small enough for a table that people read.

>>> size("single_layer", "n", 3)
3
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from reshape import (
    InputError,
    InputTypeError,
    ShapeError,
    as_array,
    check_finite,
    describe,
    is_whole,
)

from ._build import SIZE_LIMIT

__all__ = ["array", "choice", "flag", "probabilities", "seed", "size", "size_from", "sizes"]

# What an axis of a given array is called in an error: (ndim, axis) -> row, column, entry.
_AXIS = {(2, 0): "row", (2, 1): "column", (1, 0): "entry"}


def size(op: str, name: str, value: Any) -> int:
    """A size between 1 and SIZE_LIMIT (a whole number: 2.5 is not 2, "3" is not 3)."""
    expected = f"a whole number between 1 and {SIZE_LIMIT}"
    if not is_whole(value):
        got = repr(value) if isinstance(value, (str, float)) else describe(value)
        raise InputTypeError(op, name, expected, got)
    if not 1 <= value <= SIZE_LIMIT:
        raise InputError(
            op,
            name,
            expected,
            repr(int(value)),
            f"size {name} must be between 1 and {SIZE_LIMIT}: a table is for reading "
            "(net.MLP takes larger networks)",
        )
    return int(value)


def sizes(op: str, arg: str, values: Any, at_least: int = 2) -> list[int]:
    """A sequence of sizes (layer widths), each checked by :func:`size` as ``arg[i]``."""
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise InputTypeError(
            op, arg, "a sequence of layer widths such as [2, 3, 1]", describe(values)
        )
    out = [size(op, f"{arg}[{i}]", s) for i, s in enumerate(values)]
    if len(out) < at_least:
        raise InputError(
            op, arg, f"at least two widths (input and output), {at_least} or more", repr(out)
        )
    return out


def choice(op: str, arg: str, kind: str, name: Any, known: Sequence[str], hint: str = "") -> str:
    """``name`` if it is one of ``known`` (text), else the error that lists them."""
    expected = f"one of {', '.join(known)}"
    if not isinstance(name, str):
        raise InputTypeError(op, arg, expected, f"{name!r} ({describe(name)})")
    if name not in known:
        raise InputError(op, arg, expected, f"unknown {kind} {name!r}", hint or None)
    return name


def seed(op: str, value: Any) -> int:
    """A random seed: a whole number ≥ 0, as numpy's generators take."""
    if not is_whole(value):
        got = repr(value) if isinstance(value, (str, float)) else describe(value)
        raise InputTypeError(op, "seed", "a whole number ≥ 0", got)
    if value < 0:
        raise InputError(op, "seed", "a whole number ≥ 0", repr(int(value)))
    return int(value)


def flag(op: str, arg: str, value: Any) -> bool:
    """A yes/no option: True or False (numpy's booleans too), never a truthy string."""
    if not isinstance(value, (bool, np.bool_)):
        raise InputTypeError(op, arg, "True or False", f"{value!r} ({describe(value)})")
    return bool(value)


# ----- arrays a caller gives (the point a table is computed at) -----


def array(op: str, arg: str, value: Any, kind: str) -> np.ndarray:
    """A given array as float64: numeric, real, finite and non-empty; ``kind`` "matrix" (2-D)
    or "vector" ((k,) or (k, 1), returned as (k,)).

    The tables compute in float64 whatever the caller's dtype, so that their checks hold to
    1e-10.

    >>> array("single_layer", "x", [[1], [2]], "vector")
    array([1., 2.])
    """
    a = check_finite(as_array(value, op, arg, finite=False), op, arg)
    if a.dtype.kind == "c":
        raise InputTypeError(op, arg, "real numbers", describe(a))
    if kind == "matrix" and a.ndim != 2:
        raise ShapeError(op, arg, "a matrix (2-D array)", describe(a))
    if kind == "vector":
        if not (a.ndim == 1 or (a.ndim == 2 and a.shape[1] == 1)):
            hint = "a row is not a column vector: pass v.reshape(-1)" if a.ndim == 2 else None
            raise ShapeError(op, arg, "a vector, shape (k,) or (k, 1)", describe(a), hint)
        a = a.reshape(-1)
    return a.astype(np.float64, copy=False)


def probabilities(op: str, arg: str, value: np.ndarray, total: bool) -> None:
    """Refuse a target that is not made of probabilities: entries in [0, 1] and, with
    ``total``, summing to 1 (a one-hot vector is one)."""
    if np.any(value < 0) or np.any(value > 1):
        raise InputError(
            op,
            arg,
            "probabilities, entries between 0 and 1",
            f"entries from {value.min():g} to {value.max():g}",
        )
    if total and not np.isclose(value.sum(), 1.0, rtol=0, atol=1e-12):
        raise InputError(
            op,
            arg,
            "a probability vector: entries between 0 and 1 summing to 1",
            f"entries summing to {value.sum():g}",
            "a one-hot y is np.eye(n)[label]",
        )


def _what(a: np.ndarray, axis: int, count: int | None = None) -> str:
    """rows, columns, entries; with ``count``, "1 row", "3 columns"."""
    noun = _AXIS[(a.ndim, axis)]
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return plural if count is None else f"{count} {noun if count == 1 else plural}"


def size_from(
    op: str,
    name: str,
    value: Any,
    default: int,
    fixed: Sequence[tuple[str, np.ndarray | None, int]],
    leave: str = "",
) -> int:
    """A size the given arrays may fix: each (argument, array, axis) of ``fixed`` whose array is
    not None says the size is its length along that axis. They must agree with one another and
    with ``value``, the size asked for (None: not asked; then ``default`` unless an array fixes
    it). A disagreement names both sides; ``leave`` says how to leave the size out (default:
    leave ``name`` out).

    >>> W = np.ones((2, 5))
    >>> size_from("single_layer", "n", None, 3, [("W", W, 0), ("b", None, 0)])
    2
    """
    asked = None if value is None else size(op, name, value)
    first: tuple[str, np.ndarray, int] | None = None  # the array that fixed the size first
    for arg, a, axis in fixed:
        if a is None:
            continue
        k = a.shape[axis]
        if asked is not None and k != asked:
            raise InputError(
                op,
                name,
                f"{name} = {k}, the number of {_what(a, axis)} of {arg} (shape {a.shape})",
                f"{name} = {asked}",
                f"{name} and {arg} disagree: {leave or f'leave {name} out'} to take the size "
                "from the arrays",
            )
        if first is not None and k != first[1].shape[first[2]]:
            f_arg, f_a, f_axis = first
            want = f_a.shape[f_axis]
            raise ShapeError(
                op,
                arg,
                f"{_what(a, axis, want)}, as {f_arg} (shape {f_a.shape}) has "
                f"{_what(f_a, f_axis, want)} ({name} = {want})",
                f"shape {a.shape}",
            )
        if k > SIZE_LIMIT:
            raise InputError(
                op,
                arg,
                f"at most {SIZE_LIMIT} {_what(a, axis)} (the size {name})",
                f"shape {a.shape}",
                "a table is for reading (net.MLP takes larger networks)",
            )
        first = first or (arg, a, axis)
    if asked is not None:
        return asked
    return default if first is None else first[1].shape[first[2]]
