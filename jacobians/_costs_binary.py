"""The binary cross-entropies: of probabilities a, and fused with the sigmoid on logits z.

Each is summed over every entry (every sample of a batch), as the costs of
:mod:`jacobians._costs`, whose pieces they share: the 0·log 0 = 0 terms, so that a target of 0 or 1
makes the other term exactly 0, and the refusal of an infinite cost with a pointer to the fused,
stable form on logits.

>>> float(binary_cross_entropy(np.array([0.5]), np.array([1.0])).value)
0.6931471805599453
"""

from __future__ import annotations

import numpy as np

from reshape import as_array

from ._checks import domain, like
from ._costs import (
    PairContext,
    as_row,
    div_where,
    dtype_of,
    gradient_row,
    pair,
    positive,
    uniform,
    xlogy,
)
from ._elementwise import column_draw
from ._expr_helpers import call, from_gradient, pair_shape
from ._jacobian import Jacobian
from ._registry import operation
from ._stable import sigmoid_of, softplus_of

__all__ = ["binary_cross_entropy", "sigmoid_binary_cross_entropy"]


# ----- C = −Σ [y log a + (1 − y) log(1 − a)] -----
@operation(
    "cost",
    "C",
    "C = −Σ_i [y_i log a_i + (1 − y_i) log(1 − a_i)]",
    r"C = -\sum_i \left[y_i \log a_i + (1 - y_i) \log(1 - a_i)\right]",
    {"a": "n", "y": "n"},
    "1",
    lambda r, n, m, d, bt: {
        "a": 0.05 + 0.9 * uniform(r, n, d, bt),
        "y": uniform(r, n, d, bt),
    },
    fn=lambda a, y: -(xlogy(y, a) + xlogy(1 - y, 1 - a)).sum(),
    gradient=lambda a, y: div_where(1 - y, 1 - a) - div_where(y, a),
    shape_of=pair_shape,
    syntax=("call", "binary_cross_entropy"),
)
def binary_cross_entropy(a: np.ndarray, y: np.ndarray) -> PairContext:
    """Binary cross-entropy of probabilities a against targets y, summed over every entry.

    a must be > 0 where y ≠ 0 and < 1 where y ≠ 1; for logits use
    :func:`sigmoid_binary_cross_entropy`, which never overflows.

    Shapes: a (n,) | (n, d), y like a -> C scalar; ∂C/∂a = −(y ⊘ a − (1 − y) ⊘ (1 − a))ᵀ is 1×n.

    >>> binary_cross_entropy(np.array([0.5]), np.array([1.0])).jacobian.matrix
    array([[-2.]])
    """
    op = "binary_cross_entropy"
    a = as_array(a, op, "a")
    y = like(op, "y", y, a, "a")
    hint = "pass the logits to sigmoid_binary_cross_entropy(z, y), which is stable for any z"
    domain(op, "a", a, (y != 0) & ~(np.real(a) > 0), "a > 0 wherever y ≠ 0 (log a = −∞)", hint)
    domain(op, "a", a, (y != 1) & ~(np.real(a) < 1), "a < 1 wherever y ≠ 1 (log(1 − a) = −∞)", hint)
    what = "cost −Σ [y log a + (1 − y) log(1 − a)]"
    return pair(op, what, binary_cross_entropy.fn, "a", a, y)


@binary_cross_entropy.rule(
    "a",
    "−($y ⊘ $a − (1 − $y) ⊘ (1 − $a))ᵀ",
    "1×n",
    latex=r"-\left($y \oslash $a - (1 - $y) \oslash (1 - $a)\right)^{\top}",
    **from_gradient(lambda a, y: (1 - y) / (1 - a) - y / a),
)
def binary_cross_entropy_da(c: PairContext) -> Jacobian:
    what = "gradient (1 − y) ⊘ (1 − a) − y ⊘ a"
    return gradient_row("binary_cross_entropy", "a", what, binary_cross_entropy.gradient, c)


@binary_cross_entropy.rule(
    "y",
    "(log(1 − $a) − log $a)ᵀ",
    "1×n",
    latex=r"\left(\log(1 - $a) - \log $a\right)^{\top}",
    **from_gradient(lambda a, y: call("log", 1 - a) - call("log", a)),
)
def binary_cross_entropy_dy(c: PairContext) -> Jacobian:
    op = "binary_cross_entropy"
    positive(op, c.a, "∂C/∂y = (log(1 − a) − log a)ᵀ", below_one=True)
    f = lambda a, y: np.log(1 - a) - np.log(a)
    return gradient_row(op, "a", "gradient log(1 − a) − log a", f, c)


# ----- C = −Σ [y log σ(z) + (1 − y) log(1 − σ(z))], fused -----
@operation(
    "cost",
    "C",
    "C = Σ_i [softplus(z_i) − y_i z_i]",
    r"C = \sum_i \left[\log(1 + e^{z_i}) - y_i z_i\right]",
    {"z": "n", "y": "n"},
    "1",
    lambda r, n, m, d, bt: {"z": 3 * column_draw(r, n, d, bt), "y": uniform(r, n, d, bt)},
    fn=lambda z, y: (softplus_of(z) - y * z).sum(),
    gradient=lambda z, y: sigmoid_of(z) - y,
    shape_of=pair_shape,
    syntax=("call", "sigmoid_binary_cross_entropy"),
)
def sigmoid_binary_cross_entropy(z: np.ndarray, y: np.ndarray) -> PairContext:
    """Binary cross-entropy of σ(z) against y, fused and stable for any z.

    Shapes: z (n,) | (n, d), y like z -> C scalar; ∂C/∂z = (σ(z) − y)ᵀ and ∂C/∂y = −zᵀ are 1×n.

    >>> sigmoid_binary_cross_entropy(np.zeros(1), np.ones(1)).jacobian.matrix
    array([[-0.5]])
    """
    op = "sigmoid_binary_cross_entropy"
    z = as_array(z, op, "z")
    z = z.reshape(1) if z.ndim == 0 else z  # _stable's helpers write into arrays, not scalars
    y = like(op, "y", y, z, "z")
    return pair(op, "cost Σ [softplus(z) − y z]", sigmoid_binary_cross_entropy.fn, "z", z, y)


@sigmoid_binary_cross_entropy.rule(
    "z", "(σ($z) − $y)ᵀ", "1×n", **from_gradient(lambda z, y: call("sigmoid", z) - y)
)
def sigmoid_binary_cross_entropy_dz(c: PairContext) -> Jacobian:
    f = sigmoid_binary_cross_entropy.gradient
    return gradient_row("sigmoid_binary_cross_entropy", "y", "gradient σ(z) − y", f, c)


@sigmoid_binary_cross_entropy.rule("y", "−$zᵀ", "1×n", **from_gradient(lambda z, y: -z))
def sigmoid_binary_cross_entropy_dy(c: PairContext) -> Jacobian:
    return as_row(-c.a, dtype_of(c.a, c.y))
