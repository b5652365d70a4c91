"""The determinant, its logarithm and the inverse of a square matrix.

Row-major vec: ∂det(X)/∂X = det(X)·vec(X⁻ᵀ)ᵀ, ∂log det(X)/∂X = vec(X⁻ᵀ)ᵀ and
∂X⁻¹/∂X = −X⁻¹ ⊗ X⁻ᵀ (a Kronecker structure: d(X⁻¹) = −X⁻¹ dX X⁻¹ and vec(A dX B) = (A ⊗ Bᵀ)
vec dX). Where a derivative does not exist the operation says so instead of returning inf or NaN:
inv refuses a singular or ill-conditioned X (condition number above 1/ε), logdet a determinant
≤ 0 (it is log det, not log |det|: write ``log(abs(det(X)))`` for that). det's derivative exists
everywhere; at a singular X it is the adjugate, computed from the singular values.

Values stay analytic in X (complex step applies): the determinant and inverse by LU, the
logarithm of a complex determinant on the principal branch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from reshape import InputError

from ._checks import finite_result, quiet
from ._expr_helpers import call, number, row
from ._jacobian import Jacobian
from ._linalg import square, square_shape, square_to_square
from ._registry import Context, operation
from ._structures import Dense, Kronecker

__all__ = ["det", "inv", "logdet"]


def _well_conditioned(r: np.random.Generator, n: int) -> np.ndarray:
    """N(0, 1) + (n + 2)·I: invertible, condition number of a few, positive determinant."""
    return r.normal(size=(n, n)) + (n + 2) * np.eye(n)


def _examples(r: np.random.Generator, n: int, m: int, d: int, bt: bool) -> dict[str, Any]:
    return {"X": _well_conditioned(r, n)}


def _try_inverse(M: np.ndarray) -> tuple[np.ndarray | None, float]:
    """(X⁻¹, the 1-norm condition number ‖X‖₁‖X⁻¹‖₁), or (None, inf) where X is singular to
    working precision. The condition number costs O(n²) once X⁻¹ is known (an SVD would cost
    several inversions), and is within a factor n of the 2-norm one."""
    with np.errstate(all="ignore"):
        try:
            Y = np.linalg.inv(M)
        except np.linalg.LinAlgError:  # an exactly singular pivot
            return None, np.inf
        cond = float(np.abs(M).sum(axis=0).max() * np.abs(Y).sum(axis=0).max())
    if not cond < 1 / np.finfo(M.dtype).eps:  # inf and NaN too
        return None, cond
    return Y, cond


def _inverse(op: str, M: np.ndarray, what: str) -> np.ndarray:
    """X⁻¹, or the error that X is singular to working precision (its inverse would be noise)."""
    Y, cond = _try_inverse(M)
    if Y is None:
        raise InputError(
            op,
            "X",
            f"an invertible matrix (condition number below 1/ε = "
            f"{1 / np.finfo(M.dtype).eps:.3g}) for {what}",
            f"condition number {cond:.3g}: X is singular to working precision",
            "a singular matrix has no inverse, and log det / inv have no derivative there",
        )
    return Y


@dataclass(slots=True)
class SquareContext(Context):
    """The context of a map of a square matrix X (n, n); ``inverse`` is X⁻¹ where computed."""

    X: np.ndarray
    inverse: np.ndarray | None = None


# ----- d = det(X) -----
@quiet  # entries past the largest float are refused by name (det_dX), not warned of
def _adjugate(M: np.ndarray) -> np.ndarray:
    """adj(X) = det(X)·X⁻¹, also at a singular X: from X = U S Vᴴ,
    adj(X) = det(U)·det(Vᴴ)·V adj(S) Uᴴ with adj(S) = diag(∏_{j≠i} s_j)."""
    n = M.shape[0]
    if n == 1:
        return np.ones_like(M)
    Y, _ = _try_inverse(M)
    if Y is not None:
        return np.linalg.det(M) * Y
    U, s, Vh = np.linalg.svd(M)
    others = np.array([np.prod(np.delete(s, i)) for i in range(n)], dtype=s.dtype)
    scale = np.linalg.det(U) * np.linalg.det(Vh)
    return (scale * (Vh.conj().T * others) @ U.conj().T).astype(M.dtype, copy=False)


@operation(
    "matrix",
    "d",
    "d = det($X)",
    r"d = \det($X)",
    {"X": "n×n"},
    "1",
    _examples,
    shape_of=square_shape,
    syntax=("call", "det"),
)
def det(X: np.ndarray) -> SquareContext:
    """The determinant of a square matrix (a scalar is its own determinant).

    Shapes: X (n, n) -> d scalar; ∂d/∂X = det(X)·vec(X⁻ᵀ)ᵀ = vec(adj(X)ᵀ)ᵀ is 1×n², the adjugate
    also where X is singular.

    >>> det(np.diag([2.0, 3.0])).jacobian.matrix
    array([[3., 0., 0., 2.]])
    """
    X, M = square("det", "X", X)
    hint = "a determinant past the largest float: logdet(X) gives its logarithm"
    value = finite_result("det", "X", "determinant", _det(M), {"X": M}, hint)
    return SquareContext(M.dtype.type(value), {"X": X}, M)


@quiet  # a determinant past the largest float is refused by name, not warned of
def _det(M: np.ndarray) -> Any:
    return np.linalg.det(M)


@det.rule(
    "X",
    "det($X)·vec($X⁻ᵀ)ᵀ",
    "1×n²",
    latex=r"\det($X) \operatorname{vec}($X^{-\top})^{\top}",
    expression=lambda e: e * row(call("inv", e.args[0]).T) if e.args[0].shape else number(1),
    adjoint=lambda G, e: G if not e.args[0].shape else G * e * call("inv", e.args[0]).T,
)
def det_dX(c: SquareContext) -> Jacobian:
    """vec(adj(X)ᵀ)ᵀ, a row: det(X)·vec(X⁻ᵀ)ᵀ where X is invertible."""
    adj = finite_result("det", "X", "derivative adj(X)ᵀ", _adjugate(c.X), {"X": c.X})
    return Dense(adj.T.reshape(1, -1))


# ----- l = log det(X) -----
@operation(
    "matrix",
    "l",
    "l = log det($X)",
    r"l = \log \det($X)",
    {"X": "n×n"},
    "1",
    _examples,
    shape_of=square_shape,
    syntax=("call", "logdet"),
)
def logdet(X: np.ndarray) -> SquareContext:
    """log det(X) of a square matrix with det(X) > 0 (stable: by slogdet for real X).

    A determinant ≤ 0 is refused: log det is not defined there (for log |det(X)| write
    ``log(abs(det(X)))``). Complex X (complex step) takes the principal logarithm and needs
    Re det(X) > 0.

    Shapes: X (n, n) -> l scalar; ∂l/∂X = vec(X⁻ᵀ)ᵀ is 1×n².

    >>> logdet(np.diag([2.0, 0.5])).value
    np.float64(0.0)
    """
    X, M = square("logdet", "X", X)
    if M.dtype.kind == "c":
        d = _det(M)
        value, positive = np.log(d) if d.real > 0 else d, d.real > 0
    else:
        sign, value = _slogdet(M)
        positive, d = sign > 0, sign
    if not positive:
        with np.errstate(all="ignore"):  # the number to show, computed only for the message
            d = np.linalg.det(M)
        raise InputError(
            "logdet",
            "X",
            "a square matrix with det(X) > 0 (log det is not defined otherwise)",
            f"det(X) = {d:.6g}",
            "for log |det(X)| write log(abs(det(X))); a covariance or Gram matrix has det > 0",
        )
    value = finite_result("logdet", "X", "log det", value, {"X": M})
    return SquareContext(M.dtype.type(value), {"X": X}, M)


@quiet  # refused by name below (an LU past the largest float), not warned of
def _slogdet(M: np.ndarray) -> Any:
    return np.linalg.slogdet(M)


@logdet.rule(
    "X",
    "vec($X⁻ᵀ)ᵀ",
    "1×n²",
    latex=r"\operatorname{vec}($X^{-\top})^{\top}",
    expression=lambda e: row(call("inv", e.args[0]).T) if e.args[0].shape else 1 / e.args[0],
    adjoint=lambda G, e: G / e.args[0] if not e.args[0].shape else G * call("inv", e.args[0]).T,
)
def logdet_dX(c: SquareContext) -> Jacobian:
    """vec(X⁻ᵀ)ᵀ, a row; refused where X is singular to working precision."""
    return Dense(_inverse("logdet", c.X, "the derivative of log det").T.reshape(1, -1))


# ----- Y = X⁻¹ -----
@operation(
    "matrix",
    "Y",
    "Y = $X⁻¹",
    r"Y = $X^{-1}",
    {"X": "n×n"},
    "n×n",
    _examples,
    shape_of=square_to_square,
    syntax=("call", "inv"),
)
def inv(X: np.ndarray) -> SquareContext:
    """The inverse of a square matrix; a singular or ill-conditioned X is refused.

    Shapes: X (n, n) -> Y (n, n); ∂Y/∂X = −X⁻¹ ⊗ X⁻ᵀ is n²×n², a Kronecker product.

    >>> J = inv(np.diag([2.0, 4.0])).jacobian
    >>> J.kind, J.matrix[0, 0], J.matrix[3, 3]
    ('kronecker', np.float64(-0.25), np.float64(-0.0625))
    """
    X, M = square("inv", "X", X)
    Y = _inverse("inv", M, "its inverse")
    return SquareContext(Y.reshape(X.shape), {"X": X}, M, Y)


def _inv_expression(e: Any) -> Any:
    if not e.shape:
        return -(e * e)
    return -call("kron", e, e.T)


def _inv_adjoint(G: Any, e: Any) -> Any:
    if not e.shape:
        return -(G * e * e)
    return -(e.T @ G @ e.T)


@inv.rule(
    "X",
    "−$X⁻¹ ⊗ $X⁻ᵀ",
    "n²×n²",
    latex=r"-$X^{-1} \otimes $X^{-\top}",
    expression=_inv_expression,
    adjoint=_inv_adjoint,
)
def inv_dX(c: SquareContext) -> Jacobian:
    """−X⁻¹ ⊗ X⁻ᵀ, kept as its two n×n factors; refused where its entries, products of two
    entries of X⁻¹, would pass the largest float (X near 1e−160 and below)."""
    Y = c.inverse
    assert Y is not None
    big = float(np.abs(Y).max())
    if not big <= np.sqrt(np.finfo(Y.dtype).max):
        raise InputError(
            "inv",
            "X",
            "X whose inverse's entries have products within floating-point range, for "
            "∂Y/∂X = −X⁻¹ ⊗ X⁻ᵀ",
            f"largest |X⁻¹| = {big:.3g}, whose square overflows",
            "rescale X: inv(sX) = inv(X)/s",
        )
    return Kronecker(-Y, Y.T)
