"""The limit on dense matrices: how large a Jacobian ``.matrix`` (or a dense product) may build.

A structured Jacobian keeps a few numbers where its dense matrix may need gigabytes (a batch's
softmax Jacobian, ∂z/∂W of a wide layer), so making it dense is refused above a limit in bytes, with
the size and the ways to raise it in the message. The limit is :data:`DEFAULT_DENSE_LIMIT` (2 GiB)
unless the environment variable ``JACOBIANS_DENSE_LIMIT`` says otherwise at import;
:func:`set_dense_limit` changes it for the session, ``J.dense(limit=...)`` for one call.
"""

from __future__ import annotations

import os

import numpy as np

from reshape import InputError

__all__ = [
    "DEFAULT_DENSE_LIMIT",
    "ENV",
    "DenseLimitError",
    "check_limit",
    "dense_limit",
    "set_dense_limit",
    "size_text",
]

DEFAULT_DENSE_LIMIT = 2 * 1024**3  # bytes
ENV = "JACOBIANS_DENSE_LIMIT"


def _limit_from_env() -> int:
    text = os.environ.get(ENV)
    if not text:
        return DEFAULT_DENSE_LIMIT
    try:
        return int(float(text))
    except ValueError:
        raise InputError(ENV, "environment", "a number of bytes such as 4e9", repr(text)) from None


# Read as ``_limit._dense_limit`` by the product planner: set_dense_limit rebinds it.
_dense_limit = _limit_from_env()


def dense_limit() -> int:
    """The largest dense Jacobian, in bytes, that ``.matrix`` builds (default 2 GiB).

    Set it with :func:`set_dense_limit` or the environment variable ``JACOBIANS_DENSE_LIMIT``
    (read at import), or per call with ``J.dense(limit=...)``.
    """
    return _dense_limit


def set_dense_limit(nbytes: float | None) -> int:
    """Set the limit on dense Jacobians in bytes (None restores 2 GiB); returns the previous one.

    >>> previous = set_dense_limit(8 * 1024**3)
    >>> _ = set_dense_limit(previous)
    """
    global _dense_limit
    if nbytes is not None and (isinstance(nbytes, bool) or not float(nbytes) > 0):
        raise InputError("set_dense_limit", "nbytes", "a positive number of bytes", repr(nbytes))
    previous, _dense_limit = _dense_limit, int(nbytes or DEFAULT_DENSE_LIMIT)
    return previous


def size_text(nbytes: float) -> str:
    """A size for people: ``512 bytes``, ``2.0 MiB``, ``6.7 GiB``."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if nbytes < 1024 or unit == "TiB":
            return f"{nbytes:.0f} {unit}" if unit == "bytes" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    raise AssertionError


class DenseLimitError(MemoryError):
    """Building a dense Jacobian would take more memory than the limit allows."""


def check_limit(what: str, rows: int, cols: int, dtype: np.dtype, limit: int | None) -> None:
    """Refuse a dense ``rows``×``cols`` matrix of ``dtype`` over ``limit`` bytes (None: the
    session's limit), naming ``what`` would be built and how to raise the limit."""
    limit = _dense_limit if limit is None else limit
    need = rows * cols * np.dtype(dtype).itemsize
    if need > limit:
        raise DenseLimitError(
            f"{what}: the dense {rows}×{cols} matrix ({np.dtype(dtype)}) would take"
            f" {size_text(need)}, over the limit of {size_text(limit)}.\n Raise it for one call"
            f" with J.dense(limit=...), for the session with jacobians.set_dense_limit(nbytes), or"
            f" with the environment variable {ENV}; or keep the Jacobian structured (J.left,"
            f" J.right, chain)."
        )
