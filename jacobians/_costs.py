"""Costs: scalar functions C(a, y) whose Jacobians are 1×n rows.

Each cost is summed over every entry (every sample of a batch); a mean over d samples is the cost
times 1/d. The cross-entropies weigh log a by y, and a term whose weight is 0 is exactly 0 however
small a is, so a softmax that underflows to 0 where y = 0 is harmless. Where y ≠ 0 and a = 0 the
cost is infinite: that is refused with an error that points to the fused, stable form on logits.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from reshape import as_array

from ._activations import _sigmoid, _softplus
from ._checks import column, domain, like
from ._jacobian import Dense, Jacobian
from ._registry import operation


def _row(g: np.ndarray) -> Jacobian:
    return Dense(g.reshape(1, -1))


def _xlogy(y: np.ndarray, a: np.ndarray) -> np.ndarray:
    """y · log a, exactly 0 where y = 0 (whatever a is there)."""
    nz = y != 0
    return np.where(nz, y * np.log(np.where(nz, a, 1)), 0)


def _div_where(y: np.ndarray, a: np.ndarray) -> np.ndarray:
    """y / a, exactly 0 where y = 0."""
    nz = y != 0
    return np.where(nz, y / np.where(nz, a, 1), 0)


def _neg_log(a: np.ndarray) -> np.ndarray:
    """−log a; +inf where a = 0 (the true, unbounded derivative), with no warning."""
    with np.errstate(divide="ignore"):
        return -np.log(a)


# ----- C = ½‖a − y‖² -----


@operation(
    "cost",
    "C",
    "C = ½‖a − y‖²",
    r"C = \tfrac{1}{2}\lVert a - y \rVert^2",
    {"a": "n", "y": "n"},
    "1",
)
def squared_error(a: np.ndarray, y: np.ndarray) -> SimpleNamespace:
    """Half the squared error, summed over every entry.

    Shapes: a (n,) | (n, d), y like a -> C scalar; ∂C/∂a = (a − y)ᵀ and ∂C/∂y = −(a − y)ᵀ are 1×n.

    >>> squared_error(np.array([1.0, 2.0]), np.array([0.0, 0.0])).jacobian.matrix
    array([[1., 2.]])
    """
    a = as_array(a, "squared_error", "a")
    y = like("squared_error", "y", y, a, "a")
    r = a - y
    return SimpleNamespace(value=0.5 * (r * r).sum(), given={"a": a, "y": y}, r=r)


@squared_error.rule("a", "(a − y)ᵀ", r"(a - y)^{\top}", "1×n", "row")
def _(c: SimpleNamespace) -> Jacobian:
    return _row(c.r)


@squared_error.rule("y", "−(a − y)ᵀ", r"-(a - y)^{\top}", "1×n", "row")
def _(c: SimpleNamespace) -> Jacobian:
    return _row(-c.r)


# ----- C = −Σ y log a -----


@operation(
    "cost", "C", "C = −Σ_i y_i log a_i", r"C = -\sum_i y_i \log a_i", {"a": "n", "y": "n"}, "1"
)
def cross_entropy(a: np.ndarray, y: np.ndarray) -> SimpleNamespace:
    """Cross-entropy of predicted probabilities a against targets y, summed over every entry.

    a must be > 0 wherever y ≠ 0 (else the cost is infinite); for logits use
    :func:`softmax_cross_entropy`, which never overflows. ∂C/∂y = −(log a)ᵀ is +inf where a = 0.

    Shapes: a (n,) | (n, d), y like a -> C scalar; ∂C/∂a = −(y ⊘ a)ᵀ is 1×n.

    >>> cross_entropy(np.array([0.5, 0.5]), np.array([1.0, 0.0])).jacobian.matrix
    array([[-2.,  0.]])
    """
    a = as_array(a, "cross_entropy", "a")
    y = like("cross_entropy", "y", y, a, "a")
    domain(
        "cross_entropy",
        "a",
        a,
        (y != 0) & ~(np.real(a) > 0),
        "entries a > 0 wherever the target y ≠ 0 (log a would be −∞)",
        "pass the logits to softmax_cross_entropy(z, y), which is stable for any z",
    )
    return SimpleNamespace(value=-_xlogy(y, a).sum(), given={"a": a, "y": y}, a=a, y=y)


@cross_entropy.rule("a", "−(y ⊘ a)ᵀ", r"-(y \oslash a)^{\top}", "1×n", "row")
def _(c: SimpleNamespace) -> Jacobian:
    return _row(-_div_where(c.y, c.a))


@cross_entropy.rule("y", "−(log a)ᵀ", r"-(\log a)^{\top}", "1×n", "row")
def _(c: SimpleNamespace) -> Jacobian:
    return _row(_neg_log(c.a))


# ----- C = −Σ y log softmax(z), fused -----


@operation(
    "cost",
    "C",
    "C = −Σ_i y_i log softmax(z)_i",
    r"C = -\sum_i y_i \log \operatorname{softmax}(z)_i",
    {"z": "n", "y": "n"},
    "1",
)
def softmax_cross_entropy(z: np.ndarray, y: np.ndarray) -> SimpleNamespace:
    """Cross-entropy of softmax(z) against y, fused and stable (log-sum-exp) for any z.

    For each column z of a batch, C = (1ᵀy)·logsumexp(z) − yᵀz, so ∂C/∂z = (s·1ᵀy − y)ᵀ with
    s = softmax(z): the familiar (s − y)ᵀ when y is a probability vector.

    Shapes: z (n,) | (n, d), y like z -> C scalar; ∂C/∂z and ∂C/∂y are 1×n.

    >>> softmax_cross_entropy(np.zeros(2), np.array([1.0, 0.0])).jacobian.matrix
    array([[-0.5,  0.5]])
    """
    z = column("softmax_cross_entropy", "z", z)
    y = like("softmax_cross_entropy", "y", y, z, "z")
    Z, Y = z.reshape(z.shape[0], -1), y.reshape(z.shape[0], -1)
    shift = (Z.real if Z.dtype.kind == "c" else Z).max(axis=0, keepdims=True)
    e = np.exp(Z - shift)
    total = e.sum(axis=0, keepdims=True)
    lse = shift + np.log(total)  # (1, d)
    mass = Y.sum(axis=0, keepdims=True)  # 1 for each column of probabilities
    value = (mass * lse).sum() - (Y * Z).sum()
    return SimpleNamespace(
        value=value, given={"z": z, "y": y}, e=e, total=total, mass=mass, Y=Y, Z=Z, lse=lse
    )


@softmax_cross_entropy.rule("z", "(s − y)ᵀ, s = softmax(z)", r"(s - y)^{\top}", "1×n", "row")
def _(c: SimpleNamespace) -> Jacobian:
    return _row(c.e * (c.mass / c.total) - c.Y)  # s · 1ᵀy − y, s = e / 1ᵀe


@softmax_cross_entropy.rule(
    "y", "−(log softmax(z))ᵀ", r"-(\log \operatorname{softmax}(z))^{\top}", "1×n", "row"
)
def _(c: SimpleNamespace) -> Jacobian:
    return _row(c.lse - c.Z)


# ----- C = −Σ [y log a + (1 − y) log(1 − a)] -----


@operation(
    "cost",
    "C",
    "C = −Σ_i [y_i log a_i + (1 − y_i) log(1 − a_i)]",
    r"C = -\sum_i \left[y_i \log a_i + (1 - y_i) \log(1 - a_i)\right]",
    {"a": "n", "y": "n"},
    "1",
)
def binary_cross_entropy(a: np.ndarray, y: np.ndarray) -> SimpleNamespace:
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
    value = -(_xlogy(y, a) + _xlogy(1 - y, 1 - a)).sum()
    return SimpleNamespace(value=value, given={"a": a, "y": y}, a=a, y=y)


@binary_cross_entropy.rule(
    "a",
    "−(y ⊘ a − (1 − y) ⊘ (1 − a))ᵀ",
    r"-\left(y \oslash a - (1 - y) \oslash (1 - a)\right)^{\top}",
    "1×n",
    "row",
)
def _(c: SimpleNamespace) -> Jacobian:
    return _row(_div_where(1 - c.y, 1 - c.a) - _div_where(c.y, c.a))


@binary_cross_entropy.rule(
    "y", "(log(1 − a) − log a)ᵀ", r"\left(\log(1 - a) - \log a\right)^{\top}", "1×n", "row"
)
def _(c: SimpleNamespace) -> Jacobian:
    return _row(_neg_log(c.a) - _neg_log(1 - c.a))


# ----- C = −Σ [y log σ(z) + (1 − y) log(1 − σ(z))], fused -----


@operation(
    "cost",
    "C",
    "C = Σ_i [softplus(z_i) − y_i z_i]",
    r"C = \sum_i \left[\log(1 + e^{z_i}) - y_i z_i\right]",
    {"z": "n", "y": "n"},
    "1",
)
def sigmoid_binary_cross_entropy(z: np.ndarray, y: np.ndarray) -> SimpleNamespace:
    """Binary cross-entropy of σ(z) against y, fused and stable for any z.

    Shapes: z (n,) | (n, d), y like z -> C scalar; ∂C/∂z = (σ(z) − y)ᵀ and ∂C/∂y = −zᵀ are 1×n.

    >>> sigmoid_binary_cross_entropy(np.zeros(1), np.ones(1)).jacobian.matrix
    array([[-0.5]])
    """
    z = as_array(z, "sigmoid_binary_cross_entropy", "z")
    y = like("sigmoid_binary_cross_entropy", "y", y, z, "z")
    return SimpleNamespace(value=(_softplus(z) - y * z).sum(), given={"z": z, "y": y}, z=z, y=y)


@sigmoid_binary_cross_entropy.rule("z", "(σ(z) − y)ᵀ", r"(\sigma(z) - y)^{\top}", "1×n", "row")
def _(c: SimpleNamespace) -> Jacobian:
    return _row(_sigmoid(c.z) - c.y)


@sigmoid_binary_cross_entropy.rule("y", "−zᵀ", r"-z^{\top}", "1×n", "row")
def _(c: SimpleNamespace) -> Jacobian:
    return _row(-c.z)
