"""The norms of a matrix's entries: norm1 (Σ |x|) and norm2 (Euclidean, Frobenius for a matrix).

Both are scalars whose Jacobians are rows over the row-major vec of X. Where a derivative does
not exist the rule says so: norm1 takes the subgradient 0 at an entry 0 (as relu and abs do;
complex step does not apply at the kink), and norm2 refuses X = 0, where the Euclidean norm has
no derivative. An expression whose output takes the norm with slope 0 there, ‖Ax − y‖² at an
exact fit say, has one, and ``Expression.gradient`` and ``.jacobian`` give it (the paths through
the norm add 0; see ``expressions._linearise.LIPSCHITZ``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reshape import InputError

from ._checks import finite_result, quiet
from ._elementwise import away_from_zero
from ._expr_helpers import call, row
from ._jacobian import Jacobian
from ._linalg import as_matrix
from ._reductions import ReductionContext, draw
from ._registry import operation
from ._structures import Dense

__all__ = ["norm1", "norm2"]


# ----- ‖X‖₁ = Σ |x| -----
@operation(
    "reduction",
    "s",
    "s = ‖$X‖₁ = Σ_ij |${X}_ij|",
    r"s = \lVert $X \rVert_1 = \sum_{ij} \lvert ${X}_{ij} \rvert",
    {"X": "n×m"},
    "1",
    lambda r, n, m, d, bt: {"X": away_from_zero(draw(r, n, m, d, bt)["X"])},
    shape_of=lambda same, s: (),
    syntax=("call", "norm1"),
)
def norm1(X: np.ndarray) -> ReductionContext:
    """The sum of the absolute values of the entries (the 1-norm of vec X).

    At an entry 0 its derivative does not exist; the rule takes the subgradient 0 there.

    Shapes: X (n, m) -> s scalar; ∂s/∂X = vec(sign(X))ᵀ is 1×nm.

    >>> norm1(np.array([-2.0, 0.0, 3.0])).jacobian.matrix
    array([[-1.,  0.,  1.]])
    """
    X, M = as_matrix("norm1", "X", X)
    value = finite_result("norm1", "X", "sum of |x|", _norm1(M), {"X": M})
    return ReductionContext(M.dtype.type(value), {"X": X}, M, None)


@quiet  # a sum past the largest float is refused by name, not warned of
def _norm1(M: np.ndarray) -> Any:
    # |x| as ±x by the sign of the real part: analytic on each side, so complex values flow
    return np.where(M.real >= 0, M, -M).sum()


@norm1.rule(
    "X",
    "vec(sign($X))ᵀ",
    "1×nm",
    latex=r"\operatorname{vec}(\operatorname{sign}($X))^{\top}",
    analytic=False,
    expression=lambda e: row(call("sign", e.args[0])),
    adjoint=lambda G, e: G * call("sign", e.args[0]),
)
def norm1_dX(c: ReductionContext) -> Jacobian:
    """vec(sign(X))ᵀ, a row; 0 where an entry is 0 (the subgradient)."""
    return Dense(np.sign(c.X.real).astype(c.X.dtype).reshape(1, -1))


# ----- ‖X‖₂ -----
@quiet  # a norm past the largest float is refused by name, not warned of
def _norm2(M: np.ndarray) -> Any:
    """sqrt(Σ x²): one pass where the sum of squares is safely within range, else scaled by the
    largest |Re x| so that no square overflows or underflows; the sum of squares (not of |x|²)
    keeps it analytic, so complex step applies."""
    v = M.reshape(-1)
    ss = v @ v  # Σ x², not conjugated
    info = np.finfo(M.dtype)
    if info.tiny / info.eps < ss.real < info.max:  # no square lost to underflow beyond rounding
        return np.sqrt(ss)
    s = np.abs(M.real).max()
    if s == 0:
        return (M * 0).sum()
    return s * np.sqrt(((M / s) ** 2).sum())


@operation(
    "reduction",
    "r",
    "r = ‖$X‖₂",
    r"r = \lVert $X \rVert_2",
    {"X": "n×m"},
    "1",
    draw,
    shape_of=lambda same, s: (),
    syntax=("call", "norm2"),
    unchecked=lambda X: _norm2_context(X, X.reshape(X.shape + (1,) * (2 - X.ndim)), _norm2),
)
def norm2(X: np.ndarray) -> ReductionContext:
    """The Euclidean norm of a vector, the Frobenius norm of a matrix.

    Its derivative does not exist at X = 0: the Jacobian is refused there (the value is 0).

    Shapes: X (n, m) -> r scalar; ∂r/∂X = vec(X)ᵀ/‖X‖ is 1×nm.

    >>> norm2(np.array([3.0, 4.0])).jacobian.matrix
    array([[0.6, 0.8]])
    """
    X, M = as_matrix("norm2", "X", X)
    return _norm2_context(X, M, lambda M: finite_result("norm2", "X", "norm", _norm2(M), {"X": M}))


def _norm2_context(X: np.ndarray, M: np.ndarray, norm: Any) -> ReductionContext:
    return ReductionContext(M.dtype.type(norm(M)), {"X": X}, M, None)


@norm2.rule(
    "X",
    "vec($X)ᵀ/‖$X‖₂",
    "1×nm",
    latex=r"\operatorname{vec}($X)^{\top} / \lVert $X \rVert_2",
    expression=lambda e: row(e.args[0]) / e,
    adjoint=lambda G, e: (G * e.args[0]) / e,
)
def norm2_dX(c: ReductionContext) -> Jacobian:
    """vec(X)ᵀ/‖X‖, a row; refused at X = 0 (where the norm is 0: it is 0 nowhere else)."""
    if c.value == 0:
        raise InputError(
            "norm2",
            "X",
            "X ≠ 0 for the derivative (the norm has none at 0)",
            "X = 0",
            "norm2(X)^2 is differentiable at 0: its gradient is 2X",
        )
    return Dense((c.X / c.value).reshape(1, -1))
