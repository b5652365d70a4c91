"""The permutation structure: a square 0/1 matrix with one 1 per row and column, kept as its index.

The Jacobian of every map that only moves entries, above all the transpose X ↦ Xᵀ, whose
Jacobian is the commutation matrix. Its actions on a dense matrix are a gather of rows (from the
left) and a scatter of columns (from the right): they move numbers and multiply none, so their
multiply-add counts are 0, and a (mn)×(mn) commutation matrix keeps mn integers, never (mn)².
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from reshape import InputError, InputTypeError, ShapeError, describe

from ._jacobian import Jacobian, bare
from ._limit import check_limit
from ._structure_args import Structure, building, checked_dtype, given_shapes

__all__ = ["Permutation"]


_KEPT_ENTRIES = 1 << 16  # a layer's small transposes are kept; a large one costs less to remake


def _transposed_index(m: int, n: int) -> np.ndarray:
    """Where entry (j, i) of Xᵀ comes from in X (m×n), read-only: weighed against the memory
    limit at every call (mn integers, and as many for its inverse), and kept where small, since
    a layer asks for the same sizes at every call (attention's Kᵀ)."""
    check_limit(f"Permutation.transpose_of({m}, {n})'s index", 1, m * n, np.dtype(np.intp), None)
    return _kept_index(m, n) if m * n <= _KEPT_ENTRIES else _index(m, n)


@lru_cache(maxsize=64)
def _kept_index(m: int, n: int) -> np.ndarray:
    return _index(m, n)


def _index(m: int, n: int) -> np.ndarray:
    index = _checked_index(np.arange(m * n).reshape(m, n).T.ravel())
    index.setflags(write=False)
    return index


def _checked_index(index: object) -> np.ndarray:
    """``index`` as a 1-D intp array holding each of 0..n−1 once, or the error that says why not."""
    if isinstance(index, np.ndarray):
        arr = index
    elif isinstance(index, Sequence | range) and not isinstance(index, (str, bytes)):
        try:
            arr = np.asarray(index)
        except (TypeError, ValueError) as exc:  # ragged nested lists
            raise InputTypeError(
                "Permutation", "index", "a 1-D array of integers", f"{describe(index)} ({exc})"
            ) from None
    else:
        raise InputTypeError("Permutation", "index", "a 1-D array of integers", describe(index))
    if arr.dtype == bool or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
        raise InputTypeError("Permutation", "index", "integers 0..n−1", f"dtype {arr.dtype}")
    if arr.ndim != 1 or arr.size == 0:
        raise ShapeError("Permutation", "index", "a non-empty 1-D array", f"shape {arr.shape}")
    arr = arr.astype(np.intp, copy=False)
    n = arr.size
    if arr.min() < 0 or arr.max() >= n or np.bincount(arr, minlength=n).max() != 1:
        raise InputError(
            "Permutation",
            "index",
            f"each of 0..{n - 1} exactly once",
            _what_is_wrong(arr),
            "row i of the matrix has its 1 in column index[i]",
        )
    return arr


def _what_is_wrong(arr: np.ndarray) -> str:
    """What keeps ``arr`` from being a permutation of 0..n−1: entries out of range, repeated or
    missing, a few of each."""
    n = arr.size
    out = np.unique(arr[(arr < 0) | (arr >= n)])
    inside = arr[(arr >= 0) & (arr < n)]
    counts = np.bincount(inside, minlength=n)
    few = lambda a: ", ".join(map(str, a[:5])) + (", …" if a.size > 5 else "")
    parts = [f"{few(out)} out of range"] if out.size else []
    if (counts > 1).any():
        parts.append(f"{few(np.flatnonzero(counts > 1))} repeated")
    parts.append(f"{few(np.flatnonzero(counts == 0))} missing")
    return "; ".join(parts)


class Permutation(Jacobian):
    """The n×n permutation matrix with row i's 1 in column ``index[i]``: (J v)[i] = v[index[i]].

    Shapes: index (n,) -> out_shape (n,), in_shape (n,) unless given (with n entries each);
    ``.matrix`` is n×n.

    >>> P = Permutation([2, 0, 1])
    >>> P.left(np.array([[10.0], [20.0], [30.0]])).ravel(), P.T.index
    (array([30., 10., 20.]), array([1, 2, 0]))
    """

    kind = "permutation"
    short = "perm"
    rank = 0  # first: it applies itself to any factor without a multiply

    def __init__(
        self,
        index: np.ndarray | Sequence[int],
        out_shape: Sequence[int] | None = None,
        in_shape: Sequence[int] | None = None,
        dtype: np.dtype = np.float64,
        **labels: str,
    ) -> None:
        if not (building() and type(index) is np.ndarray and index.dtype == np.intp):
            index = _checked_index(index)  # a rule builder's own index is one by construction
        dtype = checked_dtype("Permutation", "dtype", dtype)
        n = index.size
        out_shape, in_shape = given_shapes(
            "Permutation",
            out_shape,
            in_shape,
            ((n,), (n,)),
            lambda: f"{n} entries each for a permutation of {n}",
        )
        labels.setdefault("closed_form", "P")
        labels.setdefault("latex", "P")
        super().__init__(out_shape, in_shape, **labels)
        self.index, self._dtype = index, np.dtype(dtype)

    @classmethod
    def transpose_of(cls, m: int, n: int, dtype: np.dtype = np.float64) -> Permutation:
        """The Jacobian of X ↦ Xᵀ for X of shape m×n, both flattened row-major.

        Entry (j, i) of Xᵀ, at j·m + i, is entry (i, j) of X, at i·n + j. The dense form is the
        commutation matrix K_{n,m} = ``reshape.commutation(n, m)`` (K_{n,m} vec_F(A) = vec_F(Aᵀ)
        for A n×m, so K_{n,m} vec_C(X) = vec_C(Xᵀ)); only its mn indices are kept.

        Shapes: -> out_shape (n, m), in_shape (m, n); ``.matrix`` is mn×mn.

        >>> from reshape import commutation
        >>> K = Permutation.transpose_of(2, 3)
        >>> K.out_shape, K.in_shape, K.closed_form, bool((K.matrix == commutation(3, 2)).all())
        ((3, 2), (2, 3), 'K_{3,2}', True)
        """
        op = "Permutation.transpose_of"
        for name, k in (("m", m), ("n", n)):
            if isinstance(k, bool | np.bool_) or not isinstance(k, int | np.integer):
                raise InputTypeError(op, name, "a whole number ≥ 1", repr(k))
            if k < 1:
                raise InputError(op, name, "a whole number ≥ 1", repr(k))
        m, n = int(m), int(n)
        K = f"K_{{{n},{m}}}"
        return cls(_transposed_index(m, n), (n, m), (m, n), dtype, closed_form=K, latex=K)

    @property
    def dtype(self) -> np.dtype:
        return self._dtype

    @property
    def inverse(self) -> np.ndarray:
        """The inverse permutation (the transpose's index), computed once."""
        inv = self.__dict__.get("_inverse")
        if inv is None:
            inv = np.empty_like(self.index)
            inv[self.index] = np.arange(self.index.size)
            self.__dict__["_inverse"] = inv
        return inv

    def _structure_of(self) -> Structure:
        return Structure(self.kind, self.index.size, self.index.size)

    def _dense(self) -> np.ndarray:
        n = self.index.size
        out = np.zeros((n, n), dtype=self._dtype)  # only the n ones are written
        out[np.arange(n), self.index] = 1
        return out

    def transpose(self) -> Permutation:
        """Pᵀ = P⁻¹: row index[i] of Pᵀ has its 1 in column i."""
        # the inverse of a valid index needs no check
        T = bare(Permutation, index=self.inverse, _dtype=self._dtype, _inverse=self.index)
        return T._as_transpose_of(self)

    def _left(self, M: np.ndarray) -> np.ndarray:
        """P · M: row i is row index[i] of M, a gather."""
        return M[self.index]

    @staticmethod
    def left_cost(s: Structure, k: int) -> int:
        return 0  # entries are moved, none multiplied

    def _right(self, M: np.ndarray) -> np.ndarray:
        """M · P: column index[i] of the result is column i of M, a scatter (M[:, P⁻¹])."""
        return M[:, self.inverse]

    @staticmethod
    def right_cost(s: Structure, k: int) -> int:
        return 0

    def _gain(self, side: str) -> float:
        return 1.0  # entries are moved, never combined
