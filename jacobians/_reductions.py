"""Reductions of a matrix: sum, mean and logsumexp, over every entry or an axis.

Axes are numbered as in the expression language (and MATLAB): ``axis=1`` reduces down each
column (X n×m gives a row 1×m), ``axis=2`` along each row (an n×1 column), ``axis=None`` every
entry (a scalar). Row-major vec: the Jacobian of a full reduction is a row, that of the column
sums is 1_nᵀ ⊗ I_m and that of the row sums I_n ⊗ 1_mᵀ.

logsumexp is shifted by the largest real part, so it is finite for any input and stays analytic
(complex step applies); a mean is finite for any finite input too (where the sum overflows, it
is taken of X/N), and a sum past the largest float is refused. Values keep X's dtype. The norms
are in :mod:`jacobians._norms`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from reshape import InputError

from ._checks import finite_result, quiet
from ._expr_helpers import call, dims, eye, is_one, mm, number, ones, row, times
from ._jacobian import Jacobian
from ._limit import check_limit
from ._linalg import as_matrix
from ._registry import Context, operation
from ._structures import Dense, Kronecker

__all__ = ["check_axis", "logsumexp", "mean", "reduced_shape", "sum"]

_AXES = "None (every entry), 1 (down each column: a row of m) or 2 (along each row: a column of n)"


def check_axis(op: str, axis: Any, allowed: tuple[Any, ...] = (None, 1, 2)) -> int | None:
    """The axis as None, 1 or 2 (MATLAB numbering), or the error naming the choices."""
    ok = axis is None or (
        isinstance(axis, (int, float, np.integer, np.floating))
        and not isinstance(axis, (bool, np.bool_))
        and axis in (1, 2)
    )
    if not ok or axis not in allowed:
        choices = _AXES if None in allowed else "1 (down each column) or 2 (along each row)"
        raise InputError(
            op,
            "axis",
            choices,
            repr(axis),
            "axes are numbered as in the expression language: 1 for columns, 2 for rows",
        )
    return None if axis is None else int(axis)


def reduced_shape(same: Any, s: tuple[Any, ...], axis: Any = None) -> tuple[Any, ...]:
    """shape_of of a reduction: () for every entry, (1, m) down the columns, (n, 1) along rows."""
    axis = check_axis("jacobians.Expression", axis)
    if axis is None or not s:
        return ()
    return (1, s[1]) if axis == 1 else (s[0], 1)


def draw(r: np.random.Generator, n: int, m: int, d: int, bt: bool) -> dict[str, Any]:
    """A reduction's test input: a matrix (n, d) for a batch, else a vector (n,)."""
    return {"X": r.normal(size=(n, d) if bt else (n,))}


@dataclass(slots=True)
class ReductionContext(Context):
    """A reduction's context: X as a matrix (n, m), the axis, and the weights its rules read."""

    X: np.ndarray
    axis: int | None
    weights: np.ndarray | None = None


def _reduce(M: np.ndarray, axis: int | None, f: Any) -> Any:
    """f(M, numpy axis, keepdims) over every entry (a scalar), down the columns (1, m) or along
    the rows (n, 1)."""
    return f(M, None, False) if axis is None else f(M, 0 if axis == 1 else 1, True)


@quiet  # a sum past the largest float is refused by name, not warned of
def _total(M: np.ndarray, k: int | None, keep: bool) -> Any:
    return M.sum(axis=k, keepdims=keep)


@quiet
def _average(M: np.ndarray, k: int | None, keep: bool) -> Any:
    """The mean; where the sum overflows, the mean of M/N (each term ≤ max|M|/N, and so is every
    partial sum: the true mean is finite and so is this), so a mean is never refused."""
    m = M.mean(axis=k, keepdims=keep)
    if np.isfinite(m).all():
        return m
    return (M / (M.size if k is None else M.shape[k])).sum(axis=k, keepdims=keep)


def _cast(M: np.ndarray, value: Any) -> Any:
    """A reduction's value in M's dtype."""
    return (
        value.astype(M.dtype, copy=False) if isinstance(value, np.ndarray) else M.dtype.type(value)
    )


def _reduced(op: str, what: str, M: np.ndarray, value: Any) -> Any:
    """A reduction's value in M's dtype, refused by name where it overflowed."""
    return _cast(M, finite_result(op, "X", what, value, {"X": M}))


def _unchecked(f: Any) -> Any:
    """A reduction's ``unchecked``, for X already checked (a scalar or a matrix)."""

    def unchecked(X: np.ndarray, axis: int | None = None) -> ReductionContext:
        M = X.reshape(X.shape + (1,) * (2 - X.ndim))
        return ReductionContext(_cast(M, _reduce(M, axis, f)), {"X": X}, M, axis)

    return unchecked


def _checked(op: str, unchecked: Any, X: Any, axis: Any) -> ReductionContext:
    """A reduction's ``prepare``: X and the axis checked, then its ``unchecked``, the value refused
    by name where it overflowed."""
    axis = check_axis(op, axis)
    X, _ = as_matrix(op, "X", X)
    c = unchecked(X, axis)
    finite_result(op, "X", op, c.value, {"X": c.X})
    return c


_sum, _mean = _unchecked(_total), _unchecked(_average)


def _ones_row(n: Any) -> Any:
    """1_nᵀ (the number 1 when n = 1)."""
    return number(1) if is_one(n) else ones((n, 1)).T


def _summing(n: int, m: int, axis: int | None, dt: np.dtype, w: float = 1.0) -> Jacobian:
    """w·∂(sum)/∂X: a row, 1_nᵀ ⊗ I_m (column sums) or I_n ⊗ 1_mᵀ (row sums)."""
    if axis is None:
        return Dense(np.full((1, n * m), w, dtype=dt))
    if axis == 1:
        return Kronecker(np.full((1, n), w, dtype=dt), m)
    return Kronecker(n, np.full((1, m), w, dtype=dt))


def _sum_expression(e: Any) -> Any:
    (n, m), axis = dims(e.args[0].shape), e.options.get("axis")
    if axis is None:
        return _ones_row(times(n, m))
    if axis == 1:
        return call("kron", _ones_row(n), eye(m))
    return call("kron", eye(n), _ones_row(m))


def _sum_adjoint(G: Any, e: Any) -> Any:
    X, axis = e.args[0], e.options.get("axis")
    n, m = dims(X.shape)
    if axis is None:
        return G * ones(X.shape) if X.shape else G
    return mm(ones((n, 1)), G) if axis == 1 else mm(G, _ones_row(m))


# ----- s = Σ X -----
@operation(
    "reduction",
    "s",
    "s = Σ_ij ${X}_ij",
    r"s = \sum_{ij} ${X}_{ij}",
    {"X": "n×m"},
    "1",
    draw,
    options={"axis": None},
    shape_of=reduced_shape,
    syntax=("call", "sum"),
    unchecked=_sum,
)
def sum(X: np.ndarray, axis: int | None = None) -> ReductionContext:
    """The sum of every entry, or of each column (``axis=1``) or each row (``axis=2``).

    Shapes: X (n, m) -> s scalar, (1, m) or (n, 1); ∂s/∂X = 1ᵀ (1×nm), 1_nᵀ ⊗ I_m (m×nm) or
    I_n ⊗ 1_mᵀ (n×nm).

    >>> sum(np.ones((2, 3)), axis=1).value, sum(np.ones((2, 3)), axis=2).jacobian.kind
    (array([[2., 2., 2.]]), 'kronecker')
    """
    return _checked("sum", _sum, X, axis)


@sum.rule(
    "X",
    "1ᵀ (axis 1: 1_nᵀ ⊗ I_m; axis 2: I_n ⊗ 1_mᵀ)",
    "1×nm",
    latex=r"\mathbf{1}^{\top} \ (\text{axis 1: } \mathbf{1}_n^{\top} \otimes I_m;"
    r" \text{ axis 2: } I_n \otimes \mathbf{1}_m^{\top})",
    expression=_sum_expression,
    adjoint=_sum_adjoint,
)
def sum_dX(c: ReductionContext) -> Jacobian:
    """A row of ones, or the Kronecker product that sums each column or row."""
    return _summing(*c.X.shape, c.axis, c.X.dtype)


# ----- m = mean(X) -----
def _count(e: Any) -> Any:
    """How many entries each mean averages, as an expression (a number once sizes are known)."""
    (n, m), axis = dims(e.args[0].shape), e.options.get("axis")
    k = times(n, m) if axis is None else n if axis == 1 else m
    return number(k) if isinstance(k, int) else call("sum", ones((k, 1)))


@operation(
    "reduction",
    "m",
    "m = (1/N) Σ_ij ${X}_ij, N = nm",
    r"m = \frac{1}{N} \sum_{ij} ${X}_{ij}, \ N = nm",
    {"X": "n×m"},
    "1",
    draw,
    options={"axis": None},
    shape_of=reduced_shape,
    syntax=("call", "mean"),
    unchecked=_mean,
)
def mean(X: np.ndarray, axis: int | None = None) -> ReductionContext:
    """The mean of every entry, or of each column (``axis=1``) or each row (``axis=2``).

    Shapes: X (n, m) -> a scalar, (1, m) or (n, 1); its Jacobian is ∂sum/∂X over the count.

    >>> mean(np.arange(4.0).reshape(2, 2), axis=2).value.ravel()
    array([0.5, 2.5])
    """
    return _checked("mean", _mean, X, axis)


@mean.rule(
    "X",
    "1ᵀ/nm (axis 1: 1_nᵀ ⊗ I_m / n; axis 2: I_n ⊗ 1_mᵀ / m)",
    "1×nm",
    latex=r"\mathbf{1}^{\top}/nm \ (\text{axis 1: } \mathbf{1}_n^{\top} \otimes I_m / n;"
    r" \text{ axis 2: } I_n \otimes \mathbf{1}_m^{\top} / m)",
    expression=lambda e: _sum_expression(e) / _count(e),
    adjoint=lambda G, e: _sum_adjoint(G, e) / _count(e),
)
def mean_dX(c: ReductionContext) -> Jacobian:
    """The summing Jacobian, each entry 1/count."""
    n, m = c.X.shape
    count = n * m if c.axis is None else n if c.axis == 1 else m
    return _summing(n, m, c.axis, c.X.dtype, 1 / count)


# ----- logsumexp -----
@quiet  # x − max may overflow to −inf, whose exp is the right 0
def _softmax_weights(M: np.ndarray, k: int | None, keep: bool) -> tuple[Any, np.ndarray]:
    """(log Σ exp, the weights exp(x − logsumexp)) over numpy axis k, shifted by max Re x."""
    shift = M.real.max(axis=k, keepdims=True)
    e = np.exp(M - shift)
    total = e.sum(axis=k, keepdims=True)
    lse = shift + np.log(total)
    return (lse if keep else lse.reshape(())), e / total


def _lse_expression(e: Any) -> Any:
    X, axis = e.args[0], e.options.get("axis")
    if not X.shape:
        return number(1)
    if axis is None:
        return call("softmax", X if is_one(X.shape[1]) else call("vec", X)).T
    n, m = X.shape
    S = row(call("softmax", X, axis=axis))
    if axis == 1:
        return call("kron", _ones_row(n), eye(m)) * mm(ones((m, 1)), S)
    return call("kron", eye(n), _ones_row(m)) * mm(ones((n, 1)), S)


def _lse_adjoint(G: Any, e: Any) -> Any:
    X, axis = e.args[0], e.options.get("axis")
    if not X.shape:
        return G
    if axis is None and 1 in X.shape[:2]:  # a vector: its softmax, which keeps every digit
        return G * call("softmax", X, axis=1 if X.shape[1] == 1 else 2)
    if axis is None:  # x − logsumexp(x) cancels digits at large x: see expressions/_compiled
        return G * call("exp", X - e)
    n, m = X.shape
    S = call("softmax", X, axis=axis)
    return S * (mm(ones((n, 1)), G) if axis == 1 else mm(G, _ones_row(m)))


@operation(
    "reduction",
    "l",
    "l = log Σ_ij exp(${X}_ij)",
    r"l = \log \sum_{ij} \exp(${X}_{ij})",
    {"X": "n×m"},
    "1",
    lambda r, n, m, d, bt: {"X": 2 * draw(r, n, m, d, bt)["X"]},
    options={"axis": None},
    shape_of=reduced_shape,
    syntax=("call", "logsumexp"),
    stable_for=1e4,
)
def logsumexp(X: np.ndarray, axis: int | None = None) -> ReductionContext:
    """log Σ exp of every entry, or of each column (``axis=1``) or row (``axis=2``); stable.

    Shapes: X (n, m) -> l scalar, (1, m) or (n, 1); ∂l/∂X = softmax(vec X)ᵀ (1×nm), or each
    column's (row's) softmax in its own output's row (m×nm, n×nm).

    >>> logsumexp(np.array([1e4, 1e4])).value - 1e4
    np.float64(0.6931471805599453)
    """
    axis = check_axis("logsumexp", axis)
    X, M = as_matrix("logsumexp", "X", X)
    value, S = _reduce(M, axis, _softmax_weights)
    return ReductionContext(_reduced("logsumexp", "logsumexp", M, value), {"X": X}, M, axis, S)


@logsumexp.rule(
    "X",
    "softmax(vec($X))ᵀ",
    "1×nm",
    latex=r"\operatorname{softmax}(\operatorname{vec}($X))^{\top}",
    expression=_lse_expression,
    adjoint=_lse_adjoint,
)
def logsumexp_dX(c: ReductionContext) -> Jacobian:
    """The softmax weights: one row, or each column's (row's) in its output's row."""
    S = c.weights
    assert S is not None
    n, m = S.shape
    if c.axis is None:
        return Dense(S.reshape(1, -1))
    check_limit("∂l/∂X of logsumexp", m if c.axis == 1 else n, n * m, S.dtype, None)
    if c.axis == 1:  # output k reads column k: J[k, (i, k)] = S[i, k]
        J = np.zeros((m, n, m), dtype=S.dtype)
        J[np.arange(m), :, np.arange(m)] = S.T
        return Dense(J.reshape(m, n * m))
    J = np.zeros((n, n, m), dtype=S.dtype)  # output i reads row i: J[i, (i, k)] = S[i, k]
    J[np.arange(n), np.arange(n), :] = S
    return Dense(J.reshape(n, n * m))
