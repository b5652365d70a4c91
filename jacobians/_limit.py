"""The limit on dense matrices: how large a Jacobian ``.matrix`` (or a dense product) may build.

The limit itself (its storage, the environment variable, :class:`DenseLimitError` and the checks)
lives in ``reshape._limit``, the lowest layer, so that ``reshape.commutation`` and
``reshape.kron_matrix`` consult the same limit as the dense Jacobians, ``numeric``, ``verify``,
``net.MLP`` and the commands; this module re-exports it for ``jacobians`` and sets it.

A structured Jacobian keeps a few numbers where its dense matrix may need gigabytes (a batch's
softmax Jacobian, ∂z/∂W of a wide layer), so making it dense is refused above a limit in bytes, with
the size and the ways to raise it in the message. The limit is :data:`DEFAULT_DENSE_LIMIT` (2 GiB)
unless the environment variable ``JACOBIANS_DENSE_LIMIT`` says otherwise at import;
:func:`set_dense_limit` changes it for the session, ``J.dense(limit=...)`` for one call.
"""

from __future__ import annotations

from reshape._limit import (
    DEFAULT_DENSE_LIMIT,
    ENV,
    DenseLimitError,
    check_bytes,
    check_limit,
    checked_bytes,
    dense_limit,
    replace_dense_limit,
    size_text,
)

__all__ = [
    "DEFAULT_DENSE_LIMIT",
    "ENV",
    "DenseLimitError",
    "check_bytes",
    "check_limit",
    "checked_bytes",
    "dense_limit",
    "set_dense_limit",
    "size_text",
]


def __getattr__(name: str) -> int:
    # ``_limit._dense_limit`` (read by the product planner and the sums) is the shared limit,
    # read at each access so that set_dense_limit is seen everywhere.
    if name == "_dense_limit":
        return dense_limit()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def set_dense_limit(nbytes: float | None) -> int:
    """Set the limit on dense Jacobians in bytes (None restores 2 GiB); returns the previous one.

    The limit is a positive whole number of bytes (``4e9`` is one); there is no unlimited
    setting (infinity is refused), so a dense matrix is always weighed before it is built.

    >>> previous = set_dense_limit(8 * 1024**3)
    >>> _ = set_dense_limit(previous)
    """
    limit = (
        DEFAULT_DENSE_LIMIT
        if nbytes is None
        else checked_bytes("set_dense_limit", "nbytes", nbytes)
    )
    return replace_dense_limit(limit)
