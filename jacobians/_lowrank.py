"""The structure diagonal plus low rank: D + U Vᵀ for each sample of a batch, as softmax gives.

The Jacobian of softmax is diag(a) − a aᵀ, a diagonal plus a rank-one term per sample; layer
norm's is a diagonal plus a rank-two term. Kept so, a row times it costs O(N·k) for N entries
(for softmax a ⊙ (g − aᵀg) per sample), where each sample's n×n block has n² entries; the blocks
are made only for ``.matrix``. :class:`DiagonalPlusLowRank` keeps its actions on a dense matrix,
their multiply-adds, its dense form and its transpose side by side.

The entries are kept in the order of the batch (row-major vec), and each of the k columns of U
and V as one array of the batch's shape (a "sheet": (n, b) with the samples as columns, or
(b, n) with the samples as rows). Every action is then elementwise products over whole sheets
and a sum within each sample (a product with a vector of ones, read row by row): no strided
walk down the columns of a batch, no n×n block.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from reshape import ShapeError

from ._jacobian import Jacobian, bare
from ._structure_args import Structure, checked_array, given_shapes

__all__ = ["DiagonalPlusLowRank", "by_sample", "low_rank", "per_sample", "sheet_shape"]


def sheet_shape(N: int, n: int, axis: int) -> tuple[int, int]:
    """The batch's shape for N entries in samples of n along ``axis``: (n, b) or (b, n)."""
    return (n, N // n) if axis == 1 else (N // n, n)


def by_sample(v: np.ndarray, n: int, axis: int) -> np.ndarray:
    """N entries in row-major vec as (samples, n), row j sample j (a view)."""
    return v.reshape(n, -1).T if axis == 1 else v.reshape(-1, n)


def per_sample(F: np.ndarray, n: int, axis: int) -> np.ndarray:
    """U or V, (k, N), as one n×k matrix per sample, (samples, n, k) (a view)."""
    k = F.shape[0]
    if axis == 1:
        return F.reshape(k, n, -1).transpose(2, 1, 0)
    return F.reshape(k, -1, n).transpose(1, 2, 0)


def low_rank(d: np.ndarray, U: np.ndarray, V: np.ndarray, n: int, axis: int) -> DiagonalPlusLowRank:
    """A DiagonalPlusLowRank of checked parts (products and sums of checked ones), unchecked;
    the three in one dtype, so that its actions can write in place."""
    dt = np.result_type(d, U, V)
    d, U, V = (a if a.dtype == dt else a.astype(dt) for a in (d, U, V))
    return bare(DiagonalPlusLowRank, d=d, U=U, V=V, n=n, axis=axis)


def _by_column(F: np.ndarray, N: int, k: int, dt: np.dtype) -> np.ndarray:
    """A factor d.shape + (k,) as (k, N), C-contiguous so that each row is a sheet (an ndarray
    subclass kept: a test's counting array)."""
    F = F.reshape(N, k).T
    F = F if F.dtype == dt else F.astype(dt)
    return F if F.flags.c_contiguous else F.copy()


def _ones(n: int, dtype: np.dtype) -> np.ndarray:
    return np.ones((1, n), dtype=dtype)


def _axis(axis: Any) -> int:
    if type(axis) is int and axis in (1, 2):  # the common case, without the check's import
        return axis
    from ._reductions import check_axis  # it imports the registry, which imports the structures

    return check_axis("DiagonalPlusLowRank", axis, (1, 2))  # type: ignore[return-value]


class DiagonalPlusLowRank(Jacobian):
    """D_j + U_j V_jᵀ for each sample j: a diagonal plus a rank-k term per sample.

    d is the diagonal, shaped like the input: a vector (n,) for one sample, or a batch (n, b)
    whose samples are its columns (``axis=1``, the default) or its rows (``axis=2``: b entries
    each), axes numbered as softmax numbers them. U and V have d's shape and k columns more,
    (n, k) or (n, b, k): entry (…, r) is entry … of column r of its sample's U. Over the
    row-major vec of the batch the matrix is block-diagonal once the entries are ordered
    sample by sample; it keeps N·(2k + 1) numbers (N entries), where its blocks have N·n.

    softmax's ∂a/∂z is diag(a) − a aᵀ: d = a, U = −a, V = a (k = 1) for each column a.

    Shapes: d (n,) | (n, b), U and V d.shape + (k,) -> out_shape = in_shape = d.shape unless
    given (with as many entries); ``.matrix`` is N×N. Each array is numeric and finite (a
    list is converted).

    >>> a = np.array([0.5, 0.25, 0.25])
    >>> J = DiagonalPlusLowRank(a, -a[:, None], a[:, None])  # diag(a) − a aᵀ
    >>> J.right(np.array([[1.0, 0.0, 0.0]]))  # a ⊙ (g − aᵀg), the first row of the block
    array([[ 0.25 , -0.125, -0.125]])
    """

    kind = "diagonal-plus-low-rank"
    short = "lowrank"
    rank = 1  # its actions cost N·(4k + 1) per column, close to a diagonal's: it applies itself

    def __init__(
        self,
        d: np.ndarray,
        U: np.ndarray,
        V: np.ndarray,
        axis: int = 1,
        out_shape: Sequence[int] | None = None,
        in_shape: Sequence[int] | None = None,
        **labels: str,
    ) -> None:
        op = "DiagonalPlusLowRank"
        d = checked_array(op, "d", d, (1, 2), "a vector (n,) for one sample, or a batch (n, b)")
        axis = _axis(axis)
        U, V = checked_array(op, "U", U), checked_array(op, "V", V)
        if U.shape[:-1] != d.shape:
            hint = "a rank-one term u vᵀ (k = 1) with u shaped like d is u[..., None]"
            raise ShapeError(op, "U", f"d's shape {d.shape} and k columns more", f"{U.shape}", hint)
        if V.shape != U.shape:
            raise ShapeError(op, "V", f"U's shape {U.shape}", f"shape {V.shape}")
        out_shape, in_shape = given_shapes(
            op, out_shape, in_shape, (d.shape, d.shape), lambda: f"{d.size} entries each, as d"
        )
        super().__init__(out_shape, in_shape, **labels)
        N, k = d.size, U.shape[-1]
        n = d.shape[0] if d.ndim == 1 or axis == 1 else d.shape[1]
        dt = np.result_type(d, U, V)
        self.d = d.reshape(N).astype(dt, copy=False)  # the diagonal, in row-major vec order
        # U and V as (k, N): row r is column r of every sample's factor (a view where k = 1)
        self.U, self.V = _by_column(U, N, k, dt), _by_column(V, N, k, dt)
        self.n = n  # the size of each sample
        # one sample, or samples of one entry: both orders are one, called axis 1
        self.axis = 1 if n in (1, N) else axis

    @property
    def dtype(self) -> np.dtype:
        return np.result_type(self.d, self.U, self.V)

    @property
    def diagonal(self) -> np.ndarray:
        """The diagonal of D, flattened row-major (the order of the entries of the batch)."""
        return self.d

    def _structure_of(self) -> Structure:
        (k, N), n = self.U.shape, self.n
        return Structure(self.kind, N, N, block=n, low_rank=(k, self.axis))

    def _dense(self) -> np.ndarray:
        N, n = self.d.size, self.n
        d = N // n
        Vt = per_sample(self.V, n, self.axis).transpose(0, 2, 1)
        blocks = per_sample(self.U, n, self.axis) @ Vt  # (samples, n, n): N·n·k
        i, j = np.arange(n), np.arange(d)
        blocks[:, i, i] = blocks[:, i, i] + by_sample(self.d, n, self.axis)  # N
        if self.axis == 1:
            J = np.zeros((n, d, n, d), dtype=blocks.dtype)  # only the d blocks are written
            J[:, j, :, j] = blocks  # advanced axes first: J[:, j, :, j] has shape (d, n, n)
        else:
            J = np.zeros((d, n, d, n), dtype=blocks.dtype)
            J[j, :, j, :] = blocks
        return J.reshape(N, N)

    @staticmethod
    def dense_cost(s: Structure) -> int:
        """The blocks U_j V_jᵀ (N·n·k), then D added to their diagonals (N)."""
        return s.rows * s.block * s.low_rank[0] + s.rows  # type: ignore[operator,index]

    def transpose(self) -> DiagonalPlusLowRank:
        """(D + U Vᵀ)ᵀ = D + V Uᵀ: the factors swap."""
        T = bare(DiagonalPlusLowRank, d=self.d, U=self.V, V=self.U, n=self.n, axis=self.axis)
        return T._as_transpose_of(self)

    # ----- (D + U Vᵀ) · M and M · (D + U Vᵀ), a column of U and V at a time -----
    # Per column r and per column (row) of M: a product by a sheet of V (U), the sums within
    # each sample, a product by a sheet of U (V) written in place, and an addition: 4N. With
    # D's product, N·(4k + 1) multiply-adds per column (row) of M.
    def _left(self, M: np.ndarray) -> np.ndarray:
        """D M + U (Vᵀ M), sample by sample."""
        (k, N), n, m = self.U.shape, self.n, M.shape[1]
        sheet = sheet_shape(N, n, self.axis)
        M3 = M.reshape(*sheet, m)
        out = self.d[:, None] * M
        for r in range(k):
            P = self.V[r].reshape(*sheet, 1) * M3
            if self.axis == 1:  # down each column: the n rows of the (n, b·m) sheets added
                W = (_ones(n, P.dtype) @ P.reshape(n, -1)).reshape(1, -1, m)
            else:
                W = _ones(n, P.dtype) @ P  # (b, 1, m)
            np.multiply(self.U[r].reshape(*sheet, 1), W, out=P)
            out += P.reshape(N, m)
        return out

    @staticmethod
    def left_cost(s: Structure, k: int) -> int:
        return s.rows * k * (4 * s.low_rank[0] + 1)  # type: ignore[index]

    def _right(self, M: np.ndarray) -> np.ndarray:
        """M D + (M U) Vᵀ: for a row g and softmax, a ⊙ g − a (aᵀg) per sample, never n²."""
        (k, N), n, m = self.U.shape, self.n, M.shape[0]
        sheet = sheet_shape(N, n, self.axis)
        G = M.reshape(m, *sheet)
        out = M * self.d
        for r in range(k):
            P = G * self.U[r].reshape(sheet)
            W = _ones(n, P.dtype) @ P if self.axis == 1 else P @ _ones(n, P.dtype).T
            np.multiply(W, self.V[r].reshape(sheet), out=P)
            out += P.reshape(m, N)
        return out

    @staticmethod
    def right_cost(s: Structure, k: int) -> int:
        return k * s.rows * (4 * s.low_rank[0] + 1)  # type: ignore[index]
