"""The simple structures :class:`Identity`, :class:`Diagonal`, :class:`Dense`, and every
structure but the sum in one place.

Each class keeps side by side its action on a dense matrix from the left and from the right, the
multiply-adds of each (over a :class:`Structure`, for the planner), its dense form and its
transpose. :class:`Kronecker`, :class:`BlockDiagonal` and :class:`Permutation` have modules of
their own and are re-exported here, so the operations import every structure from one place;
:class:`~jacobians.DiagonalPlusLowRank` (:mod:`jacobians._lowrank`) is not, since it builds on
these (softmax's builder imports it from there).
:class:`~jacobians.Sum` (:mod:`jacobians._lazy_sum`) is not: :mod:`jacobians._sum`, which adds
these up, imports them from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

import numpy as np

from reshape import ShapeError

from ._blocks import BlockDiagonal
from ._jacobian import Jacobian, bare
from ._kronecker import Kronecker, matmul
from ._limit import checked_bytes
from ._permutation import Permutation
from ._structure_args import (
    Structure,
    building,
    checked_array,
    checked_dtype,
    checked_shape,
    from_builder,
    largest,
)

__all__ = ["BlockDiagonal", "Dense", "Diagonal", "Identity", "Kronecker", "Permutation"]


class Identity(Jacobian):
    """The identity I_n on an array of shape ``shape`` (n = prod(shape)): ∂z/∂b of z = Wx + b.

    Shapes: shape -> out_shape = in_shape = shape; ``.matrix`` is n×n. Nothing is allocated,
    so n may be large (a whole number ≥ 1 in each entry); ``dtype`` is a float or complex dtype.

    >>> Identity((2, 3)).shape
    (6, 6)
    """

    kind = "identity"
    short = "identity"
    rank = 0  # never reached: every pair with an identity has a row (keep the other factor)

    def __init__(self, shape: Sequence[int], dtype: np.dtype = np.float64, **labels: str) -> None:
        if building():  # a rule builder's: its shape and dtype are read off checked arrays
            dt = np.dtype(dtype)
        else:
            shape = checked_shape("Identity", "shape", shape)
            dt = checked_dtype("Identity", "dtype", dtype)
        n = prod(shape)
        labels.setdefault("closed_form", f"I_{n}")
        labels.setdefault("latex", f"I_{{{n}}}")
        super().__init__(shape, shape, **labels)
        self._dtype = dt

    @property
    def dtype(self) -> np.dtype:
        return self._dtype

    def _dense(self) -> np.ndarray:
        return np.eye(self.shape[0], dtype=self._dtype)

    def transpose(self) -> Identity:
        return bare(Identity, _dtype=self._dtype)._as_transpose_of(self)

    def _left(self, M: np.ndarray) -> np.ndarray:
        return M

    @staticmethod
    def left_cost(s: Structure, k: int) -> int:
        return 0

    def _right(self, M: np.ndarray) -> np.ndarray:
        return M

    @staticmethod
    def right_cost(s: Structure, k: int) -> int:
        return 0

    def _gain(self, side: str) -> float:
        return 1.0


class Diagonal(Jacobian):
    """diag(d) on an array of the shape of ``d``: the Jacobian of every elementwise map.

    Shapes: d (any shape, n entries; numeric and finite, a list is converted) -> out_shape =
    in_shape = d.shape; ``.matrix`` is n×n.

    >>> Diagonal(np.array([1.0, 2.0])).right(np.ones((1, 2)))
    array([[1., 2.]])
    """

    kind = "diagonal"
    short = "diag"
    rank = 1  # applies itself to a Kronecker or block-diagonal factor made dense: n·k, the least

    def __init__(self, d: np.ndarray, **labels: str) -> None:
        if not labels and from_builder(d):
            self.out_shape = self.in_shape = d.shape  # a rule builder's σ′: the default labels
            self.d = d
            return
        d = checked_array("Diagonal", "d", d)
        super().__init__(d.shape, d.shape, **labels)
        self.d = d

    @property
    def dtype(self) -> np.dtype:
        return self.d.dtype

    @property
    def diagonal(self) -> np.ndarray:
        """The diagonal, flattened row-major."""
        return self.d.reshape(-1)

    def _dense(self) -> np.ndarray:
        return np.diag(self.diagonal)

    def transpose(self) -> Diagonal:
        return bare(Diagonal, d=self.d)._as_transpose_of(self)

    def _left(self, M: np.ndarray) -> np.ndarray:
        return self.diagonal[:, None] * M

    @staticmethod
    def left_cost(s: Structure, k: int) -> int:
        return s.rows * k

    def _right(self, M: np.ndarray) -> np.ndarray:
        d = self.d
        if M.shape[0] == 1:  # a row (every layer's σ′): multiplied in d's own shape, which numpy
            return (M.reshape(d.shape) * d).reshape(M.shape)  # does without its broadcasting
        return M * d.reshape(-1)

    def _gain(self, side: str) -> float:
        return largest(self.d)

    @staticmethod
    def right_cost(s: Structure, k: int) -> int:
        return k * s.cols


def _read_only(M: np.ndarray) -> np.ndarray:
    """M as a view that refuses writes: a Dense may hold the caller's own array (∂z/∂x = W of a
    network's layer), which a write into ``.matrix`` would change under the network."""
    view = M.view()
    view.flags.writeable = False
    return view


class Dense(Jacobian):
    """A dense matrix; called a row when it has one row (the Jacobian of a scalar cost).

    Shapes: M (r, c), or a vector read as (1, c) -> out_shape (r,), in_shape (c,) unless given
    (with r and c entries). M is numeric and finite (a list is converted).

    >>> Dense(np.ones((2, 3))).kind, Dense(np.ones(3)).kind
    ('dense', 'row')
    """

    short = "dense"
    rank = 4  # last: any other structure applies itself to a dense factor

    def __init__(
        self,
        M: np.ndarray,
        out_shape: Sequence[int] | None = None,
        in_shape: Sequence[int] | None = None,
        **labels: str,
    ) -> None:
        M = checked_array("Dense", "M", M, (1, 2), "a 2-D matrix, or a vector read as a row")
        M = M if M.ndim == 2 else M.reshape(1, -1)
        out_shape = (
            (M.shape[0],) if out_shape is None else checked_shape("Dense", "out_shape", out_shape)
        )
        in_shape = (
            (M.shape[1],) if in_shape is None else checked_shape("Dense", "in_shape", in_shape)
        )
        if (prod(out_shape), prod(in_shape)) != M.shape:
            raise ShapeError(
                "Dense",
                "M",
                f"a {prod(out_shape)}×{prod(in_shape)} matrix for out_shape {out_shape} by"
                f" in_shape {in_shape}",
                f"shape {M.shape}",
            )
        super().__init__(out_shape, in_shape, **labels)
        self.M = M

    @property
    def kind(self) -> str:  # type: ignore[override]
        return "row" if self.M.shape[0] == 1 else "dense"

    def _structure_of(self) -> Structure:
        return Structure("dense", *self.M.shape)

    @property
    def dtype(self) -> np.dtype:
        return self.M.dtype

    @property
    def matrix(self) -> np.ndarray:
        return _read_only(self.M)  # nothing to build, so no limit to check

    def dense(self, limit: int | None = None) -> np.ndarray:
        if limit is not None:  # nothing to build, but a bad limit is still refused
            checked_bytes(f"{type(self).__name__}.dense", "limit", limit)
        return _read_only(self.M)

    def _dense(self) -> np.ndarray:
        return self.M

    def transpose(self) -> Dense:
        return bare(Dense, M=self.M.T)._as_transpose_of(self)

    def _left(self, M: np.ndarray) -> np.ndarray:
        return matmul(self.M, M)  # a column times a row: their outer product, without BLAS

    @staticmethod
    def left_cost(s: Structure, k: int) -> int:
        return s.rows * s.cols * k

    def _right(self, M: np.ndarray) -> np.ndarray:
        return M * self.M if self.M.shape[0] == 1 else M @ self.M

    @staticmethod
    def right_cost(s: Structure, k: int) -> int:
        return k * s.rows * s.cols
