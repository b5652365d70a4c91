"""Activations: elementwise maps a = σ(z) with diagonal Jacobians diag(σ′(z)), and softmax.

Every formula is written to be stable for |z| up to 1e4 and more (no overflow warning, no NaN) and
to stay analytic, so complex-step differentiation can check it: the sign tests read the real part,
and exp is only ever taken of a number whose real part is ≤ 0.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from types import SimpleNamespace
from typing import Any

import numpy as np

from reshape import as_array

from ._checks import column, option
from ._jacobian import BlockDiagonal, Dense, Diagonal, Identity, Jacobian
from ._registry import Operation, operation


def _exp_neg_abs(z: np.ndarray) -> np.ndarray:
    """exp(−|z|) for real z, continued analytically (exp(−z) or exp(z) by the sign of Re z)."""
    if np.iscomplexobj(z):
        return np.exp(np.where(z.real >= 0, -z, z))
    e = np.abs(z)
    np.negative(e, out=e)
    return np.exp(e, out=e)


@cache
def _no_overflow_below(dtype: np.dtype) -> float:
    """Above this z, e^(−z) is finite in ``dtype``: 1 − log(largest float)."""
    return float(1 - np.log(np.finfo(dtype).max))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """1/(1 + e^(−z)) as 1/(1 + e^(−|z|)) for z ≥ 0 and e^(−|z|)/(1 + e^(−|z|)) for z < 0.

    Where e^(−z) cannot overflow (every z above −log(max float) + 1) the plain formula is as
    accurate and three passes cheaper, so real arrays take it.
    """
    if z.dtype.kind == "f" and z.min() > _no_overflow_below(z.dtype):
        e = np.exp(-z)
        e += 1
        return np.reciprocal(e, out=e)
    e = _exp_neg_abs(z)
    r = 1 + e
    np.reciprocal(r, out=r)
    np.multiply(e, r, out=e)
    return np.where(np.real(z) >= 0, r, e)


def _softplus(z: np.ndarray) -> np.ndarray:
    """z + log(1 + e^(−z)) for Re z ≥ 0, log(1 + e^z) below: both branches split where
    _exp_neg_abs splits, so each is analytic (complex step at z = 0 included)."""
    return np.where(np.real(z) >= 0, z, 0) + np.log1p(_exp_neg_abs(z))


def _relu(z: np.ndarray) -> np.ndarray:
    return np.where(np.real(z) > 0, z, 0)


def _relu_deriv(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return (np.real(z) > 0).astype(z.dtype)


def _leaky(z: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    return np.where(np.real(z) > 0, z, alpha * z)


def _leaky_deriv(z: np.ndarray, a: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    return np.where(np.real(z) > 0, 1, alpha).astype(z.dtype)


def _elementwise(
    name: str,
    formula: tuple[str, str],
    fn: Callable[..., np.ndarray],
    deriv: Callable[..., np.ndarray],
    deriv_form: tuple[str, str],
    doc: str,
    analytic: bool = True,
    options: dict[str, Any] | None = None,
) -> Operation:
    """Declare a = σ(z) with ∂a/∂z = diag(σ′(z)); ``deriv(z, a)`` gives σ′(z) from z and a = σ(z),
    so that σ′ reuses the value where it can (σ′ = a(1 − a) for the sigmoid)."""

    def prepare(z: np.ndarray, **opts: Any) -> SimpleNamespace:
        z = as_array(z, name, "z")
        if opts:
            opts = {k: option(name, k, v) for k, v in opts.items()}
        return SimpleNamespace(value=fn(z, **opts), given={"z": z}, z=z, opts=opts)

    prepare.__name__ = name
    prepare.__doc__ = (
        f"{doc}\n\n    Shapes: z of any shape (n,) | (n, d) -> a of the same shape; ∂a/∂z is "
        f"n×n, diagonal.\n\n    >>> {name}(np.zeros(2)).jacobian.kind\n    "
        f"{'identity' if name == 'identity' else 'diagonal'!r}\n"
    )
    op = operation("activation", "a", *formula, {"z": "n"}, "n", options)(prepare)
    text, latex = deriv_form

    if name == "identity":
        build: Callable[[SimpleNamespace], Jacobian] = lambda c: Identity(c.z.shape, c.z.dtype)
        op.rule("z", "I_n", "I_n", "n×n", "identity")(build)
    else:
        build = lambda c: Diagonal(deriv(c.z, c.value, **c.opts))
        op.rule(
            "z",
            f"diag({text})",
            rf"\operatorname{{diag}}\left({latex}\right)",
            "n×n",
            "diagonal",
            analytic,
        )(build)
    op.fn = fn
    op.deriv = lambda z, **opts: deriv(z, fn(z, **opts), **opts)
    return op


# ----- elementwise activations: a = σ(z), ∂a/∂z = diag(σ′(z)) -----
sigmoid = _elementwise(
    "sigmoid",
    ("a = σ(z) = 1/(1 + e^(−z))", r"a = \sigma(z) = \frac{1}{1 + e^{-z}}"),
    _sigmoid,
    lambda z, a: a * (1 - a),
    ("σ(z) ⊙ (1 − σ(z))", r"\sigma(z) \odot (1 - \sigma(z))"),
    "The logistic sigmoid, stable for large |z|.",
)
tanh = _elementwise(
    "tanh",
    ("a = tanh(z)", r"a = \tanh(z)"),
    np.tanh,
    lambda z, a: 1 - a * a,
    ("1 − tanh²(z)", r"1 - \tanh^2(z)"),
    "The hyperbolic tangent.",
)
relu = _elementwise(
    "relu",
    ("a = max(z, 0)", r"a = \max(z, 0)"),
    _relu,
    _relu_deriv,
    ("1[z > 0]", r"\mathbb{1}[z > 0]"),
    "The rectifier. At z = 0 its derivative is the subgradient 0 (as in PyTorch and JAX).",
    analytic=False,
)
leaky_relu = _elementwise(
    "leaky_relu",
    ("a = max(z, αz)", r"a = \max(z, \alpha z)"),
    _leaky,
    _leaky_deriv,
    ("1[z > 0] + α·1[z ≤ 0]", r"\mathbb{1}[z > 0] + \alpha \mathbb{1}[z \le 0]"),
    "The leaky rectifier with slope ``alpha`` (default 0.01) for z ≤ 0; at 0 the slope is alpha.",
    analytic=False,
    options={"alpha": 0.01},
)
softplus = _elementwise(
    "softplus",
    ("a = log(1 + e^z)", r"a = \log(1 + e^{z})"),
    _softplus,
    lambda z, a: _sigmoid(z),
    ("σ(z)", r"\sigma(z)"),
    "softplus(z) = log(1 + eᶻ), stable for large |z|; its derivative is the sigmoid.",
)
identity = _elementwise(
    "identity",
    ("a = z", "a = z"),
    lambda z: z,
    lambda z, a: np.ones_like(z),
    ("1", "1"),
    "The identity activation (a linear output layer).",
)


# ----- softmax: a = e^z / 1ᵀe^z, ∂a/∂z = diag(a) − a aᵀ -----
def stable_softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over axis 0 (the entries of each column), shifted by the real maximum."""
    e = np.exp(z - z.real.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


@operation(
    "activation",
    "a",
    "a = softmax(z) = e^z / Σ_j e^(z_j)",
    r"a = \operatorname{softmax}(z) = \frac{e^{z}}{\sum_j e^{z_j}}",
    {"z": "n"},
    "n",
)
def softmax(z: np.ndarray) -> SimpleNamespace:
    """Softmax of a vector, or of each column of a batch (n, d); stable for large |z|.

    Its Jacobian is dense: ∂a_i/∂z_j = a_i(δ_ij − a_j), i.e. a_i(1 − a_i) when i = j and −a_i a_j
    when i ≠ j; for a batch it is block-diagonal over samples, kept as a :class:`BlockDiagonal` of d
    blocks (its dense matrix, nd×nd, is built only for ``.matrix``).

    Shapes: z (n,) | (n, d) -> a of the same shape; ∂a/∂z is n×n (nd×nd).

    >>> softmax(np.zeros(2)).jacobian.matrix
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    z = column("softmax", "z", z)
    return SimpleNamespace(value=stable_softmax(z), given={"z": z}, z=z)


@softmax.rule("z", "diag(a) − a aᵀ", r"\operatorname{diag}(a) - a a^{\top}", "n×n", "dense")
def _(c: SimpleNamespace) -> Jacobian:
    s = c.value.reshape(c.z.shape[0], -1)  # (n, d)
    n, d = s.shape
    blocks = np.einsum("ik,ij->kij", s, np.eye(n, dtype=s.dtype)) - np.einsum(
        "ik,jk->kij", s, s
    )  # (d, n, n)
    return Dense(blocks[0]) if d == 1 else BlockDiagonal(blocks)  # a batch: d blocks, not (nd)²
