"""Embedding lookup: y = E[:, ids], the columns of a table E picked by integer token ids.

Column v of E (n, vocab) is token v's vector; a sequence of s ids gives y (n, s), its tokens as
columns (the samples of a sequence layer). Only E is differentiable: the ids are integers, an
option. With the row-major vec, entry (i, j) of y is entry (i, ids[j]) of E, so
∂y/∂E = I_n ⊗ S with S (s × vocab) one-hot, S[j, v] = 1 where v = ids[j]: a
:class:`~jacobians.Kronecker` with an identity factor, whose row action g·(I_n ⊗ S) is the
(n, s) gradient times S, the scatter-add of each token's column into the column of its id (a
repeated id adds up).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, ShapeError, as_array, describe

from ._checks import matrix, scalar_as
from ._jacobian import Jacobian
from ._kronecker import Kronecker
from ._registry import Context, operation

__all__ = ["EmbeddingContext", "check_ids", "embedding"]


@dataclass(slots=True)
class EmbeddingContext(Context):
    """embedding's context: the ids (s,) as integers and the table's size (n, vocab)."""

    ids: np.ndarray
    n: int
    vocab: int


def check_ids(where: str, arg: str, ids: Any, vocab: int) -> np.ndarray:
    """``ids`` as a 1-D intp array of token ids 0..vocab−1, or the error naming ``where`` and
    ``arg``. Integers only (a float 3.0 is refused, never rounded); a whole-number float array
    is named in the hint.

    >>> check_ids("embedding", "ids", [2, 0, 2], 3)
    array([2, 0, 2])
    """
    expected = f"a 1-D array of integer token ids in 0..{vocab - 1}"
    if isinstance(ids, (str, bytes)) or ids is None:
        raise InputTypeError(where, arg, expected, describe(ids))
    try:
        a = np.asarray(ids)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise InputTypeError(where, arg, expected, f"{describe(ids)} ({exc})") from None
    if a.size == 0:
        raise ShapeError(where, arg, f"{expected}, at least one", describe(a))
    if a.dtype == bool or a.dtype.kind not in "iu":
        whole = a.dtype.kind == "f" and np.isfinite(a).all() and (a == a.round()).all()
        hint = "convert whole numbers with .astype(int)" if whole else None
        raise InputTypeError(where, arg, expected, f"dtype {a.dtype}", hint)
    if a.ndim != 1:
        hint = "one token is ids=[v]; a batch of sequences is one call per sequence"
        raise ShapeError(where, arg, f"{expected}, one per token (s,)", f"shape {a.shape}", hint)
    bad = (a < 0) | (a >= vocab)
    if bad.any():
        first = int(np.argmax(bad))
        raise InputError(
            where,
            arg,
            f"token ids in 0..{vocab - 1} (the vocabulary of {vocab}, the columns of E)",
            f"{int(bad.sum())} ids outside it, the first ids[{first}] = {int(a[first])}",
        )
    return a.astype(np.intp, copy=False)


def _context(E: np.ndarray, ids: np.ndarray | None = None) -> EmbeddingContext:
    """embedding's ``unchecked``: E (n, vocab) and ids (s,) already checked (None: every token)."""
    n, vocab = E.shape
    ids = np.arange(vocab) if ids is None else ids
    return EmbeddingContext(E[:, ids], {"E": E}, ids, n, vocab)


@operation(
    "lookup",
    "y",
    "y = E[:, ids]",
    r"y = E_{:,\,\mathrm{ids}}",
    {"E": "n×v"},
    "n×s",
    lambda r, n, m, d, bt: {"E": r.normal(size=(n, m))},
    options={"ids": None},
    unchecked=_context,
)
def embedding(E: np.ndarray, ids: Any = None) -> EmbeddingContext:
    """Embedding lookup: the columns of E for the token ids, y[:, j] = E[:, ids[j]].

    E (n, vocab) holds one n-vector per token of the vocabulary; ``ids`` is a 1-D integer array
    (s,) of token ids in 0..vocab−1, the tokens of one sequence, which become the columns of y
    (repeats allowed). Without ids every token is taken once, in order (y = E). ∂y/∂E is the
    selection I_n ⊗ S, S (s × vocab) one-hot (S[j, ids[j]] = 1), kept as a Kronecker; the ids
    have no derivative.

    Shapes: E (n, vocab), ids (s,) -> y (n, s); ∂y/∂E is ns×n·vocab.

    >>> E = np.arange(6.0).reshape(2, 3)
    >>> r = embedding(E, ids=[2, 0, 2])
    >>> r.value, r.jacobian.kind
    (array([[2., 0., 2.],
           [5., 3., 5.]]), 'kronecker')
    """
    E = matrix("embedding", "E", as_array(scalar_as(E, (1, 1)), "embedding", "E"))
    vocab = E.shape[1]
    return _context(E, None if ids is None else check_ids("embedding", "ids", ids, vocab))


@embedding.rule(
    "E", "I_$n ⊗ S, S[j, ids[j]] = 1", "ns×nv", latex=r"I_{$n} \otimes S,\ S_{j,\mathrm{ids}_j} = 1"
)
def embedding_dE(c: EmbeddingContext) -> Jacobian:
    """I_n ⊗ S with S (s × vocab) one-hot: row j of S has its 1 in column ids[j]."""
    S = np.zeros((c.ids.size, c.vocab), dtype=c.value.dtype)  # s ones written
    S[np.arange(c.ids.size), c.ids] = 1
    return Kronecker(c.n, S)
