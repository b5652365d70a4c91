"""The Kronecker product K = A ⊗ B as an operation (the structure of the same name is in
:mod:`jacobians._kronecker`).

Row-major vec: entry (i, j) of A and (k, l) of B give entry (i·r + k, j·s + l) of K (A p×q,
B r×s), so vec K lists A[i, j]·B[k, l] in the order (i, k, j, l), and
vec(A ⊗ B) = (I_p ⊗ K_{r,q} ⊗ I_s)(vec A ⊗ vec B) with K_{r,q} = ``reshape.commutation(r, q)``.
Hence ∂K/∂A = I_p ⊗ M, a Kronecker structure with one dense rqs×q factor, and ∂K/∂B, which
interleaves the entries of A, is kept dense (under the dense limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._checks import finite_result, quiet, value_fits
from ._expr_helpers import call, comm, dims, eye, mm, ones, row, times, transposed
from ._jacobian import Jacobian
from ._limit import check_limit
from ._linalg import as_matrix
from ._registry import Context, operation
from ._structures import Dense, Kronecker

__all__ = ["kron"]


# ----- K = A ⊗ B -----
def _kron_shape(same: Any, a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    (p, q), (r, s) = dims(a), dims(b)
    return (times(p, r), times(q, s))


def _kron_sizes(e: Any) -> tuple[Any, Any, Any, Any]:
    """(p, q, r, s) of the node A ⊗ B, A p×q and B r×s."""
    A, B = e.args
    return (*dims(A.shape), *dims(B.shape))


def _reorder(p: Any, q: Any, r: Any, s: Any) -> Any:
    """I_p ⊗ K_{r,q} ⊗ I_s: row-major, vec(A ⊗ B) = (I_p ⊗ K_{r,q} ⊗ I_s)(vec A ⊗ vec B)."""
    return call("kron", call("kron", eye(p), comm(r, q)), eye(s))


def _column(X: Any) -> Any:
    """vec(X) as a column (X itself for a scalar or a column)."""
    return transposed(row(X))


def _kron_dA(e: Any) -> Any:
    """(I_p ⊗ K_{r,q} ⊗ I_s)(I_pq ⊗ vec B)."""
    p, q, r, s = _kron_sizes(e)
    return mm(_reorder(p, q, r, s), call("kron", eye(times(p, q)), _column(e.args[1])))


def _kron_dB(e: Any) -> Any:
    """(I_p ⊗ K_{r,q} ⊗ I_s)(vec A ⊗ I_rs)."""
    p, q, r, s = _kron_sizes(e)
    return mm(_reorder(p, q, r, s), call("kron", _column(e.args[0]), eye(times(r, s))))


def _kron_adjoint_A(G: Any, e: Any) -> Any:
    """Ā = (I_p ⊗ 1_rᵀ)(G ⊙ (1_p 1_qᵀ ⊗ B))(I_q ⊗ 1_s): each r×s block of G against B."""
    p, q, r, s = _kron_sizes(e)
    blocks = G * call("kron", ones((p, q)), e.args[1])
    return mm(mm(call("kron", eye(p), ones((1, r))), blocks), call("kron", eye(q), ones((s, 1))))


def _kron_adjoint_B(G: Any, e: Any) -> Any:
    """B̄ = (1_pᵀ ⊗ I_r)(G ⊙ (A ⊗ 1_r 1_sᵀ))(1_q ⊗ I_s): the blocks of G weighted by A, summed."""
    p, q, r, s = _kron_sizes(e)
    blocks = G * call("kron", e.args[0], ones((r, s)))
    return mm(mm(call("kron", ones((1, p)), eye(r)), blocks), call("kron", ones((q, 1)), eye(s)))


@dataclass(slots=True)
class KronContext(Context):
    """kron's context: A (p, q) and B (r, s) as matrices."""

    A: np.ndarray
    B: np.ndarray


@operation(
    "bilinear",
    "K",
    "K = $A ⊗ $B",
    r"K = $A \otimes $B",
    {"A": "p×q", "B": "r×s"},
    "pr×qs",
    lambda r, n, m, d, bt: {"A": r.normal(size=(n, m)), "B": r.normal(size=(d, m if bt else 1))},
    shape_of=_kron_shape,
    syntax=("call", "kron"),
)
def kron(A: np.ndarray, B: np.ndarray) -> KronContext:
    """The Kronecker product A ⊗ B, with its Jacobians with respect to both factors.

    Vectors are columns (unlike ``np.kron``, which reads a 1-D argument beside a 2-D one as a
    row); two vectors give a vector.

    Shapes: A (p, q), B (r, s) -> K (pr, qs); ∂K/∂A is prqs×pq (I_p ⊗ a dense rqs×q block),
    ∂K/∂B is prqs×rs (dense).

    >>> kron(np.eye(2), np.ones((1, 2))).jacobians["A"].kind
    'kronecker'
    """
    A, MA = as_matrix("kron", "A", A)
    B, MB = as_matrix("kron", "B", B)
    shape = (MA.shape[0] * MB.shape[0], MA.shape[1] * MB.shape[1])
    value_fits("kron", shape, np.result_type(MA, MB), MA.size + MB.size)
    value = finite_result("kron", "A", "product A ⊗ B", _kron(MA, MB), {"A": MA, "B": MB})
    if A.ndim < 2 and B.ndim < 2:
        value = value.reshape(-1) if max(A.ndim, B.ndim) == 1 else value.reshape(())
    return KronContext(value, {"A": A, "B": B}, MA, MB)


@quiet  # products past the largest float are refused by name, not warned of
def _kron(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    return np.kron(A, B)


@kron.rule(
    "A",
    "(I_p ⊗ K_{r,q} ⊗ I_s)(I_{pq} ⊗ vec($B))",
    "prqs×pq",
    latex=r"(I_p \otimes K_{r,q} \otimes I_s)(I_{pq} \otimes \operatorname{vec}($B))",
    expression=_kron_dA,
    adjoint=_kron_adjoint_A,
)
def kron_dA(c: KronContext) -> Jacobian:
    """I_p ⊗ M, M[(k, j, l), j′] = δ_jj′ B[k, l]: entry (i, k, j, l) of vec K is A[i, j]·B[k, l]."""
    p, q = c.A.shape
    (r, s), dt = c.B.shape, np.result_type(c.A, c.B)
    M = np.einsum("kl,jJ->kjlJ", c.B.astype(dt, copy=False), np.eye(q, dtype=dt))
    return Kronecker(p, M.reshape(r * q * s, q))


@kron.rule(
    "B",
    "(I_p ⊗ K_{r,q} ⊗ I_s)(vec($A) ⊗ I_{rs})",
    "prqs×rs",
    latex=r"(I_p \otimes K_{r,q} \otimes I_s)(\operatorname{vec}($A) \otimes I_{rs})",
    expression=_kron_dB,
    adjoint=_kron_adjoint_B,
)
def kron_dB(c: KronContext) -> Jacobian:
    """Row (i, k, j, l), column (k′, l′): A[i, j]·δ_kk′·δ_ll′, dense under the dense limit."""
    (p, q), (r, s) = c.A.shape, c.B.shape
    dt = np.result_type(c.A, c.B)
    check_limit("∂K/∂B of kron", p * r * q * s, r * s, dt, None)
    Ir, Is = np.eye(r, dtype=dt), np.eye(s, dtype=dt)
    J = np.einsum("ij,kK,lL->ikjlKL", c.A.astype(dt, copy=False), Ir, Is)
    return Dense(J.reshape(p * r * q * s, r * s))
