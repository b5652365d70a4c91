"""The Kronecker structure L ⊗ R: the Jacobian of an affine map by its matrix (∂z/∂W = I_n ⊗ xᵀ).

(L ⊗ R)·X and G·(L ⊗ R) are each one or two BLAS calls on reshaped views of X or G, applying L and
R in whichever order costs fewer multiply-adds; :class:`Kronecker` counts them the way it does them.
A factor is a matrix or an int k standing for I_k, which is never multiplied.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._jacobian import Jacobian, bare
from ._structure_args import (
    Structure,
    all_finite,
    building,
    checked_factor,
    given_shapes,
    largest,
    within_range,
)

__all__ = ["Factor", "Kronecker", "matmul"]

# A Kronecker factor is a 2-D array or an int k meaning the identity I_k.
Factor = np.ndarray | int


def fdims(F: Factor) -> tuple[int, int, bool]:
    """(rows, cols, is_identity) of a Kronecker factor."""
    return (F, F, True) if type(F) is int else (*F.shape, False)


class Kronecker(Jacobian):
    """L ⊗ R, each factor a matrix or an int k standing for I_k; rows a·p, columns b·q.

    ∂z/∂W for z = Wx + b is ``Kronecker(n, x[None, :])`` = I_n ⊗ xᵀ (row-major vec), and its action
    on a row g is the outer product: gᵀ(I_n ⊗ xᵀ) = vec(g xᵀ)ᵀ.

    Shapes: L (a, b) or a, R (p, q) or p -> out_shape (a·p,), in_shape (b·q,) unless given (with
    a·p and b·q entries); ``.matrix`` is a·p × b·q. A matrix factor is numeric and finite (a
    list is converted); an int factor k ≥ 1 allocates nothing, so I_k may be large.

    >>> K = Kronecker(2, np.array([[1.0, 2.0, 3.0]]))  # I_2 ⊗ xᵀ
    >>> K.shape, K.right(np.array([[1.0, 10.0]]))
    ((2, 6), array([[ 1.,  2.,  3., 10., 20., 30.]]))
    """

    kind = "kronecker"
    short = "kron"
    rank = 2  # after a diagonal (n·k), before a block-diagonal or dense factor

    def __init__(
        self,
        L: Factor,
        R: Factor,
        out_shape: Sequence[int] | None = None,
        in_shape: Sequence[int] | None = None,
        **labels: str,
    ) -> None:
        L, R = checked_factor("Kronecker", "L", L), checked_factor("Kronecker", "R", R)
        (a, b, _), (p, q, _) = fdims(L), fdims(R)
        if out_shape is None and in_shape is None:  # a rule builder's: the factors' own shapes
            out_shape, in_shape = (a * p,), (b * q,)
            if not labels and building():  # and the default labels, every layer's ∂z/∂W
                self.out_shape, self.in_shape, self.L, self.R = out_shape, in_shape, L, R
                return
        else:
            out_shape, in_shape = given_shapes(
                "Kronecker",
                out_shape,
                in_shape,
                ((a * p,), (b * q,)),
                lambda: f"{a * p} outputs and {b * q} inputs for L {a}×{b} ⊗ R {p}×{q}",
            )
        super().__init__(out_shape, in_shape, **labels)
        self.L, self.R = L, R  # the structure is made when a plan asks (_structure_of)

    @property
    def dtype(self) -> np.dtype:
        arrays = [F for F in (self.L, self.R) if not isinstance(F, int)]
        return np.result_type(*arrays) if arrays else np.dtype(np.float64)

    def _structure_of(self) -> Structure:
        L, R = fdims(self.L), fdims(self.R)
        return Structure(self.kind, L[0] * R[0], L[1] * R[1], L, R)

    # ----- dense form -----
    def _dense(self) -> np.ndarray:
        (a, b, li), (p, q, ri) = fdims(self.L), fdims(self.R)
        if li or ri:
            # I_a ⊗ R (or L ⊗ I_p): write only the non-zero blocks into zeroed memory.
            out = np.zeros((a, p, b, q), dtype=self.dtype)
            if li:
                idx = np.arange(a)
                out[idx, :, idx, :] = self.R if not ri else np.eye(p, dtype=self.dtype)
            else:
                idx = np.arange(p)
                out[:, idx, :, idx] = self.L  # advanced axes first: (p, a, b) gets L broadcast
            return out.reshape(a * p, b * q)
        # each entry is one product L[i, j]·R[k, l]: bounded by max|L|·max|R|, else scanned
        if within_range(largest(self.L) * largest(self.R), self.dtype):
            return np.kron(self.L, self.R)
        with np.errstate(over="ignore", invalid="ignore"):  # refused below, by name
            M = np.kron(self.L, self.R)
        if not all_finite(M):  # finite factors whose products pass the range: never ±inf
            raise self._beyond(
                M,
                "L",
                "factors whose Kronecker product stays within floating-point range",
                f"{self.symbol} = L ⊗ R",
                "scale the values the factors are made of down, or keep the Jacobian structured",
            )
        return M

    @staticmethod
    def dense_cost(s: Structure) -> int:
        """Only a product of two general factors multiplies: one per entry."""
        return 0 if s.left[2] or s.right[2] else s.rows * s.cols  # type: ignore[index]

    def transpose(self) -> Kronecker:
        """(L ⊗ R)ᵀ = Lᵀ ⊗ Rᵀ."""
        L = self.L if isinstance(self.L, int) else self.L.T
        R = self.R if isinstance(self.R, int) else self.R.T
        return bare(Kronecker, L=L, R=R)._as_transpose_of(self)

    # ----- (L ⊗ R) · M -----
    def _left(self, M: np.ndarray) -> np.ndarray:
        (a, b, li), (p, q, ri) = fdims(self.L), fdims(self.R)
        k = M.shape[1]
        X = M.reshape(b, q, k)
        if li and ri:
            return M
        if li:
            return _apply_R_left(self.R, X).reshape(a * p, k)
        if ri:
            return _apply_L_left(self.L, X).reshape(a * p, k)
        if a * b * q + a * p * q <= b * p * q + a * b * p:  # L first is the cheaper in left_cost
            return _apply_R_left(self.R, _apply_L_left(self.L, X)).reshape(a * p, k)
        return _apply_L_left(self.L, _apply_R_left(self.R, X)).reshape(a * p, k)

    @staticmethod
    def left_cost(s: Structure, k: int) -> int:
        """Multiply-adds of (L ⊗ R) · M for M with k columns, as :meth:`left` does it."""
        (a, b, li), (p, q, ri) = s.left, s.right  # type: ignore[misc]
        if li and ri:
            return 0
        if li:
            return b * p * q * k
        if ri:
            return a * b * q * k
        return min(a * b * q + a * p * q, b * p * q + a * b * p) * k

    # ----- M · (L ⊗ R) -----
    def _right(self, M: np.ndarray) -> np.ndarray:
        L, R, k = self.L, self.R, M.shape[0]
        # first the cases every dense layer's gradient takes
        if type(L) is int:
            if type(R) is not int:  # M · (I_a ⊗ R): each block of p columns times R (δXᵀ, δ1_d)
                p, q = R.shape
                return matmul(M.reshape(k * L, p), R).reshape(k, L * q)
        elif type(R) is int and k == 1:  # a row times L ⊗ I_p: Lᵀ · (the row as a×p), W ⊗ I_d
            a, b = L.shape
            return matmul(L.T, M.reshape(a, R)).reshape(1, b * R)
        (a, b, li), (p, q, ri) = fdims(L), fdims(R)
        if li and ri:
            return M
        G = M.reshape(k, a, p)
        if ri:
            return _apply_L_right(self.L, G).reshape(k, b * q)
        if a * b * p + b * p * q <= a * p * q + a * b * q:  # L first: the cheaper in right_cost
            return _apply_R_right(self.R, _apply_L_right(self.L, G)).reshape(k, b * q)
        return _apply_L_right(self.L, _apply_R_right(self.R, G)).reshape(k, b * q)

    def _gain(self, side: str) -> float:
        """‖L ⊗ R‖ = ‖L‖·‖R‖ in the norm that bounds the action: the largest row sum of |·| from
        the left (∞-norm), the largest column sum from the right (1-norm); I_k's is 1. A factor
        narrower than float64 is summed in float64, where its sums cannot overflow (nor warn)."""
        axis = 1 if side == "left" else 0
        gain = 1.0
        for F in (self.L, self.R):
            if not isinstance(F, int):
                a = np.abs(np.asarray(F))
                wide = a.dtype.itemsize >= 8
                gain *= float((a.sum(axis=axis) if wide else a.sum(axis, np.float64)).max())
        return gain

    @staticmethod
    def right_cost(s: Structure, k: int) -> int:
        """Multiply-adds of M · (L ⊗ R) for M with k rows, as :meth:`right` does it."""
        (a, b, li), (p, q, ri) = s.left, s.right  # type: ignore[misc]
        if li and ri:
            return 0
        if li:
            return k * a * p * q
        if ri:
            return k * a * b * p
        return min(a * b * p + b * p * q, a * p * q + a * b * q) * k


_OUTER = 10_000  # entries of an outer product from which einsum's loop beats a broadcast


def matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """A @ B. An outer product (inner size 1) is not given to BLAS, which is slower at it: it is
    a broadcast multiply, or einsum for a large one (numpy's broadcast multiply runs a slower
    loop over a stride-0 operand). Each entry is one product either way, the same bits.

    >>> matmul(np.array([[1.0], [2.0]]), np.array([[3.0, 4.0]]))
    array([[3., 4.],
           [6., 8.]])
    """
    if A.shape[1] != 1:
        return A @ B
    return A * B if A.shape[0] * B.shape[1] < _OUTER else np.einsum("ij,jk->ik", A, B)


# Each apply is one BLAS call on a reshaped view; its multiply-adds are counted in left_cost and
# right_cost above. X is (b, q, k) for (L ⊗ R)·X, G is (k, a, p) for G·(L ⊗ R).
def _apply_L_left(L: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Y[a, q, k] = Σ_b L[a, b] X[b, q, k]: a·b·q·k multiply-adds."""
    b, q, k = X.shape
    return matmul(L, X.reshape(b, q * k)).reshape(L.shape[0], q, k)


def _apply_R_left(R: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Y[b, p, k] = Σ_q R[p, q] X[b, q, k]: b·p·q·k multiply-adds."""
    b, q, k = X.shape
    Y = matmul(R, X.transpose(1, 0, 2).reshape(q, b * k))
    return Y.reshape(R.shape[0], b, k).transpose(1, 0, 2)


def _apply_L_right(L: np.ndarray, G: np.ndarray) -> np.ndarray:
    """Y[k, b, p] = Σ_a G[k, a, p] L[a, b]: k·a·b·p multiply-adds."""
    k, a, p = G.shape
    Y = matmul(L.T, G.transpose(1, 0, 2).reshape(a, k * p))
    return Y.reshape(L.shape[1], k, p).transpose(1, 0, 2)


def _apply_R_right(R: np.ndarray, G: np.ndarray) -> np.ndarray:
    """Y[k, a, q] = Σ_p G[k, a, p] R[p, q]: k·a·p·q multiply-adds."""
    k, a, p = G.shape
    return matmul(G.reshape(k * a, p), R).reshape(k, a, R.shape[1])
