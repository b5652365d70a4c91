"""What a compiled gradient (:mod:`._compiled`) is made of: each node's computation for
arguments already checked, the expression rewritten so a scalar scales the smaller operand, and
the tests of what the closed form could lose (the nodes whose NaN shows downstream, the builders
with a domain of their own, the forms that cancel digits)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .._binary import _raw
from ._graph import Expression, node

# Operations whose rule builders refuse points where the value is finite but the derivative is
# not defined (tests/jacobians/expressions/test_compiled.py finds every builder that may refuse)
GUARDED = frozenset({"norm2", "power", "sqrt", "arcsin", "arccos", "inv"})
# Operations whose value is not finite wherever an argument is not: a NaN or infinity in x + y,
# x − y, −x, x ⊙ y (∞·0 is NaN), Σx, mean x, ‖x‖₂, log x, |x| and xᵀ shows in the result. Not
# here: a quotient (x/∞ = 0), a power (NaN⁰ = 1), exp (e^−∞ = 0), the bounded functions, and the
# matrix product, whose BLAS may skip a zero's products.
PASSES_ON = frozenset(
    {"add", "subtract", "negate", "multiply", "sum", "mean", "norm2", "log", "abs", "transpose"}
)


def value_of(n: Expression, shapes: Mapping[object, tuple[int, ...]]) -> Callable[..., Any]:
    """Node n's value alone, for arguments already checked and shaped."""
    op = n.op
    assert op is not None
    if op.name == "matmul":
        return np.matmul
    if op.name == "transpose":
        return np.transpose  # a view: the operation's own value is a copy, for its Jacobian
    if op.name == "norm2":
        # one pass; where the sum of squares overflows, or underflows in part or whole, the
        # value is not finite or below smallest_norm: the checked path, which scales, runs
        return lambda X: np.sqrt(np.vdot(X, X))
    fn = op.fn
    if op.family == "arithmetic" and fn is not None:
        return lambda u, v: _raw(fn, u, v)
    compute = checked_compute(n, shapes)
    return lambda *args, **options: compute(*args, **options).value


# The families whose ``unchecked`` takes a scalar as it takes an array (elementwise arithmetic)
_SCALARS_TAKEN = frozenset({"arithmetic", "function"})


def checked_compute(n: Expression, shapes: Mapping[object, tuple[int, ...]]) -> Callable[..., Any]:
    """The computation of node n's context from arguments already checked: its operation's
    ``unchecked``, which takes the arrays ``prepare`` makes (linear's W (n, m), softmax's
    column), where n's arguments are such arrays, else ``prepare`` (a scalar argument, which
    prepare makes a 1×1 layer or a one-entry column)."""
    op = n.op
    assert op is not None
    if op.unchecked is None:
        return op.prepare
    if op.family not in _SCALARS_TAKEN and any(shapes[a.key] == () for a in n.args):
        return op.prepare
    return op.unchecked


def _scalar_of(n: Expression) -> tuple[Expression, Expression] | None:
    """(c, M) where n is c·M with c a scalar and M not, else None."""
    if n.op is None or n.op.name != "multiply":
        return None
    u, v = n.args
    if u.is_scalar and not v.is_scalar:
        return u, v
    if v.is_scalar and not u.is_scalar:
        return v, u
    return None


def hoisted(e: Expression) -> Expression:
    """e with each product (c·M)B or A(c·M) written c·(MB) or c·(AM): the scalar times the
    product, not times the matrix, which is the larger where the product is a vector (the
    simplified 2*A'*(A*x - y) scales all of A otherwise)."""
    done: dict[object, Expression] = {}
    for n in e.nodes():
        if n.op is None:
            done[n.key] = n
            continue
        args = [done[a.key] for a in n.args]
        if n.op.name == "matmul":
            left, right = _scalar_of(args[0]), _scalar_of(args[1])
            if left is not None:
                done[n.key] = node("multiply", left[0], node("matmul", left[1], args[1]))
                continue
            if right is not None:
                done[n.key] = node("multiply", right[0], node("matmul", args[0], right[1]))
                continue
        same = all(a is b for a, b in zip(args, n.args, strict=True))
        done[n.key] = n if same else node(n.op, *args, **n.options)
    return done[e.key]


def cancels(n: Expression, shapes: Mapping[object, tuple[int, ...]]) -> bool:
    """Whether n is a log-sum-exp over all the entries of a matrix, whose gradient's closed form
    exp(X − logsumexp(X)) loses digits where X is large (see the module docstring)."""
    if n.op is None or n.op.name != "logsumexp" or n.options.get("axis") is not None:
        return False
    return sum(k > 1 for k in shapes[n.args[0].key]) > 1


def smallest_norm(dtype: np.dtype) -> float:
    """The least ‖X‖ whose sum of squares is past the subnormal range by a factor 1/ε, so that
    the squares which underflow change it by less than its rounding."""
    info = np.finfo(dtype)
    return float(np.sqrt(info.tiny / info.eps))


def covered_nodes(e: Expression) -> set[object]:
    """Keys of the nodes of e whose NaN or infinity would show in a node that is tested: every
    use of them is an operation of :data:`PASSES_ON`, whose value is then tested or, covered
    itself, passes it on again, up to the output, which is always tested (as is every node not
    covered)."""
    uses: dict[object, list[Expression]] = {}
    for n in e.nodes():
        for a in n.args:
            uses.setdefault(a.key, []).append(n)
    return {
        n.key
        for n in e.nodes()
        if n.key != e.key
        and n.key in uses
        and all(u.op is not None and u.op.name in PASSES_ON for u in uses[n.key])
    }


def plain_power(n: Expression, k: int) -> bool:
    """u^k by a constant k outside (0, 1): its derivative k·u^(k−1) has no domain of its own
    (where it overflows, the gradient is not finite and is refused as such)."""
    if n.op is None or n.op.name != "power" or k != 0:
        return False
    v = n.args[1]
    return v.is_constant and v.name == "number" and not 0 < v.options["fill"] < 1
