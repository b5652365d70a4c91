"""Activations: a table of elementwise maps a = σ(z), each one row, and softmax.

Each row is an :class:`~jacobians._elementwise.Elementwise` entry (its value, derivative, closed
form, test inputs and stable range), made an operation with ∂a/∂z = diag(σ′(z)) by
:func:`~jacobians._elementwise.register_activation`; from there it is in
:data:`jacobians.ACTIVATIONS`, the catalogue, ``net.MLP``, the tables and every registry-wide test.
Softmax, whose Jacobian diag(a) − a aᵀ is not diagonal, is an operation of its own below.

Every formula is written to be stable for |z| up to 1e4 and more (no overflow warning, no NaN) and
to stay analytic, so complex-step differentiation can check it: the sign tests read the real part,
and exp is only ever taken of a number whose real part is ≤ 0.

>>> [name for name in ACTIVATION_OPS][:3]
['sigmoid', 'tanh', 'relu']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._checks import column, quiet, scalar_as
from ._elementwise import (
    Domain,
    Elementwise,
    away_from_zero,
    column_draw,
    register_activation,
)
from ._elementwise import ElementwiseContext as ElementwiseContext  # where they were before
from ._expr_helpers import call, eye, is_one, mm, number, ones, row
from ._jacobian import Jacobian
from ._lowrank import DiagonalPlusLowRank
from ._registry import Context, operation
from ._stable import sigmoid_of, softplus_of

__all__ = ["Domain", "Elementwise", "register_activation"]


# ----- the table: one entry per elementwise activation -----
TABLE = (
    Elementwise(
        "sigmoid",
        sigmoid_of,
        lambda z, a: a * (1 - a),
        "σ(z) = 1/(1 + e^(−z))",
        "σ($z) ⊙ (1 − σ($z))",
        "The logistic sigmoid, stable for large |z|.",
        draw=lambda z: 3 * z,
        formula_latex=r"\sigma(z) = \frac{1}{1 + e^{-z}}",
        derivative_expression=lambda x: call("sigmoid", x) * (1 - call("sigmoid", x)),
    ),
    Elementwise(
        "tanh",
        np.tanh,
        lambda z, a: 1 - a * a,
        "tanh(z)",
        "1 − tanh²($z)",
        "The hyperbolic tangent.",
        draw=lambda z: 2 * z,
        derivative_expression=lambda x: 1 - call("tanh", x) ** 2,
    ),
    Elementwise(
        "relu",
        lambda z: np.where(np.real(z) > 0, z, 0),
        lambda z, a: (np.real(z) > 0).astype(z.dtype),
        "max(z, 0)",
        "1[$z > 0]",
        "The rectifier. At z = 0 its derivative is the subgradient 0 (as in PyTorch and JAX).",
        draw=away_from_zero,
        analytic=False,
        derivative_expression=lambda x: call("sign", call("relu", x)),  # 0 at 0, as relu′(0)
    ),
    Elementwise(
        "leaky_relu",
        lambda z, alpha=0.01: np.where(np.real(z) > 0, z, alpha * z),
        lambda z, a, alpha=0.01: np.where(np.real(z) > 0, 1, alpha).astype(z.dtype),
        "max(z, αz)",
        "1[$z > 0] + α·1[$z ≤ 0]",
        "The leaky rectifier with slope ``alpha`` (default 0.01) for z ≤ 0; at 0 the slope is "
        "alpha.",
        draw=away_from_zero,
        analytic=False,
        options={"alpha": 0.01},
        derivative_expression=lambda x, alpha=0.01: (
            alpha + (1 - alpha) * call("sign", call("relu", x))
        ),
    ),
    Elementwise(
        "softplus",
        softplus_of,
        lambda z, a: sigmoid_of(z),
        "log(1 + e^z)",
        "σ($z)",
        "softplus(z) = log(1 + eᶻ), stable for large |z|; its derivative is the sigmoid.",
        draw=lambda z: 3 * z,
        formula_latex=r"\log(1 + e^{z})",
        derivative_expression=lambda x: call("sigmoid", x),
    ),
    Elementwise(
        "identity",
        lambda z: z,
        lambda z, a: np.ones_like(z),
        "z",
        "1",
        "The identity activation (a linear output layer).",
        identity=True,
        derivative_expression=lambda x: 1,
    ),
)
ACTIVATION_OPS = {entry.name: register_activation(entry) for entry in TABLE}
sigmoid, tanh, relu, leaky_relu, softplus, identity = ACTIVATION_OPS.values()


# ----- softmax: a = e^z / 1ᵀe^z, ∂a/∂z = diag(a) − a aᵀ -----
@quiet  # z − max may overflow to −inf, whose exp is the right 0
def stable_softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over axis 0 (the entries of each column), shifted by the real maximum."""
    e = np.exp(z - z.real.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


@dataclass(slots=True)
class SoftmaxContext(Context):
    """softmax's context: z (n,) or (n, d), and the axis (1: each column, 2: each row)."""

    z: np.ndarray
    axis: int = 1


def _softmax_shape(same: Any, s: tuple[Any, ...], axis: Any = 1) -> tuple[Any, ...]:
    from ._reductions import check_axis

    check_axis("softmax", axis, (1, 2))
    return s


def _softmax_expression(e: Any) -> Any:
    """diag(vec a) − (vec a)(vec a)ᵀ ⊙ M, M keeping the pairs in one column (row) of a."""
    z, axis = e.args[0], e.options.get("axis", 1)
    if not z.shape:
        return number(0)  # the softmax of one number is 1
    n, d = z.shape
    if is_one(d if axis == 1 else n):  # one column (row): diag(a) − a aᵀ
        a = e if axis == 1 else e.T
        return call("diag", a) - a @ a.T
    a = row(e).T
    pairs = call("kron", ones((n, n)), eye(d)) if axis == 1 else call("kron", eye(n), ones((d, d)))
    return call("diag", a) - (a @ a.T) * pairs


def _softmax_adjoint(G: Any, e: Any) -> Any:
    """a ⊙ (g − 1·(1ᵀ(a ⊙ g))) for each column (row) of a."""
    z, axis = e.args[0], e.options.get("axis", 1)
    if not z.shape:
        return number(0)
    n, d = z.shape
    if axis == 1:
        if is_one(d):
            return e * (G - e.T @ G)
        return e * (G - mm(ones((n, 1)), call("sum", e * G, axis=1)))
    if is_one(n):
        return e * (G - G @ e.T)
    return e * (G - mm(call("sum", e * G, axis=2), ones((d, 1)).T))


@operation(
    "activation",
    "a",
    "a = softmax(z) = e^z / Σ_j e^(z_j)",
    r"a = \operatorname{softmax}(z) = \frac{e^{z}}{\sum_j e^{z_j}}",
    {"z": "n"},
    "n",
    lambda r, n, m, d, bt: {"z": 2 * column_draw(r, n, d, bt)},
    options={"axis": 1},
    fn=stable_softmax,
    # g·(diag(a) − a aᵀ) per column, without the n×n matrix
    vjp=lambda z, a, g: a * (g - np.sum(a * g, axis=0, keepdims=True)),
    stable_for=1e4,
    unchecked=lambda z, axis=1: _softmax_context(z, axis),
    shape_of=_softmax_shape,
    syntax=("call", "softmax"),
)
def softmax(z: np.ndarray, axis: int = 1) -> SoftmaxContext:
    """Softmax of a vector, or of each column of a batch (n, d); stable for large |z|.

    ``axis=2`` takes the softmax of each row instead (axes numbered as in the expression
    language); a vector (n,) is a column, and a scalar's softmax is 1.

    Its Jacobian is ∂a_i/∂z_j = a_i(δ_ij − a_j), i.e. a_i(1 − a_i) when i = j and −a_i a_j when
    i ≠ j: diag(a) − a aᵀ, a diagonal plus a rank-one term, kept as a
    :class:`DiagonalPlusLowRank` per sample (each column of a batch, each row along ``axis=2``).
    A row times it costs O(nd); its n×n blocks, and the dense nd×nd matrix, are made only for
    ``.matrix``.

    Shapes: z (n,) | (n, d) -> a of the same shape; ∂a/∂z is n×n (nd×nd).

    >>> softmax(np.zeros(2)).jacobian.matrix
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    >>> softmax(np.zeros((1, 2)), axis=2).value
    array([[0.5, 0.5]])
    """
    from ._reductions import check_axis

    axis = check_axis("softmax", axis, (1, 2))  # type: ignore[assignment]
    z = column("softmax", "z", scalar_as(z, (1,)))  # one number: its softmax is 1
    return _softmax_context(z, axis)


def _softmax_context(z: np.ndarray, axis: int = 1) -> SoftmaxContext:
    """softmax's ``unchecked``: the context for z already checked, a column or a batch."""
    if axis == 1:
        return SoftmaxContext(stable_softmax(z), {"z": z}, z)
    a = stable_softmax(z.reshape(z.shape[0], -1).T).T.reshape(z.shape)
    return SoftmaxContext(a, {"z": z}, z, 2)


@softmax.rule(
    "z",
    "diag($a) − $a $aᵀ",
    "n×n",
    expression=_softmax_expression,
    adjoint=_softmax_adjoint,
)
def softmax_dz(c: SoftmaxContext) -> Jacobian:
    """diag(a) − a aᵀ for each column (each row, along axis=2): a diagonal plus a rank-one term
    per sample, d = a, U = −a, V = a. No n×n block is made: a row times it is a ⊙ (g − aᵀg)."""
    a = c.value.reshape(c.z.shape[0], -1)  # (n, d): a vector is one column
    u = a[:, :, None]  # k = 1 column, a view
    return DiagonalPlusLowRank(a, -u, u, c.axis, c.z.shape, c.z.shape)
