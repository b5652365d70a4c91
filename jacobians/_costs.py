"""Costs: scalar functions C(a, y) whose Jacobians are 1×n rows; the binary cross-entropies are in
:mod:`jacobians._costs_binary`.

Each cost is summed over every entry (every sample of a batch); a mean over d samples is the cost
times 1/d. The cross-entropies weigh log a by y, and a term whose weight is 0 is exactly 0 however
small a is, so a softmax that underflows to 0 where y = 0 is harmless. Where y ≠ 0 and a = 0 the
cost is infinite: that is refused with an error that points to the fused, stable form on logits.
So is every value or gradient that leaves floating-point range at finite arguments (y ⊘ a at a
subnormal a; ½‖a − y‖² of a − y near 1e155), and each value and row is cast to the arguments'
dtype (float32 in, float32 out, under numpy 1's promotion rules as under numpy 2's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from typing import Any

import numpy as np

from reshape import as_array

from ._checks import column, domain, finite_result, like, quiet, scalar_as
from ._elementwise import column_draw
from ._expr_helpers import call, from_gradient, pair_shape, per_column
from ._jacobian import Jacobian
from ._registry import Context, operation
from ._structures import Dense

__all__ = [
    "PairContext",
    "SoftmaxCrossEntropyContext",
    "cross_entropy",
    "softmax_cross_entropy",
    "squared_error",
]


def dtype_of(*arrays: np.ndarray) -> np.dtype:
    """The dtype the arguments promote to, from their dtypes alone: numpy 1 would make a float32
    scalar times a Python float a float64, so costs cast their results to this explicitly."""
    first = arrays[0].dtype
    if all(x.dtype is first for x in arrays):  # the common case, without promote_types
        return first
    return reduce(np.promote_types, (x.dtype for x in arrays))


def as_row(g: Any, dtype: np.dtype) -> Jacobian:
    """A cost's gradient g as its Jacobian, the 1×n row vec(g)ᵀ, in the arguments' dtype."""
    return Dense(np.asarray(g, dtype=dtype).reshape(1, -1))


@quiet
def _quietly(f: Callable[..., Any], *args: Any) -> Any:
    return f(*args)


def gradient_row(
    op: str, arg: str, what: str, f: Callable[..., Any] | None, c: PairContext
) -> Jacobian:
    """The row of ``f(c.a, c.y)`` (``what``: "gradient −y ⊘ a"), computed quietly and refused,
    naming ``arg``, where it leaves floating-point range (y ⊘ a at a subnormal a). ``f`` is the
    operation's own ``gradient`` where the row is ∂C/∂(its first input): one definition, which
    net's gradients read too."""
    assert f is not None, op
    g = finite_result(op, arg, what, _quietly(f, c.a, c.y), c.given)
    return as_row(g, dtype_of(c.a, c.y))


def xlogy(y: np.ndarray, a: np.ndarray) -> np.ndarray:
    """y · log a, exactly 0 where y = 0 (whatever a is there).

    >>> xlogy(np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    array([0., 0.])
    """
    nz = y != 0
    return np.where(nz, y * np.log(np.where(nz, a, 1)), 0)


def div_where(y: np.ndarray, a: np.ndarray) -> np.ndarray:
    """y / a, exactly 0 where y = 0."""
    nz = y != 0
    return np.where(nz, y / np.where(nz, a, 1), 0)


def _prob(rng: np.random.Generator, n: int, d: int, batch: bool) -> np.ndarray:
    """Probability vectors (columns summing to 1) bounded away from 0."""
    p = rng.random((n, d)) + 0.05
    p /= p.sum(axis=0)
    return p if batch else p[:, 0]


def uniform(rng: np.random.Generator, n: int, d: int, batch: bool) -> np.ndarray:
    """Test inputs uniform in [0, 1): a batch (n, d) or a vector (n,)."""
    return rng.random((n, d) if batch else n)


@dataclass(slots=True)
class PairContext(Context):
    """A cost's context: the prediction (a or z) and the target y, of one shape."""

    a: np.ndarray
    y: np.ndarray


def pair(op: str, what: str, fn: Callable[..., Any], first: str, a: Any, y: Any) -> PairContext:
    """The context of a cost C(first, y) = fn(a, y) (``what``: "cost ½‖a − y‖²"), computed
    quietly, refused where it overflows, and cast to the arguments' dtype."""
    given = {first: a, "y": y}
    value = finite_result(op, first, what, _quietly(fn, a, y), given)
    return PairContext(dtype_of(a, y).type(value), given, a, y)


# ----- C = ½‖a − y‖² -----
def _squared_error(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = a - y
    return 0.5 * (r * r).sum()


@operation(
    "cost",
    "C",
    "C = ½‖$a − $y‖²",
    r"C = \tfrac{1}{2}\lVert $a - $y \rVert^2",
    {"a": "n", "y": "n"},
    "1",
    lambda r, n, m, d, bt: {"a": column_draw(r, n, d, bt), "y": column_draw(r, n, d, bt)},
    fn=_squared_error,
    gradient=lambda a, y: a - y,
    shape_of=pair_shape,
    syntax=("call", "squared_error"),
)
def squared_error(a: np.ndarray, y: np.ndarray) -> PairContext:
    """Half the squared error, summed over every entry.

    Shapes: a (n,) | (n, d), y like a -> C scalar; ∂C/∂a = (a − y)ᵀ and ∂C/∂y = −(a − y)ᵀ are 1×n.

    >>> squared_error(np.array([1.0, 2.0]), np.array([0.0, 0.0])).jacobian.matrix
    array([[1., 2.]])
    """
    a = as_array(a, "squared_error", "a")
    y = like("squared_error", "y", y, a, "a")
    return pair("squared_error", "cost ½‖a − y‖²", _squared_error, "a", a, y)


@squared_error.rule("a", "($a − $y)ᵀ", "1×n", **from_gradient(lambda a, y: a - y))
def squared_error_da(c: PairContext) -> Jacobian:
    return gradient_row("squared_error", "a", "gradient a − y", squared_error.gradient, c)


@squared_error.rule("y", "−($a − $y)ᵀ", "1×n", **from_gradient(lambda a, y: y - a))
def squared_error_dy(c: PairContext) -> Jacobian:
    return gradient_row("squared_error", "y", "gradient y − a", lambda a, y: y - a, c)


# ----- C = −Σ y log a -----
@operation(
    "cost",
    "C",
    "C = −Σ_i ${y}_i log ${a}_i",
    r"C = -\sum_i ${y}_i \log ${a}_i",
    {"a": "n", "y": "n"},
    "1",
    lambda r, n, m, d, bt: {"a": _prob(r, n, d, bt), "y": _prob(r, n, d, bt)},
    fn=lambda a, y: -xlogy(y, a).sum(),
    gradient=lambda a, y: -div_where(y, a),
    shape_of=pair_shape,
    syntax=("call", "cross_entropy"),
)
def cross_entropy(a: np.ndarray, y: np.ndarray) -> PairContext:
    """Cross-entropy of predicted probabilities a against targets y, summed over every entry.

    a must be > 0 wherever y ≠ 0 (else the cost is infinite); for logits use
    :func:`softmax_cross_entropy`, which never overflows. ∂C/∂a = −(y ⊘ a)ᵀ is refused where it
    overflows (a subnormal a), and ∂C/∂y = −(log a)ᵀ where some a ≤ 0 (it is infinite there).

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
    return pair("cross_entropy", "cost −Σ y log a", cross_entropy.fn, "a", a, y)


@cross_entropy.rule("a", "−($y ⊘ $a)ᵀ", "1×n", **from_gradient(lambda a, y: -(y / a)))
def cross_entropy_da(c: PairContext) -> Jacobian:
    return gradient_row("cross_entropy", "a", "gradient −y ⊘ a", cross_entropy.gradient, c)


@cross_entropy.rule("y", "−(log $a)ᵀ", "1×n", **from_gradient(lambda a, y: -call("log", a)))
def cross_entropy_dy(c: PairContext) -> Jacobian:
    positive("cross_entropy", c.a, "∂C/∂y = −(log a)ᵀ")
    return gradient_row("cross_entropy", "a", "gradient −log a", lambda a, y: -np.log(a), c)


def positive(op: str, a: np.ndarray, what: str, below_one: bool = False) -> None:
    """Refuse an a ≤ 0 (or ≥ 1) where ``what``, a derivative with respect to the targets, takes
    log a (or log(1 − a)): it is infinite there, though the cost may be finite (y = 0)."""
    re = np.real(a)
    bad = ~((re > 0) & (re < 1)) if below_one else ~(re > 0)
    bounds = "0 < a < 1" if below_one else "a > 0"
    hint = "the derivative with respect to a exists there; only the one for y does not"
    domain(op, "a", a, bad, f"{bounds} everywhere for {what}, infinite elsewhere", hint)


# ----- C = −Σ y log softmax(z), fused -----
@dataclass(slots=True)
class SoftmaxCrossEntropyContext(Context):
    """The fused cost's context, per column: e = exp(z − max), its total, the targets' mass."""

    Z: np.ndarray
    Y: np.ndarray
    e: np.ndarray
    total: np.ndarray
    mass: np.ndarray
    lse: np.ndarray


@quiet  # z − max may overflow to −inf, whose exp is the right 0
def _log_sum_exp(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(e, total, lse) per column: e = exp(z − max Re z), total = 1ᵀe, lse = log Σ exp z."""
    shift = (Z.real if Z.dtype.kind == "c" else Z).max(axis=0, keepdims=True)
    e = np.exp(Z - shift)
    total = e.sum(axis=0, keepdims=True)
    return e, total, shift + np.log(total)


def _softmax_ce_parts(z: np.ndarray, y: np.ndarray) -> SoftmaxCrossEntropyContext:
    Z, Y = z.reshape(z.shape[0], -1), y.reshape(z.shape[0], -1)
    e, total, lse = _log_sum_exp(Z)
    mass = Y.sum(axis=0, keepdims=True)  # 1 for each column of probabilities
    value = (mass * lse).sum() - (Y * Z).sum()
    return SoftmaxCrossEntropyContext(value, {"z": z, "y": y}, Z, Y, e, total, mass, lse)


def _softmax_ce_row(
    e: np.ndarray, total: np.ndarray, mass: np.ndarray, Y: np.ndarray
) -> np.ndarray:
    """∂C/∂z per column: s·1ᵀy − y, s = e / 1ᵀe, mass = 1ᵀy (s − y when y sums to 1)."""
    return e * (mass / total) - Y


def _softmax_ce_gradient(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∇_z C shaped like z, without the cost's value."""
    Z, Y = z.reshape(z.shape[0], -1), y.reshape(z.shape[0], -1)
    e, total, _ = _log_sum_exp(Z)
    return _softmax_ce_row(e, total, Y.sum(axis=0, keepdims=True), Y).reshape(z.shape)


@operation(
    "cost",
    "C",
    "C = −Σ_i ${y}_i log softmax($z)_i",
    r"C = -\sum_i ${y}_i \log \operatorname{softmax}($z)_i",
    {"z": "n", "y": "n"},
    "1",
    lambda r, n, m, d, bt: {"z": 2 * column_draw(r, n, d, bt), "y": _prob(r, n, d, bt)},
    fn=lambda z, y: _softmax_ce_parts(z, y).value,
    gradient=_softmax_ce_gradient,
    shape_of=pair_shape,
    syntax=("call", "softmax_cross_entropy"),
)
def softmax_cross_entropy(z: np.ndarray, y: np.ndarray) -> SoftmaxCrossEntropyContext:
    """Cross-entropy of softmax(z) against y, fused and stable (log-sum-exp) for any z.

    For each column z of a batch, C = (1ᵀy)·logsumexp(z) − yᵀz, so ∂C/∂z = (s·1ᵀy − y)ᵀ with
    s = softmax(z): the familiar (s − y)ᵀ when y is a probability vector.

    Shapes: z (n,) | (n, d), y like z -> C scalar; ∂C/∂z and ∂C/∂y are 1×n.

    >>> softmax_cross_entropy(np.zeros(2), np.array([1.0, 0.0])).jacobian.matrix
    array([[-0.5,  0.5]])
    """
    op = "softmax_cross_entropy"
    z = column(op, "z", scalar_as(z, (1,)))  # one logit, as the expression graph passes a scalar
    y = like(op, "y", y, z, "z")
    c = _quietly(_softmax_ce_parts, z, y)
    value = finite_result(op, "z", "cost −Σ y log softmax(z)", c.value, c.given)
    c.value = dtype_of(z, y).type(value)
    return c


@softmax_cross_entropy.rule(
    "z",
    "($s − $y)ᵀ, s = softmax($z)",
    "1×n",
    latex=r"($s - $y)^{\top}",
    **from_gradient(lambda z, y: call("softmax", z) * per_column(z, "sum", y) - y),
)
def softmax_cross_entropy_dz(c: SoftmaxCrossEntropyContext) -> Jacobian:
    g = _quietly(_softmax_ce_row, c.e, c.total, c.mass, c.Y)  # the masses of y may overflow
    g = finite_result("softmax_cross_entropy", "y", "gradient s·1ᵀy − y", g, c.given)
    return as_row(g, dtype_of(c.Z, c.Y))


@softmax_cross_entropy.rule(
    "y",
    "−(log softmax($z))ᵀ",
    "1×n",
    **from_gradient(lambda z, y: per_column(z, "logsumexp", z) - z),
)
def softmax_cross_entropy_dy(c: SoftmaxCrossEntropyContext) -> Jacobian:
    g = _quietly(np.subtract, c.lse, c.Z)  # a spread of z past the largest float overflows
    g = finite_result("softmax_cross_entropy", "z", "gradient logsumexp(z) − z", g, c.given)
    return as_row(g, dtype_of(c.Z, c.Y))
