"""The chain rule as a product of Jacobians in a chosen order, and the way back to a gradient.

``chain(dC_da, da_dz, dz_dW)`` multiplies (1×n)(n×n)(n×nm) = 1×nm; ``to_gradient`` folds the 1×nm
row back to the n×m gradient. The order is a choice with a cost: left to right is reverse mode (what
backprop does), right to left is forward mode, and ``"cheapest"`` solves the matrix-chain problem on
the factors' shapes and structures. :func:`chain_costs` reports the multiply-adds of each.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache, reduce
from itertools import pairwise
from math import prod

import numpy as np

from reshape import InputError, InputTypeError, ShapeError, as_array, describe, unvec

from ._compose import _product, meets
from ._jacobian import Jacobian
from ._planner import _plan
from ._structure_args import Structure, checked_shape

__all__ = ["ORDERS", "chain", "chain_costs", "to_gradient"]

ORDERS = ("left", "right", "cheapest")


def _check_factors(factors: Sequence[Jacobian]) -> None:
    if not factors:
        raise InputError("chain", "factors", "at least one Jacobian", "none")
    for i, F in enumerate(factors, 1):
        if not isinstance(F, Jacobian):
            raise InputTypeError(
                "chain",
                f"factor {i}",
                "a Jacobian (from an operation's .jacobians, or jacobians.Dense(matrix))",
                describe(F),
            )
    for i, (A, B) in enumerate(pairwise(factors), 1):
        if not meets(A, B):
            raise ShapeError(
                "chain",
                f"factors {i} and {i + 1}",
                f"factor {i + 1}'s output to be factor {i}'s input: {A.symbol} is "
                f"{A.shape[0]}×{A.shape[1]} and takes {A.wrt} of shape {A.in_shape}",
                f"{B.symbol}, {B.shape[0]}×{B.shape[1]}, whose output {B.of} has shape "
                f"{B.out_shape}",
                "inner sizes must meet: (p×n)(n×m); check the order of the factors",
            )


def _split_table(structs: Sequence[Structure]) -> list[list[int]]:
    """Matrix-chain dynamic programme over structures: split[i][j] is where to cut factors i..j."""
    n = len(structs)
    cost = [[0] * n for _ in range(n)]
    result: list[list[Structure | None]] = [[None] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for i, s in enumerate(structs):
        result[i][i] = s
    for span in range(1, n):
        for i in range(n - span):
            j = i + span
            best = None
            for k in range(i, j):
                c, s, _ = _plan(result[i][k], result[k + 1][j])  # type: ignore[arg-type]
                total = cost[i][k] + cost[k + 1][j] + c
                if best is None or total < best[0]:
                    best = (total, s, k)
            cost[i][j], result[i][j], split[i][j] = best  # type: ignore[misc]
    return split


def _tree(order: str, n: int) -> object:
    """The bracketing of n factors as nested pairs of indices."""
    if order == "left":
        return reduce(lambda acc, k: (acc, k), range(1, n), 0)
    if order == "right":
        return reduce(lambda acc, k: (k, acc), range(n - 2, -1, -1), n - 1)
    raise AssertionError(order)


@lru_cache(maxsize=1024)
def _cheapest_tree(structs: tuple[Structure, ...]) -> object:
    """The cheapest bracketing; cached, since it depends on the structures alone (a training loop
    asks for the same chain at every step)."""
    split = _split_table(structs)

    def build(i: int, j: int) -> object:
        return i if i == j else (build(i, split[i][j]), build(split[i][j] + 1, j))

    return build(0, len(structs) - 1)


def _check_order(order: str) -> None:
    if not isinstance(order, str) or order not in ORDERS:
        raise InputError(
            "chain",
            "order",
            "'left' (reverse mode), 'right' (forward mode) or 'cheapest'",
            repr(order),
        )


def _bracketing(factors: Sequence[Jacobian], order: str) -> object:
    if order == "cheapest":
        return _cheapest_tree(tuple([F.structure for F in factors]))
    return _tree(order, len(factors))


def _cost(tree: object, structs: Sequence[Structure]) -> tuple[int, Structure]:
    if isinstance(tree, int):
        return 0, structs[tree]
    cl, sl = _cost(tree[0], structs)  # type: ignore[index]
    cr, sr = _cost(tree[1], structs)  # type: ignore[index]
    c, s, _ = _plan(sl, sr)
    return cl + cr + c, s


def chain(*factors: Jacobian, order: str = "cheapest") -> Jacobian:
    """Multiply a chain of Jacobians, checking that every inner size meets.

    Args:
        *factors: Jacobians, outermost first: ∂C/∂a, ∂a/∂z, ∂z/∂W.
        order: ``"left"`` (left to right: reverse mode, as backprop does), ``"right"`` (right to
            left: forward mode) or ``"cheapest"`` (matrix-chain ordering on shapes and structure).

    A product of finite factors that overflows is refused (InputError naming ``factors``), and no
    factor holds NaN or infinity: the structures refuse them when they are made.

    Shapes: (p×n)(n×k)…(l×m) -> p×m.

    >>> from jacobians import linear, sigmoid, squared_error
    >>> W, x, b, y = np.ones((3, 4)), np.arange(4.0), np.zeros(3), np.zeros(3)
    >>> z = linear(W, x, b); a = sigmoid(z.value); C = squared_error(a.value, y)
    >>> chain(C.jacobian, a.jacobian, z.jacobians["W"]).shape
    (1, 12)
    """
    _check_order(order)
    _check_factors(factors)  # every inner size meets, so every product of products does
    if len(factors) == 2:  # one product: every order is the same
        return _product(*factors, op="chain")

    def run(tree: object) -> Jacobian:
        if isinstance(tree, int):
            return factors[tree]
        return _product(run(tree[0]), run(tree[1]), op="chain")  # type: ignore[index]

    return run(_bracketing(factors, order))


def chain_costs(*factors: Jacobian) -> dict[str, int]:
    """Multiply-adds each order of :func:`chain` does on these factors.

    >>> from jacobians import Dense
    >>> chain_costs(Dense(np.ones((1, 5))), Dense(np.ones((5, 5))), Dense(np.ones((5, 20))))
    {'left': 125, 'right': 600, 'cheapest': 125}
    """
    _check_factors(factors)
    structs = [F.structure for F in factors]
    return {order: _cost(_bracketing(factors, order), structs)[0] for order in ORDERS}


def to_gradient(J: Jacobian | np.ndarray, shape: Sequence[int] | None = None) -> np.ndarray:
    """Fold the 1×N derivative of a scalar back into the gradient shaped like the parameter.

    This is the isomorphism back: the row ∂C/∂W of length nm becomes the n×m gradient (row-major,
    the same order the row was flattened in).

    J is a Jacobian, or a numeric, finite array (a list is converted); ``shape`` is a sequence
    of whole numbers ≥ 1 (``()`` for a scalar parameter).

    Shapes: (1, prod(shape)) -> shape.

    >>> to_gradient(np.arange(6.0).reshape(1, 6), (2, 3))
    array([[0., 1., 2.],
           [3., 4., 5.]])
    """
    order, unvec_shape = "C", None
    if isinstance(J, Jacobian):
        shape = J.in_shape if shape is None else _same_shape(J, shape)
        M, order = J.matrix, J.vec_order
        if order != "C" and shape != J.in_shape:  # the gradient, then its row-major fold
            unvec_shape = J.in_shape
    else:
        M = as_array(J, "to_gradient", "J")
        if shape is None:
            raise InputError("to_gradient", "shape", "the parameter's shape for an array", "None")
        shape = checked_shape("to_gradient", "shape", shape)
    if M.ndim == 1:
        M = M[None, :]
    if M.ndim != 2 or M.shape[0] != 1:
        raise ShapeError(
            "to_gradient",
            "J",
            "a row (1×N): the derivative of a scalar",
            f"shape {M.shape}",
            "a gradient exists only for a scalar output; chain the cost's Jacobian in first",
        )
    if M.shape[1] != prod(shape):
        raise ShapeError(
            "to_gradient",
            "shape",
            f"a shape with {M.shape[1]} entries, the length of the row",
            f"{shape} ({prod(shape)} entries)",
        )
    if shape == ():
        return M[0, 0]
    if unvec_shape is not None:  # the same array whichever vec J's row is in
        return unvec(M[0], unvec_shape, order, check=False).reshape(shape)
    return unvec(M[0], shape, order, check=False)


def _same_shape(J: Jacobian, shape: Sequence[int]) -> tuple[int, ...]:
    """``shape`` checked against the parameter's shape J knows: a fold of the same row-major
    order, its axes those of J's in_shape merged or split (a vector as (n,) or (n, 1), a kernel
    (c, k, h, w) as the matrix (c, khw), a bare matrix's flat in_shape as any shape), since
    folding the row into another shape of as many entries, its transpose's say, gives an array
    that is not the gradient."""
    shape = checked_shape("to_gradient", "shape", shape)
    if not folds(shape, J.in_shape):
        raise ShapeError(
            "to_gradient",
            "shape",
            f"the shape of {J.wrt}, {J.in_shape}, which J = {J.symbol} is taken with respect to"
            " (or that shape with adjacent axes merged or split)",
            f"{shape}",
            "leave shape out to fold the row into the parameter's own shape",
        )
    return shape


def folds(shape: tuple[int, ...], like: tuple[int, ...]) -> bool:
    """Whether an array of ``shape`` is one of ``like`` in the same row-major order with
    adjacent axes merged or split ((6,) or (2, 3, 1) of (2, 3), not (3, 2))."""
    mine, given = _cuts(like), _cuts(shape)
    return mine <= given or given <= mine


def _cuts(shape: tuple[int, ...]) -> set[int]:
    """Where a row-major vec of ``shape`` steps to the next index of an outer axis."""
    cuts, size = set(), 1
    for n in shape:
        size *= n
        cuts.add(size)
    return cuts
