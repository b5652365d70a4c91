"""Affine and bilinear maps: linear (z = Wx + b), matmul (P = AB) and hadamard (w = u ⊙ v).

With the row-major vec of this project, vec(AXB) = (A ⊗ Bᵀ) vec(X), so ∂(Wx)/∂W = I_n ⊗ xᵀ and,
for a batch X whose columns are samples, ∂(WX)/∂W = I_n ⊗ Xᵀ and ∂(WX)/∂X = W ⊗ I_d.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from reshape import ShapeError, as_array

from ._checks import (
    column,
    finite_product,
    finite_result,
    like,
    matrix,
    quiet,
    scalar_as,
    value_fits,
)
from ._elementwise import column_draw
from ._expr_helpers import call, dims, eye, is_one, mm, ones, rule_forms, transposed
from ._jacobian import Jacobian
from ._kronecker import Kronecker
from ._registry import Context, operation
from ._structures import Dense, Diagonal, Identity


# ----- z = Wx + b -----
def _linear_shape(same: Any, W: Any, x: Any, b: Any) -> tuple[Any, ...]:
    """z = Wx + b: W (n, m), x (m, d), b (n, 1) -> (n, d)."""
    (n, m), (m2, d), (n2, one) = dims(W), dims(x), dims(b)
    same(m, m2)
    same(n, n2)
    same(one, 1)
    return (n, d)


def _linear_d(e: Any) -> Any:
    return dims(e.args[1].shape)[1]  # d, the samples (columns of x)


@dataclass(slots=True)
class LinearContext(Context):
    """linear's context: W (n, m), the samples X (m, d) and the sizes n, d."""

    W: np.ndarray
    X: np.ndarray
    n: int
    d: int


def _linear_context(
    W: np.ndarray, X: np.ndarray, b: np.ndarray, WX: np.ndarray | None = None
) -> LinearContext:
    """linear's context from checked W (n, m), X (m, d) and b (n,) or (n, 1); WX if computed."""
    n = W.shape[0]
    Z = (W @ X if WX is None else WX) + b.reshape(n, 1)  # not in place: b may be complex
    return LinearContext(Z, {"W": W, "x": X, "b": b}, W, X, n, X.shape[1])


@operation(
    "affine",
    "z",
    "z = Wx + b",
    r"z = W x + b",
    {"W": "n×m", "x": "m", "b": "n"},
    "n",
    lambda r, n, m, d, bt: {
        "W": r.normal(size=(n, m)),
        "x": column_draw(r, m, d, bt),
        "b": r.normal(size=n),
    },
    unchecked=_linear_context,
    shape_of=_linear_shape,
    syntax=("call", "linear"),
)
def linear(W: np.ndarray, x: np.ndarray, b: np.ndarray) -> LinearContext:
    """z = Wx + b, with its Jacobians with respect to W, x and b.

    x may be a vector (m,), a column (m, 1) or a batch whose d columns are samples (m, d); z has the
    matching shape (n,), (n, 1) or (n, d), and b is added to every column.

    Shapes: W (n, m), x (m,) | (m, d), b (n,) | (n, 1) -> z (n,) | (n, d);
    ∂z/∂W is n×nm (nd×nm for a batch), ∂z/∂x is n×m, ∂z/∂b is n×n.

    >>> r = linear(np.ones((3, 4)), np.arange(4.0), np.zeros(3))
    >>> r.value.shape, r.jacobians["W"].shape, r.jacobians["W"].tensor.shape
    ((3,), (3, 12), (3, 3, 4))
    """
    W, x, b = scalar_as(W, (1, 1)), scalar_as(x, (1,)), scalar_as(b, (1,))  # a 1×1 layer
    W = matrix("linear", "W", W, finite=False)
    n, m = W.shape
    x = column("linear", "x", x, m, f" with m = {m}, the number of columns of W", finite=False)
    b = column("linear", "b", b, n, f" with n = {n}, the number of rows of W")
    if b.ndim == 2 and b.shape[1] != 1:
        raise ShapeError("linear", "b", f"shape ({n},) or ({n}, 1)", f"shape {b.shape}")
    WX = finite_product("linear", ("W", W), ("x", x))  # W is checked through Wx, only n×d
    c = _quiet_context(W, x.reshape(m, -1), b, WX.reshape(n, -1))
    c.given["x"] = x
    if x.ndim == 1:
        c.value = c.value.reshape(n)
    finite_result("linear", "b", "sum z = Wx + b", c.value, {"Wx": WX, "b": b})
    return c


_quiet_context = quiet(_linear_context)  # + b may overflow: tested by name after


@linear.rule(
    "W",
    "I_$n ⊗ $xᵀ",
    "n×nm",
    expression=lambda e: call("kron", eye(dims(e.shape)[0]), transposed(e.args[1])),
    adjoint=lambda G, e: mm(G, transposed(e.args[1])),
)
def linear_dW(c: LinearContext) -> Jacobian:
    """I_n ⊗ xᵀ; for a batch I_n ⊗ Xᵀ."""
    return Kronecker(c.n, c.X.T)


@linear.rule(
    "x",
    "$W",
    "n×m",
    expression=lambda e: (
        e.args[0] if is_one(_linear_d(e)) else call("kron", e.args[0], eye(_linear_d(e)))
    ),
    adjoint=lambda G, e: mm(transposed(e.args[0]), G),
)
def linear_dx(c: LinearContext) -> Jacobian:
    """W; for a batch W ⊗ I_d."""
    return Dense(c.W) if c.d == 1 else Kronecker(c.W, c.d)


@linear.rule(
    "b",
    "I_$n",
    "n×n",
    expression=lambda e: call("kron", eye(dims(e.shape)[0]), ones((_linear_d(e), 1))),
    adjoint=lambda G, e: mm(G, ones((_linear_d(e), 1))),
)
def linear_db(c: LinearContext) -> Jacobian:
    """I_n; for a batch I_n ⊗ 1_d (b is added to every sample)."""
    if c.d == 1:
        return Identity((c.n,), dtype=c.value.dtype)
    return Kronecker(c.n, _ones_column(c.d, c.value.dtype))


@functools.lru_cache(maxsize=16)
def _ones_column(d: int, dtype: np.dtype) -> np.ndarray:
    """1_d as a d×1 matrix, made once per batch size: a network's gradient asks per layer. Read
    only, since every Jacobian built at this d shares it."""
    ones = np.ones((d, 1), dtype=dtype)
    ones.flags.writeable = False
    return ones


# ----- P = AB -----
def _matmul_shape(same: Any, a: Any, b: Any) -> tuple[Any, ...]:
    """P = AB: A (n, m), B (m, p) -> (n, p); a scalar operand is the scalar product, not this."""
    if a == () or b == ():
        from .expressions._shapes import Mismatch

        raise Mismatch("a product with a scalar is `*` on the scalar (multiply), not matmul")
    same(a[1], b[0])
    return (a[0], b[1])


@dataclass(slots=True)
class MatmulContext(Context):
    """matmul's context: A (n, m), B as a matrix (m, p), and the sizes n, p."""

    A: np.ndarray
    B: np.ndarray
    n: int
    p: int


def _matmul_context(A: np.ndarray, B: np.ndarray, P: np.ndarray) -> MatmulContext:
    """The context of P = AB (P as a matrix, n×p; the value a vector where B is one)."""
    B2 = B.reshape(A.shape[1], -1)
    return MatmulContext(P.reshape(-1) if B.ndim == 1 else P, {"A": A, "B": B}, A, B2, *P.shape)


@operation(
    "bilinear",
    "P",
    "P = AB",
    r"P = A B",
    {"A": "n×m", "B": "m×p"},
    "n×p",
    lambda r, n, m, d, bt: {"A": r.normal(size=(n, m)), "B": column_draw(r, m, d, bt)},
    shape_of=_matmul_shape,
    syntax=("infix", "*"),
    unchecked=lambda A, B: _matmul_context(A, B, A @ B),  # A, B checked, B a matrix
)
def matmul(A: np.ndarray, B: np.ndarray) -> MatmulContext:
    """P = AB, with its Jacobians with respect to both factors (row-major vec).

    Shapes: A (n, m), B (m, p) or (m,) -> P (n, p) or (n,); ∂P/∂A = I_n ⊗ Bᵀ is np×nm and
    ∂P/∂B = A ⊗ I_p is np×mp.

    >>> matmul(np.ones((2, 3)), np.ones((3, 4))).jacobians["B"].shape
    (8, 12)
    """
    A = matrix("matmul", "A", A, finite=False)
    m = A.shape[1]
    B = column("matmul", "B", B, m, f" with m = {m}, the number of columns of A", finite=False)
    # an outer product, say: a value larger than its arguments is weighed before it is made
    value_fits("matmul", (A.shape[0], B.size // m), np.result_type(A, B), A.size + B.size)
    return _matmul_context(A, B, finite_product("matmul", ("A", A), ("B", B)))


@matmul.rule(
    "A",
    "I_$n ⊗ $Bᵀ",
    "np×nm",
    expression=lambda e: call("kron", eye(e.args[0].shape[0]), e.args[1].T),
    adjoint=lambda G, e: mm(G, e.args[1].T),
)
def matmul_dA(c: MatmulContext) -> Jacobian:
    """I_n ⊗ Bᵀ."""
    return Kronecker(c.n, c.B.T)


@matmul.rule(
    "B",
    "$A ⊗ I_$p",
    "np×mp",
    expression=lambda e: (
        e.args[0]
        if is_one(e.args[1].shape[1])
        else call("kron", e.args[0], eye(e.args[1].shape[1]))
    ),
    adjoint=lambda G, e: mm(e.args[0].T, G),
)
def matmul_dB(c: MatmulContext) -> Jacobian:
    """A ⊗ I_p; A itself when B is a vector (p = 1)."""
    return Dense(c.A) if c.p == 1 else Kronecker(c.A, c.p)


# ----- w = u ⊙ v -----


def _hadamard_shape(same: Any, su: tuple[Any, ...], sv: tuple[Any, ...]) -> tuple[Any, ...]:
    """w = u ⊙ v: u and v of one shape (a scalar factor is multiply's, which broadcasts it)."""
    if len(su) != len(sv):
        from .expressions._shapes import Mismatch

        raise Mismatch("hadamard takes two operands of one shape; a scalar factor is `.*`")
    for a, b in zip(su, sv, strict=True):
        same(a, b)
    return su


@dataclass(slots=True)
class HadamardContext(Context):
    """hadamard's context: u and v, of one shape."""

    u: np.ndarray
    v: np.ndarray


@operation(
    "bilinear",
    "w",
    "w = u ⊙ v",
    r"w = u \odot v",
    {"u": "n", "v": "n"},
    "n",
    lambda r, n, m, d, bt: {"u": column_draw(r, n, d, bt), "v": column_draw(r, n, d, bt)},
    shape_of=lambda same, su, sv: _hadamard_shape(same, su, sv),
    syntax=("call", "hadamard"),  # the language's .* is multiply, which broadcasts a scalar
)
def hadamard(u: np.ndarray, v: np.ndarray) -> HadamardContext:
    """w = u ⊙ v (entrywise product of two arrays of the same shape).

    Shapes: u (n,), v (n,) -> w (n,); ∂w/∂u = diag(v) and ∂w/∂v = diag(u), both n×n.

    >>> hadamard(np.array([1.0, 2.0]), np.array([3.0, 4.0])).jacobians["u"].matrix
    array([[3., 0.],
           [0., 4.]])
    """
    u = as_array(u, "hadamard", "u")
    v = like("hadamard", "v", v, u, "u")
    w = finite_result("hadamard", "u", "product u ⊙ v", _product(u, v), {"u": u, "v": v})
    return HadamardContext(w, {"u": u, "v": v}, u, v)


@quiet
def _product(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.multiply(u, v, dtype=np.promote_types(u.dtype, v.dtype))


@hadamard.rule("u", "diag($v)", "n×n", **rule_forms(0, lambda u, v: v))
def hadamard_du(c: HadamardContext) -> Jacobian:
    """diag(v), in the result's dtype."""
    return Diagonal(c.v * np.ones_like(c.u))


@hadamard.rule("v", "diag($u)", "n×n", **rule_forms(1, lambda u, v: u))
def hadamard_dv(c: HadamardContext) -> Jacobian:
    """diag(u), in the result's dtype."""
    return Diagonal(c.u * np.ones_like(c.v))
