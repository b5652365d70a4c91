"""A Jacobian in column-major vec: the commutation on each side, applied as an index permutation.

The toolkit flattens row-major (vec_C); Magnus & Neudecker write column-major vec (vec_F). The two
differ by the commutation matrix, K vec_C(Y) = vec_F(Y), so J in column-major vec is
K_out · J · K_inᵀ. :func:`column_major` applies the two without making them, keeping the
structure where the commutations move it into itself (``Expression.jacobian(order="F")`` gives
its result so).
"""

from __future__ import annotations

from math import prod

import numpy as np

from reshape import InputTypeError, describe

from ._jacobian import Jacobian
from ._lowrank import DiagonalPlusLowRank, low_rank
from ._permutation import Permutation
from ._structures import Dense, Diagonal, Identity, Kronecker
from ._sum import Sum

__all__ = ["column_major"]


def _to_column_major(shape: tuple[int, ...]) -> np.ndarray | None:
    """p with vec_F(Y) = vec_C(Y)[p] (for Y r×c, K_{c,r}: the Jacobian of Y ↦ Yᵀ, as its
    index; for more axes, the reversal of Y's axes), or None where the two vecs agree (at most
    one axis longer than 1: a scalar or a vector, however shaped)."""
    if sum(n > 1 for n in shape) < 2:
        return None
    return np.arange(prod(shape)).reshape(shape).ravel(order="F")


def column_major(J: Jacobian) -> Jacobian:
    """J with both sides in column-major vec: K_out · J · K_inᵀ, K taking a row-major vec to the
    column-major one. Kept structured where the commutations move a structure into itself: an
    identity stays, a diagonal or a permutation permutes its indices, L ⊗ R whose factors fit
    the shapes (vec_C(LXRᵀ) = (L ⊗ R) vec_C(X)) becomes R ⊗ L, and a diagonal plus low rank
    whose samples are the columns (rows) of its shape has them as rows (columns); otherwise the
    dense matrix's rows and columns are permuted (no commutation matrix is made).

    The result's ``vec_order`` is ``"F"``, so its ``.tensor`` and ``to_gradient`` unflatten
    column-major, and its closed form is J's between the commutations (K_{c,r} vec_C(Y) =
    vec_F(Y) for Y r×c; for Y of three axes or more, K_{…} with Y's sizes reversed, the
    reversal of its axes). A side whose two vecs agree (a vector) has none, and J marked "F"
    whose matrix is the same in both (an identity, a map between vectors) mixes with
    row-major Jacobians in products and sums. J already column-major is returned as it is.

    >>> from jacobians import Kronecker
    >>> J = Kronecker(2, np.array([[1.0, 2.0, 3.0]]), out_shape=(2, 1), in_shape=(2, 3))
    >>> F = column_major(J)  # ∂(Wx)/∂W: I₂ ⊗ xᵀ row-major, xᵀ ⊗ I₂ column-major
    >>> F.kind, F.R, F.L, F.vec_order
    ('kronecker', 2, array([[1., 2., 3.]]), 'F')
    >>> print(column_major(J.label("z", "W", "I_2 ⊗ xᵀ")).closed_form)
    (I_2 ⊗ xᵀ) · K_{3,2}ᵀ
    """
    if not isinstance(J, Jacobian):
        raise InputTypeError("column_major", "J", "a Jacobian", describe(J))
    if J.vec_order == "F":
        return J
    p, q = _to_column_major(J.out_shape), _to_column_major(J.in_shape)
    if (p is None and q is None) or (isinstance(J, Identity) and J.out_shape == J.in_shape):
        F = J._copy()  # the same numbers in both vecs (K I Kᵀ = I): no commutation to apply
        F.vec_order = "F"
        return F
    F = _permuted(J, p, q)
    F.label(J.of, J.wrt, *_closed_forms(J, p is not None, q is not None), J.out_shape, J.in_shape)
    F.vec_order = "F"
    return F


def _permuted(J: Jacobian, p: np.ndarray | None, q: np.ndarray | None) -> Jacobian:
    """K_out · J · K_inᵀ as numbers, in J's structure where it has one (see column_major)."""
    if isinstance(J, Diagonal) and p is not None and J.out_shape == J.in_shape:
        return Diagonal(J.diagonal.reshape(-1)[p])
    if isinstance(J, Permutation):  # (J_F)[f] = g where q[g] = J's index at p[f]
        index = J.index if p is None else J.index[p]
        back = np.arange(index.size) if q is None else np.argsort(q)
        return Permutation(back[index], dtype=J.dtype)
    if isinstance(J, Kronecker) and _factors_fit(J):
        return Kronecker(J.R, J.L)
    if (
        isinstance(J, DiagonalPlusLowRank)
        and p is not None
        and J.out_shape == J.in_shape
        and len(J.in_shape) == 2
    ):
        F = _low_rank(J, p)
        if F is not None:
            return F
    if isinstance(J, Sum):  # term by term, each keeping what structure it can
        shaped = [
            t._copy().label(t.of, t.wrt, t._cf, t._tex, J.out_shape, J.in_shape) for t in J.terms
        ]
        return Sum([column_major(t) for t in shaped])
    M = J.matrix
    M = M if p is None else M[p]
    return Dense(M if q is None else M[:, q])


def _commutation(shape: tuple[int, ...]) -> tuple[str, str]:
    """K_{c,r}, which takes vec_C(Y) to vec_F(Y) for Y r×c (K_{…} with the sizes reversed for
    more axes), as text and LaTeX."""
    sizes = ",".join(map(str, reversed(shape)))
    return f"K_{{{sizes}}}", f"K_{{{sizes}}}"


def _closed_forms(J: Jacobian, out: bool, inn: bool) -> tuple[str, str]:
    """J's closed form between the commutations, K_out · J · K_inᵀ (a side whose two vecs agree
    has none), as text and LaTeX."""
    text, tex = J.closed_form, J.latex
    if " " in text:
        text, tex = f"({text})", rf"\left({tex}\right)"
    if out:
        k, k_tex = _commutation(J.out_shape)
        text, tex = f"{k} · {text}", rf"{k_tex} \, {tex}"
    if inn:
        k, k_tex = _commutation(J.in_shape)
        text, tex = f"{text} · {k}ᵀ", rf"{tex} \, {k_tex}^{{\top}}"
    return text, tex


def _factors_fit(J: Kronecker) -> bool:
    """Whether L ⊗ R maps X (b×q) to L X Rᵀ (a×p): its factors' sizes are the shapes'."""
    (a, b, _), (p, q, _) = J.structure.left, J.structure.right  # type: ignore[misc]
    return J.out_shape == (a, p) and J.in_shape == (b, q)


def _low_rank(J: DiagonalPlusLowRank, p: np.ndarray) -> DiagonalPlusLowRank | None:
    """J (D + U Vᵀ per sample, out_shape = in_shape = (r, c)) with its entries in column-major
    order, p taking row-major to column-major; None where its samples are not whole columns or
    rows of the shape (the permutation would scatter them)."""
    N, n = J.d.size, J.n
    r, c = J.in_shape
    if n in (1, N):  # samples of one entry, or one sample: the order within is free
        axis = 1
    elif (J.axis, n) == (1, r):  # the columns, contiguous in column-major order
        axis = 2
    elif (J.axis, n) == (2, c):  # the rows, interleaved in column-major order
        axis = 1
    else:
        return None
    return low_rank(J.d[p], J.U[:, p], J.V[:, p], n, axis)
