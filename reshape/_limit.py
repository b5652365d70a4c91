"""The one limit on memory: how large an array that grows with a product of sizes may be built.

A structured Jacobian keeps a few numbers where its dense matrix may need gigabytes, and a
commutation matrix, a Kronecker product, a numeric Jacobian or a network's parameters grow with a
product of sizes. Each of them is measured *before* the work and refused above this limit, in
bytes, with the sizes and the ways to raise it in the message. It sits in the lowest layer so that
``reshape``'s own builders consult it; ``jacobians`` re-exports it as ``jacobians.dense_limit``,
``jacobians.set_dense_limit`` and ``jacobians.DenseLimitError``.

The limit is :data:`DEFAULT_DENSE_LIMIT` (2 GiB) unless the environment variable
``JACOBIANS_DENSE_LIMIT`` says otherwise at import; ``jacobians.set_dense_limit`` changes it for
the session, ``J.dense(limit=...)`` for one dense matrix.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from ._errors import InputError, InputTypeError, a_type, as_size

__all__ = [
    "DEFAULT_DENSE_LIMIT",
    "ENV",
    "RAISE_HINT",
    "DenseLimitError",
    "check_bytes",
    "check_limit",
    "checked_bytes",
    "dense_limit",
    "replace_dense_limit",
    "size_text",
]

DEFAULT_DENSE_LIMIT = 2 * 1024**3  # bytes
ENV = "JACOBIANS_DENSE_LIMIT"
RAISE_HINT = (
    "Raise it for the session with jacobians.set_dense_limit(nbytes), or with the environment"
    f" variable {ENV} (bytes, e.g. {ENV}=8e9)"
)


class DenseLimitError(MemoryError):
    """Building an array would take more memory than the limit allows (nothing was built).

    Attributes: ``needed`` and ``limit``, in bytes (None when raised without them).
    """

    needed: int | None = None
    limit: int | None = None


_BYTES = "a positive whole number of bytes, such as 4e9 or 8 * 1024**3"


def checked_bytes(op: str, arg: str, nbytes: object) -> int:
    """``nbytes`` as a positive whole number of bytes (an int, or a float such as 4e9 that is
    one), or the error that names ``op`` and ``arg``: a limit is a size, so 0.5 is not rounded
    down to 0, and neither infinity nor NaN is a limit (NaN compares false with every size, so it
    would lift the limit without saying so)."""
    if isinstance(nbytes, (bool, np.bool_)) or not isinstance(
        nbytes, (int, float, np.integer, np.floating)
    ):
        raise InputTypeError(
            op,
            arg,
            _BYTES,
            repr(nbytes) if isinstance(nbytes, str) else a_type(nbytes),
        )
    if isinstance(nbytes, (float, np.floating)):
        if not math.isfinite(nbytes) or nbytes != int(nbytes):
            raise InputError(
                op,
                arg,
                _BYTES,
                repr(float(nbytes)),
                "there is no unlimited setting: give a large number of bytes",
            )
    if nbytes < 1:
        raise InputError(op, arg, _BYTES, repr(nbytes))
    return int(nbytes)


def _limit_from_env() -> int:
    text = os.environ.get(ENV)
    if not text:
        return DEFAULT_DENSE_LIMIT
    try:
        value = float(text)
    except ValueError:
        raise InputError(ENV, "environment", _BYTES, repr(text)) from None
    return checked_bytes(ENV, "environment", value)


# Read through dense_limit() (or jacobians._limit._dense_limit); replace_dense_limit rebinds it.
_dense_limit = _limit_from_env()


def dense_limit() -> int:
    """The limit in bytes (default 2 GiB) on any array that grows with a product of sizes."""
    return _dense_limit


def replace_dense_limit(nbytes: int) -> int:
    """Store a new limit (``jacobians.set_dense_limit`` checks it first); return the old one."""
    global _dense_limit
    previous, _dense_limit = _dense_limit, checked_bytes("set_dense_limit", "nbytes", nbytes)
    return previous


def size_text(nbytes: float) -> str:
    """A size for people: ``512 bytes``, ``2.0 MiB``, ``6.7 GiB``.

    >>> size_text(3 * 1024**3)
    '3.0 GiB'
    """
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if nbytes < 1024 or unit == "TiB":
            return f"{nbytes:.0f} {unit}" if unit == "bytes" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    raise AssertionError


def check_bytes(op: str, what: str, nbytes: int, hint: str | None = None) -> None:
    """Refuse, before the work, to build ``what`` taking ``nbytes`` over the session's limit.

    Args:
        op: the function (or command) refusing, as the first words of the message.
        what: what would be built, with its sizes: ``"K_{130,130}, a dense 16900×16900 matrix"``.
        nbytes: the bytes it would take (a Python int: sizes multiply without overflow).
        hint: another way to get the result without building it, after the ways to raise the limit.

    >>> check_bytes("op", "a 10×10 matrix", 800)  # well under 2 GiB: nothing happens
    """
    nbytes = as_size(nbytes, op, "nbytes")  # a whole number of bytes: never NaN, never rounded
    limit = _dense_limit
    if nbytes > limit:
        error = DenseLimitError(
            f"{op}: {what} would take {size_text(nbytes)}, over the limit of {size_text(limit)}"
            f" (nothing was built).\n {RAISE_HINT}" + (f"; or {hint}" if hint else ".")
        )
        error.needed, error.limit = int(nbytes), limit
        raise error


def check_limit(what: str, rows: int, cols: int, dtype: Any, limit: Any) -> None:
    """Refuse a dense ``rows``×``cols`` matrix of ``dtype`` over ``limit`` bytes (None: the
    session's limit), naming ``what`` would be built and how to raise the limit."""
    limit = _dense_limit if limit is None else checked_bytes(what, "limit", limit)
    need = int(rows) * int(cols) * np.dtype(dtype).itemsize
    if need > limit:
        error = DenseLimitError(
            f"{what}: the dense {rows}×{cols} matrix ({np.dtype(dtype)}) would take"
            f" {size_text(need)}, over the limit of {size_text(limit)}.\n Raise it for one call"
            f" with J.dense(limit=...), for the session with jacobians.set_dense_limit(nbytes), or"
            f" with the environment variable {ENV}; or keep the Jacobian structured (J.left,"
            f" J.right, chain)."
        )
        error.needed, error.limit = need, limit
        raise error
