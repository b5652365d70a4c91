"""Small builders the operations' symbolic rules share: constants, sizes, products, vec and unvec.

A rule's ``expression(node)`` and ``adjoint(G, node)`` (see :class:`~jacobians.Rule`) are written
with these so that each reads as its formula. They run only once :mod:`jacobians.expressions` is
loaded (a rule is called on a node of its graph), so the graph's types are looked up then, through
the registry's hook, and this module imports nothing from the layer above at import time.

Every size is an int or an open size of the graph; :func:`times` multiplies them. Scalars are
shape (), so a helper that would build a 1×1 matrix gives a scalar, and :func:`mm` writes a
product with a scalar operand as ``*`` (the matrix product refuses scalars, as the language does).

>>> from jacobians.expressions import Variable
>>> print(unvec(Variable("g", (6, 1)), (2, 3)))
kron(eye(2), vector(1, 3)')*(g*vector(1, 3)'.*kron(vector(1, 2), eye(3)))
>>> print(mm(number(2), Variable("X", (2, 3))), times(2, 3))
2*X 6
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._registry import EXPRESSIONS, OPERATIONS

__all__ = [
    "call",
    "comm",
    "dims",
    "eye",
    "from_gradient",
    "is_one",
    "mm",
    "mul",
    "number",
    "ones",
    "pair_shape",
    "partial_adjoint",
    "partial_expression",
    "per_column",
    "resolve",
    "row",
    "rule_forms",
    "times",
    "transposed",
    "unvec",
]


def resolve(d: Any) -> Any:
    """The int a size stands for, or its open size (see ``jacobians.expressions._shapes``)."""
    from .expressions._shapes import resolve as read  # the layer above, loaded by the caller

    return read(d)


def is_one(d: Any) -> bool:
    """Whether a size is the number 1."""
    return resolve(d) == 1


def dims(shape: tuple[Any, ...]) -> tuple[Any, Any]:
    """(rows, cols) of a shape; a scalar is 1×1."""
    return (1, 1) if shape == () else (shape[0], shape[1])


def times(*sizes: Any) -> Any:
    """The product of sizes: an int when every size is known, else an open size the values fix."""
    from .expressions._shapes import times as product

    return product(*sizes)


def call(name: str, *args: Any, **options: Any) -> Any:
    """The node of the registered operation ``name`` (looked up now: it may be registered by a
    module loaded after this one) applied to expressions."""
    return OPERATIONS[name](*args, **options)


def _leaf(kind: str, shape: tuple[Any, ...], fill: float = 1.0, **options: Any) -> Any:
    Expression = EXPRESSIONS[0]
    if len(shape) == 2 and is_one(shape[0]) and is_one(shape[1]):
        return Expression(None, (), (), "number", {"fill": float(fill)})
    return Expression(None, (), shape, kind, {"fill": float(fill), **options})


def number(v: float) -> Any:
    """The constant v (a scalar)."""
    return _leaf("number", (), v)


def ones(shape: tuple[Any, ...], fill: float = 1.0) -> Any:
    """A constant of the shape, every entry ``fill``: a number, ``vector(c)`` or ``matrix(c)``."""
    if shape == ():
        return number(fill)
    return _leaf("vector" if is_one(shape[1]) else "matrix", tuple(shape), fill)


def eye(n: Any) -> Any:
    """I_n (the number 1 when n = 1)."""
    return _leaf("eye", (n, n))


def comm(m: Any, n: Any) -> Any:
    """K_{m,n} = ``reshape.commutation(m, n)`` (mn × mn; the identity when m or n is 1)."""
    if is_one(m) or is_one(n):
        return eye(times(m, n))
    N = times(m, n)
    return _leaf("comm", (N, N), m=resolve(m), n=resolve(n))


def mm(a: Any, b: Any) -> Any:
    """a·b: the matrix product, or ``*`` where an operand is a scalar."""
    return a * b if a.is_scalar or b.is_scalar else a @ b


def transposed(X: Any) -> Any:
    """Xᵀ (a scalar is its own transpose)."""
    return X.T if X.shape else X


def row(X: Any) -> Any:
    """vec(X)ᵀ, the row-major vec of X as a row (X itself for a scalar, Xᵀ for a column)."""
    if X.is_scalar:
        return X
    if is_one(X.shape[1]):
        return X.T
    return call("vec", X).T


def unvec(g: Any, shape: tuple[Any, ...]) -> Any:
    """The column g (row-major vec of a matrix) folded back to ``shape``, in the language:
    X = (I_n ⊗ 1_mᵀ)·((g 1_mᵀ) ⊙ (1_n ⊗ I_m)), entry (i, j) being g[i·m + j]."""
    if shape == () or is_one(shape[1]):
        return g
    n, m = shape
    if is_one(n):
        return g.T
    pick = call("kron", eye(n), ones((m, 1)).T)
    spread = mm(g, ones((m, 1)).T) * call("kron", ones((n, 1)), eye(m))
    return pick @ spread


# ----- the symbolic forms of an elementwise rule, from its local derivative d -----
def mul(a: Any, b: Any) -> Any:
    """a·b where one may be a plain number: 1 and −1 are written without a product."""
    for k, e in ((a, b), (b, a)):
        if isinstance(k, (int, float)) and k in (1, -1):
            return e if k == 1 else -e
    return a * b


def _is_scalar(d: Any) -> bool:
    return isinstance(d, (int, float)) or d.shape == ()


def _column(e: Any) -> Any:
    """vec(e) as a column (e itself when it is one already)."""
    return e if is_one(e.shape[1]) else call("vec", e)


def partial_expression(node: Any, i: int, d: Any) -> Any:
    """∂node/∂(its argument i) as an Expression, for an elementwise node whose derivative with
    respect to that argument is d (entrywise: an Expression shaped like the output, a scalar one,
    or a number): diag(vec(d)) where the argument has the output's shape, the column vec(d)
    where a scalar argument is broadcast, d itself for a scalar output."""
    out = node.shape
    if out == ():
        return number(d) if isinstance(d, (int, float)) else d
    n = times(*out)
    if node.args[i].shape == ():  # broadcast over the n entries of the output: one column
        return mul(d, ones((n, 1))) if _is_scalar(d) else _column(d)
    return mul(d, eye(n)) if _is_scalar(d) else call("diag", _column(d))


def partial_adjoint(G: Any, node: Any, i: int, d: Any) -> Any:
    """Gᵀ·∂node/∂(argument i) folded to the argument's shape: G ⊙ d, summed over the output
    where a scalar argument was broadcast."""
    g = mul(G, d)
    return call("sum", g) if node.args[i].shape == () and node.shape != () else g


def rule_forms(i: int, local: Callable[..., Any]) -> dict[str, Callable[..., Any]]:
    """The expression and adjoint of an elementwise rule with respect to argument i whose local
    derivative is ``local(*node.args)``: the keywords ``expression`` and ``adjoint`` of
    :meth:`~jacobians.Operation.rule`."""
    return {
        "expression": lambda node: partial_expression(node, i, local(*node.args)),
        "adjoint": lambda G, node: partial_adjoint(G, node, i, local(*node.args)),
    }


# ----- for the costs: scalars of two arrays of one shape -----
def pair_shape(same: Any, a: Any, y: Any) -> tuple[()]:
    """A cost of two arrays of one shape is a scalar."""
    if (a == ()) != (y == ()):
        from .expressions._shapes import Mismatch

        raise Mismatch("the prediction and the target must have one shape")
    for p, q in zip(a, y, strict=True):
        same(p, q)
    return ()


def from_gradient(gradient: Callable[..., Any]) -> dict[str, Any]:
    """A rule's expression and adjoint from the cost's gradient ∇C (an expression shaped like the
    input, from the node's arguments): the Jacobian is the row vec(∇C)ᵀ, the adjoint G·∇C."""
    return {
        "expression": lambda e: row(gradient(*e.args)),
        "adjoint": lambda G, e: G * gradient(*e.args),
    }


def per_column(z: Any, name: str, y: Any) -> Any:
    """The reduction ``name`` of each column of y (1×d), spread over z's n rows; of y whole, a
    scalar, when z is a column."""
    n, d = dims(z.shape)
    return call(name, y) if is_one(d) else mm(ones((n, 1)), call(name, y, axis=1))
