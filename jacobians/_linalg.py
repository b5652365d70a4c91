"""Maps that move or copy entries: transpose, vec, diag, and the trace.

Row-major vec throughout: the transpose's Jacobian is the commutation matrix K_{n,m} (X m×n), kept
as a :class:`~jacobians._permutation.Permutation`; vec's is the identity; diag's a selection; the
trace's the row vec(I)ᵀ. kron is in :mod:`jacobians._kron`, det, logdet and inv in
:mod:`jacobians._inverse`.

An argument may be a scalar (0-D), a vector (n,) read as the column (n, 1), or a matrix; the
expression graph passes scalars as 0-D arrays and vectors as columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from reshape import ShapeError, as_array

from ._checks import finite_result, quiet, value_fits
from ._expr_helpers import call, comm, dims, eye, is_one, ones, row, times, unvec
from ._jacobian import Jacobian
from ._limit import check_limit
from ._permutation import Permutation
from ._registry import Context, operation
from ._structures import Dense, Identity

__all__ = [
    "as_matrix",
    "diag",
    "square",
    "square_shape",
    "square_to_square",
    "tr",
    "transpose",
    "vec",
]


def as_matrix(op: str, arg: str, X: Any) -> tuple[np.ndarray, np.ndarray]:
    """(X checked, X as a matrix): a scalar is 1×1, a vector (n,) the column (n, 1)."""
    X = as_array(X, op, arg)
    if X.ndim > 2:
        raise ShapeError(op, arg, "a scalar, a vector (n,) or a matrix (n, m)", f"shape {X.shape}")
    M = X.reshape(X.shape + (1,) * (2 - X.ndim)) if X.ndim < 2 else X
    return X, M


def square(op: str, arg: str, X: Any) -> tuple[np.ndarray, np.ndarray]:
    """(X checked, X as a square matrix), or the error that X is not square."""
    X, M = as_matrix(op, arg, X)
    if M.shape[0] != M.shape[1]:
        raise ShapeError(op, arg, "a square matrix (n, n), or a scalar", f"shape {X.shape}")
    return X, M


def square_shape(same: Any, s: tuple[Any, ...]) -> tuple[Any, ...]:
    """shape_of of a map of a square matrix to a scalar (tr, det): the scalar."""
    if s:
        _square(same, s[0], s[1], "a square matrix")
    return ()


def _square(same: Any, n: Any, m: Any, what: str) -> None:
    """same(n, m), its mismatch saying what the operation takes (the expression's error)."""
    try:
        same(n, m)
    except Exception as why:  # the expressions' Mismatch, which this layer does not import
        raise type(why)(f"{what}: {why}") from None


def square_to_square(same: Any, s: tuple[Any, ...]) -> tuple[Any, ...]:
    """shape_of of a map of a square matrix to one of its shape (inv)."""
    square_shape(same, s)
    return s


def _draw_matrix(r: np.random.Generator, n: int, m: int, d: int, bt: bool) -> dict[str, Any]:
    """A matrix (n, m): neither a vector nor square unless the sizes say so."""
    return {"X": r.normal(size=(n, m))}


@dataclass(slots=True)
class MatrixContext(Context):
    """The context of a map of one matrix: X as a matrix (m, n)."""

    X: np.ndarray


# ----- Y = Xᵀ -----
@operation(
    "reshape",
    "Y",
    "Y = $Xᵀ",
    r"Y = $X^{\top}",
    {"X": "m×n"},
    "n×m",
    _draw_matrix,
    shape_of=lambda same, s: s[::-1],
    syntax=("postfix", "'"),
)
def transpose(X: np.ndarray) -> MatrixContext:
    """Y = Xᵀ; its Jacobian is the commutation matrix, kept as a permutation of the entries.

    A vector (n,) is a column, so its transpose is the row (1, n).

    Shapes: X (m, n) -> Y (n, m); ∂Y/∂X = K_{n,m} is mn×mn (``reshape.commutation(n, m)``).

    >>> J = transpose(np.arange(6.0).reshape(2, 3)).jacobian
    >>> J.kind, J.shape
    ('permutation', (6, 6))
    """
    X, M = as_matrix("transpose", "X", X)
    return MatrixContext(X if X.ndim == 0 else M.T, {"X": X}, M)


@transpose.rule(
    "X",
    "K_{n,m}",
    "mn×mn",
    expression=lambda e: (
        comm(e.args[0].shape[1], e.args[0].shape[0]) if e.args[0].shape else eye(1)
    ),
    adjoint=lambda G, e: G.T if G.shape else G,
)
def transpose_dX(c: MatrixContext) -> Jacobian:
    """K_{n,m}: entry (j, i) of Xᵀ is entry (i, j) of X. For a vector, a row or a number it is
    the identity, kept as one: a product with it then keeps its other factor's structure."""
    if c.X.ndim < 2 or 1 in c.X.shape:
        return Identity((c.X.size,), dtype=c.X.dtype)
    return Permutation.transpose_of(*c.X.shape, dtype=c.X.dtype)


# ----- vec(X), row-major -----
@operation(
    "reshape",
    "v",
    "v = vec($X)",
    r"v = \operatorname{vec}($X)",
    {"X": "m×n"},
    "mn",
    lambda r, n, m, d, bt: {"X": r.normal(size=(n, m) if bt else (n,))},
    shape_of=lambda same, s: (times(*s), 1) if s else (),
    syntax=("call", "vec"),
)
def vec(X: np.ndarray) -> MatrixContext:
    """The row-major vec of X as a column (entry (i, j) at i·n + j); its Jacobian is the identity.

    Shapes: X (m, n) -> v (mn, 1); ∂v/∂X = I_mn.

    >>> vec(np.arange(4.0).reshape(2, 2)).value.ravel()
    array([0., 1., 2., 3.])
    """
    X, M = as_matrix("vec", "X", X)
    return MatrixContext(X if X.ndim == 0 else M.reshape(-1, 1), {"X": X}, M)


@vec.rule(
    "X",
    "I_{mn}",
    "mn×mn",
    expression=lambda e: eye(times(*dims(e.args[0].shape))),
    adjoint=lambda G, e: unvec(G, e.args[0].shape),
)
def vec_dX(c: MatrixContext) -> Jacobian:
    """I_mn: vec moves no entry."""
    return Identity((c.X.size,), c.X.dtype)


# ----- diag(v) and diag(X) -----
def _diag_shape(same: Any, s: tuple[Any, ...]) -> tuple[Any, ...]:
    if not s:
        return ()
    if is_one(s[1]):
        return (s[0], s[0])
    if is_one(s[0]):
        from .expressions._shapes import Mismatch

        raise Mismatch("diag takes a column vector or a square matrix, not a row; write diag(x)")
    _square(same, s[0], s[1], "a column vector or a square matrix")
    return (s[0], 1)


def _selection(e: Any) -> Any:
    """Σ_i (e_i ⊗ e_i) e_iᵀ = (I_n ⊗ 1_n) ⊙ (1_n ⊗ I_n), n² × n."""
    n = e.args[0].shape[0]
    return call("kron", eye(n), ones((n, 1))) * call("kron", ones((n, 1)), eye(n))


def _diag_expression(e: Any) -> Any:
    if not e.shape:
        return ones(())
    S = _selection(e)
    return S if is_one(e.args[0].shape[1]) else S.T


@dataclass(slots=True)
class DiagContext(Context):
    """diag's context: n and whether a vector became a matrix (True) or the reverse."""

    n: int
    spread: bool
    dtype: np.dtype


@operation(
    "reshape",
    "D",
    "D = diag($v)",
    r"D = \operatorname{diag}($v)",
    {"v": "n"},
    "n×n",
    lambda r, n, m, d, bt: {"v": r.normal(size=(n, n) if bt else (n,))},
    shape_of=_diag_shape,
    syntax=("call", "diag"),
)
def diag(v: np.ndarray) -> DiagContext:
    """The diagonal matrix of a vector, or the diagonal of a square matrix as a column.

    Shapes: v (n,) | (n, 1) -> D (n, n); or v (n, n) -> its diagonal (n, 1). ∂D/∂v selects:
    n²×n, one 1 per column (its transpose for the diagonal of a matrix).

    >>> diag(np.array([1.0, 2.0])).value
    array([[1., 0.],
           [0., 2.]])
    >>> diag(np.arange(4.0).reshape(2, 2)).value.ravel()
    array([0., 3.])
    """
    v, M = as_matrix("diag", "v", v)
    n, m = M.shape
    if m == 1:
        value_fits("diag", (n, n), M.dtype, n)
        value = np.diag(M[:, 0]) if v.ndim else v
        return DiagContext(value, {"v": v}, n, True, M.dtype)
    if n != m:
        raise ShapeError(
            "diag", "v", "a vector (n,), a column (n, 1) or a square matrix", f"shape {v.shape}"
        )
    return DiagContext(np.diagonal(M).reshape(n, 1).copy(), {"v": v}, n, False, M.dtype)


@diag.rule(
    "v",
    "Σ_i (e_i ⊗ e_i) e_iᵀ",
    "n²×n",
    latex=r"\sum_i (e_i \otimes e_i) e_i^{\top}",
    expression=_diag_expression,
    adjoint=lambda G, e: call("diag", G) if G.shape else G,
)
def diag_dv(c: DiagContext) -> Jacobian:
    """The selection of the diagonal's n entries among n² (transposed for a matrix's diagonal)."""
    n = c.n
    check_limit("∂D/∂v of diag", n * n, n, c.dtype, None)
    S = np.zeros((n * n, n), dtype=c.dtype)
    S[np.arange(n) * (n + 1), np.arange(n)] = 1
    return Dense(S if c.spread else S.T)


# ----- tr(X) -----
@operation(
    "matrix",
    "t",
    "t = tr($X)",
    r"t = \operatorname{tr}($X)",
    {"X": "n×n"},
    "1",
    lambda r, n, m, d, bt: {"X": r.normal(size=(n, n))},
    shape_of=square_shape,
    syntax=("call", "tr"),
)
def tr(X: np.ndarray) -> MatrixContext:
    """The trace of a square matrix (a scalar is its own trace).

    Shapes: X (n, n) -> t scalar; ∂t/∂X = vec(I_n)ᵀ is 1×n².

    >>> tr(np.arange(4.0).reshape(2, 2)).jacobian.matrix
    array([[1., 0., 0., 1.]])
    """
    X, M = square("tr", "X", X)
    value = finite_result("tr", "X", "trace", _trace(M), {"X": M})
    return MatrixContext(M.dtype.type(value), {"X": X}, M)


@quiet  # a trace past the largest float is refused by name, not warned of
def _trace(M: np.ndarray) -> Any:
    return np.trace(M)


@tr.rule(
    "X",
    "vec(I_n)ᵀ",
    "1×n²",
    latex=r"\operatorname{vec}(I_n)^{\top}",
    expression=lambda e: row(eye(dims(e.args[0].shape)[0])),
    adjoint=lambda G, e: G * eye(dims(e.args[0].shape)[0]),
)
def tr_dX(c: MatrixContext) -> Jacobian:
    """vec(I_n)ᵀ, a row."""
    return Dense(np.eye(c.X.shape[0], dtype=c.X.dtype).reshape(1, -1))
