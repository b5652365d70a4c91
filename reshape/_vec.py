"""The vector-space isomorphism R^{n×m} ≅ R^{nm}, as einops patterns so the axes are visible.

Row-major (``order="C"``, numpy's and this project's default) reads a matrix row by row:
``"n m -> (n m)"``. Column-major (``order="F"``, the vec of Magnus & Neudecker) reads it column by
column: ``"n m -> (m n)"``. With row-major vec, vec(AXB) = (A ⊗ Bᵀ) vec(X); with column-major,
vec(AXB) = (Bᵀ ⊗ A) vec(X). Mixing the two is the classic silent mistake.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

import numpy as np
from einops import rearrange

from ._errors import InputError, InputTypeError, ShapeError, as_array, as_size, describe
from ._limit import check_bytes

__all__ = [
    "commutation",
    "flatten",
    "kron_matrix",
    "reorder",
    "unflatten",
    "unvec",
    "vec",
]

_ORDERS = ("C", "F")


def _axes(prefix: str, ndim: int) -> list[str]:
    return [f"{prefix}{k}" for k in range(ndim)]


def _group(names: Sequence[str], order: str) -> str:
    """The einops group flattening these axes: ``(a0 a1)`` row-major, ``(a1 a0)`` column-major."""
    return "(" + " ".join(names if order == "C" else reversed(names)) + ")"


def _check_order(order: str, op: str, arg: str = "order") -> None:
    if not isinstance(order, str) or order not in _ORDERS:
        raise InputError(op, arg, "'C' (row-major) or 'F' (column-major)", repr(order))


def _check_shape(shape: Sequence[int], op: str, arg: str) -> tuple[int, ...]:
    """A shape: a tuple (or list, or 1-D integer array) of whole numbers ≥ 1, never rounded."""
    expected = "a tuple of sizes, positive whole numbers such as (3, 4)"
    if isinstance(shape, (str, bytes)) or not isinstance(shape, (Sequence, np.ndarray)):
        raise InputTypeError(op, arg, expected, repr(shape) if _short(shape) else describe(shape))
    if isinstance(shape, np.ndarray) and shape.ndim != 1:
        raise ShapeError(op, arg, expected, describe(shape))
    out = []
    for i, s in enumerate(shape):
        try:
            out.append(as_size(s, op, f"{arg}[{i}]"))
        except InputError as exc:  # a size < 1 is a shape error; a float or text, a type error
            kind = InputTypeError if isinstance(exc, InputTypeError) else ShapeError
            raise kind(
                op, arg, expected, f"{shape!r}, whose entry {i} is {s!r}", exc.hint
            ) from None
    return tuple(out)


def _short(x: object) -> bool:
    return isinstance(x, (str, bytes, int, float, np.generic, type(None))) and len(repr(x)) < 40


def vec(A: np.ndarray, order: str = "C") -> np.ndarray:
    """Stack the entries of ``A`` into a vector, row-major (``"C"``) or column-major (``"F"``).

    Shapes: (n, m) -> (n·m,); any number of axes is accepted.

    >>> vec(np.array([[1, 2], [3, 4]]))
    array([1., 2., 3., 4.])
    >>> vec(np.array([[1, 2], [3, 4]]), order="F")
    array([1., 3., 2., 4.])
    """
    _check_order(order, "vec")
    A = as_array(A, "vec", "A")
    names = _axes("a", A.ndim)
    return rearrange(A, f"{' '.join(names)} -> {_group(names, order)}")


def unvec(
    v: np.ndarray, shape: Sequence[int], order: str = "C", *, check: bool = True
) -> np.ndarray:
    """The inverse of :func:`vec`: fold a vector back into an array of ``shape``.

    ``check=False`` skips the checks of the entries (dtype, finiteness) for vectors the toolkit
    made itself; the shapes are checked always.

    Shapes: (n·m,) -> (n, m).

    >>> unvec(np.arange(4), (2, 2), order="F")
    array([[0., 2.],
           [1., 3.]])
    """
    _check_order(order, "unvec")
    v = as_array(v, "unvec", "v") if check else np.asarray(v)
    shape = _check_shape(shape, "unvec", "shape")
    if v.ndim != 1 or v.size != prod(shape):
        raise ShapeError(
            "unvec",
            "v",
            f"a vector of {prod(shape)} entries to fold into {shape}",
            f"shape {v.shape}",
        )
    if not check and order == "C":
        # "(a0 a1) -> a0 a1" on a vector is numpy's C-order reshape, the same view; the hot path
        # of every gradient (to_gradient) skips einops' parsing and dispatch, ~8 µs a call.
        return v.reshape(shape)
    names = _axes("a", len(shape))
    sizes = dict(zip(names, shape, strict=True))
    return rearrange(v, f"{_group(names, order)} -> {' '.join(names)}", **sizes)


def flatten(T: np.ndarray, out_ndim: int, order: str = "C") -> np.ndarray:
    """Flatten a Jacobian tensor of shape out_shape + in_shape to its matrix.

    The first ``out_ndim`` axes index the output, the rest the input; each group is flattened
    (row-major by default), so ∂z/∂W of shape n×(n×m) becomes the n×nm matrix.

    Shapes: out_shape + in_shape -> (prod(out_shape), prod(in_shape)).

    >>> flatten(np.zeros((3, 3, 4)), out_ndim=1).shape
    (3, 12)
    """
    _check_order(order, "flatten")
    T = as_array(T, "flatten", "T")
    out_ndim = as_size(out_ndim, "flatten", "out_ndim", minimum=0)
    if not 0 <= out_ndim <= T.ndim:
        raise ShapeError(
            "flatten", "out_ndim", f"between 0 and T.ndim = {T.ndim}", f"{out_ndim} for T {T.shape}"
        )
    outs, ins = _axes("o", out_ndim), _axes("i", T.ndim - out_ndim)
    pattern = f"{' '.join(outs + ins)} -> {_group(outs, order)} {_group(ins, order)}"
    return rearrange(T, pattern)


def unflatten(
    M: np.ndarray,
    out_shape: Sequence[int],
    in_shape: Sequence[int],
    order: str = "C",
    *,
    check: bool = True,
) -> np.ndarray:
    """The inverse of :func:`flatten`: a Jacobian matrix back to its tensor out_shape + in_shape.

    ``check=False`` skips the checks of the entries, for matrices the toolkit made itself (a
    Jacobian may hold a true +inf); the shapes are checked always.

    Shapes: (prod(out_shape), prod(in_shape)) -> out_shape + in_shape.

    >>> unflatten(np.zeros((3, 12)), (3,), (3, 4)).shape
    (3, 3, 4)
    """
    _check_order(order, "unflatten")
    M = as_array(M, "unflatten", "M") if check else np.asarray(M)
    out_shape = _check_shape(out_shape, "unflatten", "out_shape")
    in_shape = _check_shape(in_shape, "unflatten", "in_shape")
    want = (prod(out_shape), prod(in_shape))
    if M.shape != want:
        raise ShapeError(
            "unflatten",
            "M",
            f"a {want[0]}×{want[1]} matrix for out_shape {out_shape} and in_shape {in_shape}",
            f"shape {M.shape}",
        )
    outs, ins = _axes("o", len(out_shape)), _axes("i", len(in_shape))
    sizes = dict(zip(outs + ins, out_shape + in_shape, strict=True))
    pattern = f"{_group(outs, order)} {_group(ins, order)} -> {' '.join(outs + ins)}"
    return rearrange(M, pattern, **sizes)


def commutation(m: int, n: int) -> np.ndarray:
    """The commutation matrix K_{m,n}: K · vec_F(A) = vec_F(Aᵀ) for every A of shape m×n.

    It is a permutation matrix with K_{m,n}ᵀ = K_{n,m}. Since vec_F(Aᵀ) = vec_C(A), it also maps
    the column-major vec of A to the row-major one: vec_C(A) = K_{m,n} · vec_F(A).

    Shapes: (mn, mn).

    >>> commutation(2, 3) @ vec(np.arange(6).reshape(2, 3), "F")
    array([0., 1., 2., 3., 4., 5.])
    """
    m, n = as_size(m, "commutation", "m"), as_size(n, "commutation", "n")
    size = m * n  # a Python int: no overflow before the limit is consulted
    check_bytes(
        "commutation",
        f"K_{{{m},{n}}}, a dense {size}×{size} matrix of float64,",
        size * size * 8,
        "permute without building K: reshape.reorder(J, ...) or a transpose of the reshaped array",
    )
    # position k of vec_F(A) holds A[k % m, k // m]; lay the positions out as A, transpose, re-read.
    positions = unvec(np.arange(size), (m, n), order="F")
    perm = vec(positions.T, order="F").astype(np.intp)
    K = np.zeros((size, size))  # one 1 per row, written in place: no identity to index a copy of
    K[np.arange(size), perm] = 1.0
    return K


def kron_matrix(A: np.ndarray, B: np.ndarray, order: str = "C") -> np.ndarray:
    """The matrix M with vec(A X B) = M · vec(X), for the chosen vec order.

    Row-major: M = A ⊗ Bᵀ. Column-major (Magnus & Neudecker): M = Bᵀ ⊗ A.

    Shapes: A (p, n), B (m, q) -> (p·q, n·m).

    >>> kron_matrix(np.eye(2), np.ones((3, 1))).shape
    (2, 6)
    """
    _check_order(order, "kron_matrix")
    A, B = as_array(A, "kron_matrix", "A"), as_array(B, "kron_matrix", "B")
    for name, X in (("A", A), ("B", B)):
        if X.ndim != 2:
            raise ShapeError("kron_matrix", name, "a 2-D matrix", f"shape {X.shape}")
    (p, n), (m, q) = A.shape, B.shape
    dtype = np.result_type(A, B)
    rows, cols = p * q, n * m
    check_bytes(
        "kron_matrix",
        f"the {rows}×{cols} matrix {'A ⊗ Bᵀ' if order == 'C' else 'Bᵀ ⊗ A'} ({dtype})"
        f" of A {A.shape} and B {B.shape}",
        rows * cols * dtype.itemsize,
        "apply it without building it: vec(A @ X @ B), or keep it structured as a"
        " jacobians.Kronecker",
    )
    return np.kron(A, B.T) if order == "C" else np.kron(B.T, A)


def reorder(
    M: np.ndarray,
    out_shape: Sequence[int],
    in_shape: Sequence[int],
    src: str = "C",
    dst: str = "F",
) -> np.ndarray:
    """Convert a Jacobian matrix between flattening orders.

    A Jacobian flattened row-major on both sides becomes the one flattened column-major on both
    sides (and back): the same tensor, read with the other ``vec``. For a matrix argument this is
    multiplication by commutation matrices on each side.

    Shapes: (prod(out_shape), prod(in_shape)) -> the same.

    >>> J = np.arange(12.0).reshape(2, 6)  # a 2 × (2×3) Jacobian, row-major
    >>> reorder(J, (2,), (2, 3))[0]
    array([0., 3., 1., 4., 2., 5.])
    """
    _check_order(src, "reorder", "src")
    _check_order(dst, "reorder", "dst")
    return flatten(unflatten(M, out_shape, in_shape, order=src), len(tuple(out_shape)), order=dst)
