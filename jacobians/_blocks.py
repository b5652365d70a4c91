"""The block-diagonal structure: one p×q block per sample of a batch (a batch's softmax Jacobian
is one too, kept as the smaller :class:`~jacobians.DiagonalPlusLowRank`, which meets it).

The blocks are square (p = q) for a per-sample map of a batch onto itself, and rectangular for a
per-sample map between sizes: attention's ∂Out/∂Q has one dv×dk block per query.

Its actions on a dense matrix are one batched product each, d·p·q multiply-adds per column or row
where the dense (pd)×(qd) matrix would take pd·qd; :class:`BlockDiagonal` counts them beside them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reshape import ShapeError

from ._jacobian import Jacobian, bare
from ._structure_args import Structure, checked_array, given_shapes

__all__ = ["BlockDiagonal", "block_sizes"]


def block_sizes(s: Structure) -> tuple[int, int, int]:
    """(d, p, q) of a block-diagonal structure: d blocks of p×q (its ``block`` is p, the rows of
    each block; d = rows / p and q = cols / d follow).

    >>> block_sizes(BlockDiagonal(np.ones((5, 2, 3))).structure)
    (5, 2, 3)
    """
    d = s.rows // s.block  # type: ignore[operator]
    return d, s.block, s.cols // d  # type: ignore[return-value]


class BlockDiagonal(Jacobian):
    """One p×q block per sample of a batch: J[(i, j), (k, l)] = δ_jl B[j, i, k], from an input
    X (q, d) to an output Z (p, d).

    Over the row-major vecs (entry (i, j) at i·d + j) this is Σ_j B_j ⊗ e_j e_jᵀ, block-diagonal
    once the entries are ordered sample by sample, as the Jacobian of any map applied to each
    column. It keeps d·p·q numbers where the dense matrix has pd·qd. (Softmax's, whose blocks are
    diag(a) − a aᵀ, is a :class:`DiagonalPlusLowRank` of 3nd numbers; the product of the two,
    sample by sample, is block-diagonal.)

    Shapes: B (d, p, q), numeric and finite (a list is converted) -> out_shape (p, d), in_shape
    (q, d) unless given (with p·d and q·d entries); ``.matrix`` is pd×qd.

    >>> J = BlockDiagonal(np.stack([np.eye(2), 2 * np.eye(2), 3 * np.eye(2)]))  # d = 3, n = 2
    >>> J.out_shape, J.right(np.ones((1, 6)))
    ((2, 3), array([[1., 2., 3., 1., 2., 3.]]))
    >>> BlockDiagonal(np.ones((4, 2, 3))).shape  # four 2×3 blocks
    (8, 12)
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
        if B.ndim != 3:
            raise ShapeError(
                "BlockDiagonal", "B", "d blocks of p×q, shape (d, p, q)", f"shape {B.shape}"
            )
        d, p, q = B.shape
        out_shape, in_shape = given_shapes(
            "BlockDiagonal",
            out_shape,
            in_shape,
            ((p, d), (q, d)),
            lambda: (
                f"{p * d} entries each for {d} blocks of {p}×{q}"
                if p == q
                else f"{p * d} entries out and {q * d} in for {d} blocks of {p}×{q}"
            ),
        )
        super().__init__(out_shape, in_shape, **labels)
        self.B = B

    @property
    def dtype(self) -> np.dtype:
        return self.B.dtype

    def _structure_of(self) -> Structure:
        d, p, q = self.B.shape
        return Structure(self.kind, p * d, q * d, block=p)

    def _dense(self) -> np.ndarray:
        d, p, q = self.B.shape
        J = np.zeros((p, d, q, d), dtype=self.dtype)  # only the d blocks are written
        k = np.arange(d)
        J[:, k, :, k] = self.B  # advanced axes first: J[:, k, :, k] has shape (d, p, q)
        return J.reshape(p * d, q * d)

    def transpose(self) -> BlockDiagonal:
        """Each block transposed: Jᵀ[(k, l), (i, j)] = δ_jl B[j, i, k]."""
        return bare(BlockDiagonal, B=self.B.transpose(0, 2, 1))._as_transpose_of(self)

    def _left(self, M: np.ndarray) -> np.ndarray:
        """Y[(i, j), c] = Σ_k B[j, i, k] M[(k, j), c]: one batched product."""
        d, p, q = self.B.shape
        c = M.shape[1]
        Y = self.B @ M.reshape(q, d, c).transpose(1, 0, 2)  # (d, p, c)
        return Y.transpose(1, 0, 2).reshape(p * d, c)

    @staticmethod
    def left_cost(s: Structure, k: int) -> int:
        """d·p·q·k: each of the d blocks times its q×k slice."""
        d, p, q = block_sizes(s)
        return d * p * q * k

    def _right(self, M: np.ndarray) -> np.ndarray:
        """Y[r, (k, j)] = Σ_i M[r, (i, j)] B[j, i, k]: one batched product."""
        d, p, q = self.B.shape
        r = M.shape[0]
        Y = M.reshape(r, p, d).transpose(2, 0, 1) @ self.B  # (d, r, q)
        return Y.transpose(1, 2, 0).reshape(r, q * d)

    @staticmethod
    def right_cost(s: Structure, k: int) -> int:
        """k·d·p·q: each k×p slice times its block."""
        d, p, q = block_sizes(s)
        return k * d * p * q
