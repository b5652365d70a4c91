"""Normalization: layer norm (each column over its n features) and batch norm (each row over its
d samples), y = γ ⊙ x̂ + β with x̂ = (x − μ)/σ and σ = √(var + ε), the variance the population's.

The two differ only in the axis they normalize along, and so in what their Jacobian couples.
Per group of m entries (a column for layer norm, a row for batch norm) ∂y/∂x is
diag(γ/σ)(I_m − 11ᵀ/m − x̂x̂ᵀ/m): a diagonal plus a rank-two term, kept as a
:class:`~jacobians.DiagonalPlusLowRank` (U = −(γ/σ)/m·[1, x̂], V = [1, x̂]), so a row times it
costs 9 multiply-adds per entry and no m×m block is made. Layer norm's groups are the samples
(axis 1): its Jacobian is block-diagonal over them. Batch norm's groups are the features
(axis 2): each feature's block mixes every sample of the batch, so its Jacobian is not
block-diagonal over samples, and its structure says so (``low_rank == (2, 2)``).

The moments are taken of x divided by its largest magnitude (at least 1), which leaves x̂ and σ
unchanged and keeps them finite for any finite x; the scale is read off the real part, so
complex-step differentiation applies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from reshape import InputError, ShapeError, as_array

from ._checks import all_finite, column, finite_result, option, quiet, scalar_as
from ._elementwise import column_draw
from ._jacobian import Jacobian
from ._lowrank import DiagonalPlusLowRank
from ._product import Product
from ._registry import Context, operation
from ._structures import Diagonal, Identity, Kronecker

__all__ = ["NormContext", "batchnorm", "checked_eps", "layernorm"]

_BIG = np.finfo(np.float64).max / 4  # |γ/σ| beyond it: the Jacobian's entries (≤ 3|γ/σ|) overflow


@dataclass(slots=True)
class NormContext(Context):
    """A normalization's context: x̂ (n, d), σ per group ((1, d) for layer norm's columns, (n, 1)
    for batch norm's rows), γ/σ, x's shape and the Jacobian's axis (1: each column is a group,
    layer norm; 2: each row, batch norm)."""

    xhat: np.ndarray
    sigma: np.ndarray
    scale: np.ndarray
    shape: tuple[int, ...]
    axis: int


@quiet  # s·s may overflow to inf, whose ε/inf is the right 0
def _normalized(X: np.ndarray, eps: float, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """(x̂, σ) of each column (axis 0) or row (axis 1) of X, through X/s, s = max(|X|, 1)."""
    s = np.maximum(np.abs(X.real).max(axis=axis, keepdims=True), 1.0)
    Xs = X / s
    C = Xs - Xs.mean(axis=axis, keepdims=True)
    # r = √(var/s² + eps/s²), each term scaled by m before it is squared: eps/s² made as eps/(s·s)
    # became 0 past s = 1e154 (s·s overflows), and a constant column (C = 0) then 0/0, where
    # x̂ = 0 and σ = √eps. m, from real parts, cancels exactly, so complex steps pass through.
    a, t = np.sqrt((C * C).mean(axis=axis, keepdims=True)), math.sqrt(eps) / s  # a weak float
    m = np.maximum(np.abs(a.real), t)
    r = m * np.sqrt((a / m) ** 2 + (t / m) ** 2)
    return C / r, s * r


@quiet
def _ratio(g: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    return g / sigma


def _context(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float, axis: int
) -> NormContext:
    """The context of x (n,) | (n, d), γ and β (n,) | (n, 1), normalized along ``axis`` (1: over
    the n features of each column; 2: over the d samples of each row), unchecked: a network's
    forward pass refuses an output out of range by the layer's name."""
    n = x.shape[0]
    xhat, sigma = _normalized(x.reshape(n, -1), eps, axis - 1)
    g = gamma.reshape(n, 1)
    Y = _affine(g, xhat, beta.reshape(n, 1)).reshape(x.shape)
    given = {"x": x, "gamma": gamma, "beta": beta}
    return NormContext(Y, given, xhat, sigma, _ratio(g, sigma), x.shape, axis)


def _checked_context(
    op: str, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float, axis: int
) -> NormContext:
    """:func:`_context`, its value and γ/σ (the Jacobian's scale) refused by name out of range."""
    c = _context(x, gamma, beta, eps, axis)
    finite_result(op, "gamma", "y = γ ⊙ x̂ + β", c.value, {"gamma": gamma, "beta": beta})
    scale = c.scale
    if not all_finite(scale) or np.abs(scale).max() > _BIG:
        raise InputError(
            op,
            "gamma",
            f"γ/σ within floating-point range (|γ/σ| ≤ {_BIG:.3g}), σ = √(var + eps)",
            f"|γ/σ| up to {np.abs(scale).max():.3g} (largest |γ| = {np.abs(gamma).max():.3g}, "
            f"smallest σ = {np.abs(c.sigma).min():.3g})",
            "a group of equal entries has σ = √eps: raise eps or rescale γ",
        )
    return c


@quiet
def _affine(g: np.ndarray, xhat: np.ndarray, b: np.ndarray) -> np.ndarray:
    return g * xhat + b


def checked_eps(op: str, eps: Any) -> float:
    """eps as a positive finite float, or the error naming ``op``."""
    eps = option(op, "eps", eps)
    if eps <= 0:
        raise InputError(
            op, "eps", "a positive number (σ = √(var + eps))", repr(eps), "the usual is 1e-5"
        )
    return eps


def _vector(op: str, arg: str, v: Any, n: int) -> np.ndarray:
    """γ or β: a vector (n,) or a column (n, 1), one entry per feature of x."""
    v = as_array(scalar_as(v, (1,)), op, arg)
    if v.shape not in ((n,), (n, 1)):
        raise ShapeError(
            op,
            arg,
            f"shape ({n},) or ({n}, 1), one entry per feature (row) of x",
            f"shape {v.shape}",
            "nothing is broadcast: γ and β have one entry per row of x",
        )
    return v


def _checked(op: str, x: Any, gamma: Any, beta: Any, eps: Any) -> tuple[Any, ...]:
    eps = checked_eps(op, eps)
    x = column(op, "x", scalar_as(x, (1,)))
    n = x.shape[0]
    return x, _vector(op, "gamma", gamma, n), _vector(op, "beta", beta, n), eps


# ----- the rules, shared: only the axis of x's groups differs -----
def _dx(c: NormContext) -> Jacobian:
    """diag(γ/σ)(I_m − 11ᵀ/m − x̂x̂ᵀ/m) per group of m: D = γ/σ, U = −(γ/σ)/m·[1, x̂], V = [1, x̂]."""
    xhat = c.xhat
    a = np.ascontiguousarray(np.broadcast_to(c.scale, xhat.shape))  # batch norm's is (n, 1)
    m = xhat.shape[0] if c.axis == 1 else xhat.shape[1]
    # U and V written as (2, N), a row per term, the layout the structure keeps (given to it as
    # xhat.shape + (2,) views of those rows, which it takes without a copy)
    N, dt = xhat.size, np.result_type(a, xhat)
    U, V = np.empty((2, N), dtype=dt), np.empty((2, N), dtype=dt)
    np.multiply(a.reshape(-1), -1 / m, out=U[0])
    np.multiply(U[0], xhat.reshape(-1), out=U[1])
    V[0], V[1] = 1, xhat.reshape(-1)
    shaped = (*xhat.shape, 2)
    return DiagonalPlusLowRank(
        a, U.T.reshape(shaped), V.T.reshape(shaped), c.axis, c.shape, c.shape
    )


def _dgamma(c: NormContext) -> Jacobian:
    """diag(x̂) for one sample; for a batch diag(vec x̂)(I_n ⊗ 1_d), kept as that product (entry
    ((i, j), i) = x̂_ij: one per row, which a row times it reads in nd multiply-adds)."""
    n, d = c.xhat.shape
    if d == 1:
        return Diagonal(c.xhat[:, 0])
    ones = np.ones((d, 1), dtype=c.xhat.dtype)
    return Product(Diagonal(c.xhat.reshape(-1)), Kronecker(n, ones))


def _dbeta(c: NormContext) -> Jacobian:
    """I_n for one sample; I_n ⊗ 1_d for a batch (β is added to every sample), as linear's b."""
    n, d = c.xhat.shape
    dt = c.value.dtype
    return Identity((n,), dtype=dt) if d == 1 else Kronecker(n, np.ones((d, 1), dtype=dt))


def _examples(min_d: int) -> Any:
    def draw(r: np.random.Generator, n: int, m: int, d: int, bt: bool) -> dict[str, np.ndarray]:
        x = column_draw(r, n, d, bt) if min_d == 1 else r.normal(size=(n, max(d, min_d)))
        # entries spread along the normalized axis, so that no group's σ comes near √eps
        k = x.shape[0] if min_d == 1 else x.shape[1]
        ramp = np.linspace(-2.0, 2.0, k).reshape((k, 1) if x.ndim == 2 and min_d == 1 else -1)
        return {"x": x / 2 + ramp, "gamma": 1 + r.normal(size=n) / 2, "beta": r.normal(size=n)}

    return draw


_FORMULA_TEX = (
    r"y = \gamma \odot \frac{x - \mu}{\sigma} + \beta,"
    r"\ \sigma = \sqrt{\operatorname{var}(x) + \varepsilon}"
)


# ----- layer norm: each column (sample, token) over its n features -----
@operation(
    "normalization",
    "y",
    "y = γ ⊙ (x − μ)/σ + β, μ and σ² of each column",
    _FORMULA_TEX,
    {"x": "n", "gamma": "n", "beta": "n"},
    "n",
    _examples(1),
    options={"eps": 1e-5},
    unchecked=lambda x, gamma, beta, eps=1e-5: _context(x, gamma, beta, eps, 1),
)
def layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5) -> NormContext:
    """Layer norm: each column of x normalized over its n features, then scaled and shifted.

    μ_j and σ_j² = var_j + eps are the mean and population variance (1/n) of column j; x̂ = (x −
    μ)/σ and y = γ ⊙ x̂ + β, γ and β one entry per feature. ∂y/∂x is, per column,
    diag(γ/σ_j)(I − 11ᵀ/n − x̂x̂ᵀ/n): a diagonal plus a rank-two term per sample
    (:class:`~jacobians.DiagonalPlusLowRank`), never an n×n block; ∂y/∂γ is diag(x̂) and ∂y/∂β the
    identity for one column (I_n ⊗ 1_d for a batch, as linear's b).

    Shapes: x (n,) | (n, d), gamma and beta (n,) | (n, 1) -> y like x; ∂y/∂x is nd×nd, ∂y/∂γ and
    ∂y/∂β are nd×n.

    >>> r = layernorm(np.array([1.0, 2.0, 3.0]), np.ones(3), np.zeros(3))
    >>> np.round(r.value, 4), r.jacobians["x"].kind
    (array([-1.2247,  0.    ,  1.2247]), 'diagonal-plus-low-rank')
    """
    x, gamma, beta, eps = _checked("layernorm", x, gamma, beta, eps)
    return _checked_context("layernorm", x, gamma, beta, eps, 1)


@layernorm.rule(
    "x",
    "diag(γ/σ)(I_$n − 11ᵀ/$n − x̂x̂ᵀ/$n)",
    "n×n",
    latex=r"\operatorname{diag}(\gamma/\sigma)\left(I_{$n} - \mathbf{1}\mathbf{1}^{\top}/$n"
    r" - \hat{x}\hat{x}^{\top}/$n\right)",
)
def layernorm_dx(c: NormContext) -> Jacobian:
    """diag(γ/σ_j)(I − 11ᵀ/n − x̂_j x̂_jᵀ/n) for each column j: diagonal plus rank two per sample."""
    return _dx(c)


@layernorm.rule("gamma", "diag(x̂)", "n×n", latex=r"\operatorname{diag}(\hat{x})")
def layernorm_dgamma(c: NormContext) -> Jacobian:
    """diag(x̂); for a batch diag(vec x̂)(I_n ⊗ 1_d), dense."""
    return _dgamma(c)


@layernorm.rule("beta", "I_$n", "n×n", latex="I_{$n}")
def layernorm_dbeta(c: NormContext) -> Jacobian:
    """I_n; for a batch I_n ⊗ 1_d."""
    return _dbeta(c)


# ----- batch norm (training mode): each row (feature) over the d samples of the batch -----
@operation(
    "normalization",
    "y",
    "y = γ ⊙ (x − μ)/σ + β, μ and σ² of each row (over the batch)",
    _FORMULA_TEX,
    {"x": "n×d", "gamma": "n", "beta": "n"},
    "n×d",
    _examples(2),
    options={"eps": 1e-5},
    unchecked=lambda x, gamma, beta, eps=1e-5: _context(x, gamma, beta, eps, 2),
)
def batchnorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5) -> NormContext:
    """Batch norm in training mode: each feature (row of x) normalized over the d samples.

    μ_i and σ_i² = var_i + eps are the mean and population variance (1/d) of row i, the batch's
    statistics. The output of one sample depends on every sample of the batch: ∂y/∂x is, per
    feature i, the d×d block (γ_i/σ_i)(I − 11ᵀ/d − x̂_i x̂_iᵀ/d) over the samples
    (:class:`~jacobians.DiagonalPlusLowRank` along rows, ``axis=2``), so it is not
    block-diagonal over the samples. One sample has no batch statistics (x̂ = 0): d ≥ 2.

    Shapes: x (n, d) with d ≥ 2, gamma and beta (n,) | (n, 1) -> y (n, d); ∂y/∂x is nd×nd,
    ∂y/∂γ and ∂y/∂β nd×n.

    >>> r = batchnorm(np.array([[1.0, 3.0], [0.0, 4.0]]), np.ones(2), np.zeros(2))
    >>> np.round(r.value, 4), r.jacobians["x"].structure.low_rank
    (array([[-1.,  1.],
           [-1.,  1.]]), (2, 2))
    """
    x, gamma, beta, eps = _checked("batchnorm", x, gamma, beta, eps)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ShapeError(
            "batchnorm",
            "x",
            "a batch (n, d) of at least 2 samples (columns)",
            f"shape {x.shape}",
            "one sample has no batch statistics (x̂ = 0); for one sample use layernorm",
        )
    return _checked_context("batchnorm", x, gamma, beta, eps, 2)


@batchnorm.rule(
    "x",
    "(γᵢ/σᵢ)(I_$d − 11ᵀ/$d − x̂ᵢx̂ᵢᵀ/$d) per row i",
    "nd×nd",
    latex=r"(\gamma_i/\sigma_i)\left(I_{$d} - \mathbf{1}\mathbf{1}^{\top}/$d"
    r" - \hat{x}_i\hat{x}_i^{\top}/$d\right) \text{ per row } i",
)
def batchnorm_dx(c: NormContext) -> Jacobian:
    """(γ_i/σ_i)(I − 11ᵀ/d − x̂_i x̂_iᵀ/d) for each row i: diagonal plus rank two per feature,
    each block coupling the d samples."""
    return _dx(c)


@batchnorm.rule(
    "gamma",
    "diag(vec x̂)(I_$n ⊗ 1_$d)",
    "nd×n",
    latex=r"\operatorname{diag}(\operatorname{vec} \hat{x})(I_{$n} \otimes \mathbf{1}_{$d})",
)
def batchnorm_dgamma(c: NormContext) -> Jacobian:
    """diag(vec x̂)(I_n ⊗ 1_d): entry ((i, j), i) is x̂_ij, dense."""
    return _dgamma(c)


@batchnorm.rule("beta", "I_$n ⊗ 1_$d", "nd×n", latex=r"I_{$n} \otimes \mathbf{1}_{$d}")
def batchnorm_dbeta(c: NormContext) -> Jacobian:
    """I_n ⊗ 1_d: β is added to every sample."""
    return _dbeta(c)
