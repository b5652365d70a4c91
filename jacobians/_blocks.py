"""The block-diagonal structure: one n×n block per sample of a batch (a batch's softmax Jacobian
is one too, kept as the smaller :class:`~jacobians.DiagonalPlusLowRank`, which meets it).

Its actions on a dense matrix are one batched product each, d·n² multiply-adds per column or row
where the dense (nd)×(nd) matrix would take (nd)²; :class:`BlockDiagonal` counts them beside them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reshape import ShapeError

from ._jacobian import Jacobian, bare
from ._structure_args import Structure, checked_array, given_shapes

__all__ = ["BlockDiagonal"]


class BlockDiagonal(Jacobian):
    """One n×n block per sample of a batch Z (n, d): J[(i, j), (k, l)] = δ_jl B[j, i, k].

    Over the row-major vec of Z (entry (i, j) at i·d + j) this is Σ_j B_j ⊗ e_j e_jᵀ, block-diagonal
    once the entries are ordered sample by sample, as the Jacobian of any map applied to each
    column. It keeps d·n² numbers where the dense matrix has (nd)². (Softmax's, whose blocks are
    diag(a) − a aᵀ, is a :class:`DiagonalPlusLowRank` of 3nd numbers; the product of the two,
    sample by sample, is block-diagonal.)

    Shapes: B (d, n, n), numeric and finite (a list is converted) -> out_shape = in_shape =
    (n, d) unless given (with n·d entries); ``.matrix`` is nd×nd.

    >>> J = BlockDiagonal(np.stack([np.eye(2), 2 * np.eye(2), 3 * np.eye(2)]))  # d = 3, n = 2
    >>> J.out_shape, J.right(np.ones((1, 6)))
    ((2, 3), array([[1., 2., 3., 1., 2., 3.]]))
    """

    kind = "block-diagonal"
    short = "blocks"
    rank = 3  # after a diagonal or Kronecker factor, before a dense one

    def __init__(
        self,
        B: np.ndarray,
        out_shape: Sequence[int] | None = None,
        in_shape: Sequence[int] | None = None,
        **labels: str,
    ) -> None:
        B = checked_array("BlockDiagonal", "B", B)
        if B.ndim != 3 or B.shape[1] != B.shape[2]:
            raise ShapeError(
                "BlockDiagonal", "B", "d square blocks, shape (d, n, n)", f"shape {B.shape}"
            )
        d, n, _ = B.shape
        out_shape, in_shape = given_shapes(
            "BlockDiagonal",
            out_shape,
            in_shape,
            ((n, d), (n, d)),
            lambda: f"{n * d} entries each for {d} blocks of {n}×{n}",
        )
        super().__init__(out_shape, in_shape, **labels)
        self.B = B

    @property
    def dtype(self) -> np.dtype:
        return self.B.dtype

    def _structure_of(self) -> Structure:
        d, n, _ = self.B.shape
        return Structure(self.kind, n * d, n * d, block=n)

    def _dense(self) -> np.ndarray:
        d, n, _ = self.B.shape
        J = np.zeros((n, d, n, d), dtype=self.dtype)  # only the d blocks are written
        k = np.arange(d)
        J[:, k, :, k] = self.B  # advanced axes first: J[:, k, :, k] has shape (d, n, n)
        return J.reshape(n * d, n * d)

    def transpose(self) -> BlockDiagonal:
        """Each block transposed: Jᵀ[(k, l), (i, j)] = δ_jl B[j, i, k]."""
        return bare(BlockDiagonal, B=self.B.transpose(0, 2, 1))._as_transpose_of(self)

    def _left(self, M: np.ndarray) -> np.ndarray:
        """Y[(i, j), c] = Σ_k B[j, i, k] M[(k, j), c]: one batched product."""
        d, n, _ = self.B.shape
        c = M.shape[1]
        Y = self.B @ M.reshape(n, d, c).transpose(1, 0, 2)  # (d, n, c)
        return Y.transpose(1, 0, 2).reshape(n * d, c)

    @staticmethod
    def left_cost(s: Structure, k: int) -> int:
        """d·n²·k: each of the d blocks times its n×k slice."""
        return s.rows * s.block * k  # type: ignore[operator]

    def _right(self, M: np.ndarray) -> np.ndarray:
        """Y[r, (k, j)] = Σ_i M[r, (i, j)] B[j, i, k]: one batched product."""
        d, n, _ = self.B.shape
        r = M.shape[0]
        Y = M.reshape(r, n, d).transpose(2, 0, 1) @ self.B  # (d, r, n)
        return Y.transpose(1, 2, 0).reshape(r, n * d)

    @staticmethod
    def right_cost(s: Structure, k: int) -> int:
        """k·d·n²: each k×n slice times its block."""
        return k * s.rows * s.block  # type: ignore[operator]
