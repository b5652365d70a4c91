"""Argument checks for the operations: shapes checked before any arithmetic, nothing broadcast."""

from __future__ import annotations

import cmath
from typing import Any

import numpy as np

from reshape import InputError, ShapeError, as_array, check_finite, finite_assumed

from ._jacobian import squeezed


def matrix(op: str, arg: str, A: Any, finite: bool = True) -> np.ndarray:
    """A 2-D numeric array."""
    A = as_array(A, op, arg, finite=finite)
    if A.ndim != 2:
        raise ShapeError(op, arg, "a 2-D matrix", f"shape {A.shape}")
    return A


def column(
    op: str, arg: str, x: Any, size: int | None = None, what: str = "", finite: bool = True
) -> np.ndarray:
    """A vector (n,), a column (n, 1), or a batch of columns (n, d); n must be ``size`` if given."""
    x = as_array(x, op, arg, finite=finite)
    if x.ndim not in (1, 2) or (size is not None and x.shape[0] != size):
        n = "n" if size is None else str(size)
        raise ShapeError(
            op,
            arg,
            f"shape ({n},), ({n}, 1) or a batch ({n}, d){what}",
            f"shape {x.shape}",
            "vectors are columns: give x as (m,) or (m, 1), a batch as the columns of (m, d)",
        )
    return x


def like(op: str, arg: str, y: Any, ref: np.ndarray, ref_name: str) -> np.ndarray:
    """``y`` with the shape of ``ref``: the same shape up to axes of size 1 ((n,) meets (n, 1))."""
    y = as_array(y, op, arg)
    if y.shape == ref.shape:
        return y
    if y.size != ref.size or squeezed(y.shape) != squeezed(ref.shape):
        raise ShapeError(
            op,
            arg,
            f"the shape of {ref_name}, {ref.shape}",
            f"shape {y.shape}",
            "nothing is broadcast: give one entry per entry of " + ref_name,
        )
    return y.reshape(ref.shape)


def option(op: str, arg: str, value: Any) -> float:
    """A finite real number (a keyword option such as leaky_relu's slope)."""
    if isinstance(value, (bool, np.bool_)) or not np.isscalar(value) or not np.isreal(value):
        raise InputError(op, arg, "a real number", repr(value))
    value = float(value)
    if not np.isfinite(value):
        raise InputError(op, arg, "a finite real number", repr(value))
    return value


def domain(op: str, arg: str, a: np.ndarray, bad: np.ndarray, expected: str, hint: str) -> None:
    """Refuse the entries of ``a`` where ``bad`` holds, naming how many and the first."""
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InputError(
            op,
            arg,
            expected,
            f"{int(bad.sum())} entries outside it, the first at index {first} ({a[first]})",
            hint,
        )


@np.errstate(invalid="ignore", over="ignore")  # a decorator costs half what a with block does
def _product(a: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, bool]:
    """P = AX, and whether one scalar test proves A, X and P finite (see finite_product)."""
    P = a @ x.reshape(a.shape[1], -1)
    if finite_assumed():  # A and X are known finite: only P can have overflowed
        return P, cmath.isfinite(np.add.reduce(P, axis=None))
    # One scalar test of both sums (inf − inf is NaN, so nothing cancels to a finite number).
    total = np.add.reduce(x, axis=None) + np.add.reduce(P, axis=None)
    return P, cmath.isfinite(total) and bool(x.all())


def finite_product(op: str, A: tuple[str, np.ndarray], X: tuple[str, np.ndarray]) -> np.ndarray:
    """The product P = AX (X a vector or the columns of a batch), with A and X checked finite
    through P, which is far smaller than A.

    A NaN or infinity in A meets a non-zero entry of X and makes P non-finite (IEEE arithmetic has
    no way back to a finite number), so when X is finite with no zeros, a finite P proves A
    finite; and a sum is finite only if every term is. Otherwise each argument is checked in full
    and the first bad one is named, or the overflow of P is.
    """
    (a_name, a), (x_name, x) = A, X
    P, finite = _product(a, x)
    if finite:
        return P
    check_finite(a, op, a_name)  # in full, assumed finite or not: name the bad argument
    check_finite(x, op, x_name)
    if not np.isfinite(P).all():
        raise InputError(
            op,
            a_name,
            f"entries whose product with {x_name} stays within floating-point range",
            f"a product that overflows to ±inf (largest |{a_name}| = {np.abs(a).max():.3g}, "
            f"largest |{x_name}| = {np.abs(x).max():.3g})",
        )
    return P
