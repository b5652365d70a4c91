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

from reshape import InputError, InputTypeError, describe, is_whole

from ._build import SIZE_LIMIT

__all__ = ["choice", "flag", "seed", "size", "sizes"]


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
