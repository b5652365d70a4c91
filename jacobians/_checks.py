"""Argument checks for the operations: shapes checked before any arithmetic, nothing broadcast."""

from __future__ import annotations

import cmath
import functools
from typing import Any, TypeVar

import numpy as np

from reshape import InputError, ShapeError, as_array, as_real, check_finite, finite_assumed
from reshape._limit import check_bytes

from ._structure_args import products_are_tested, squeezed

F = TypeVar("F")


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
    """A finite real number (a keyword option such as leaky_relu's slope): see ``as_real``."""
    return as_real(value, op, arg)


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


def value_fits(op: str, shape: tuple[int, ...], dtype: Any, inputs: int = 0) -> None:
    """Refuse, before the work, a value of ``shape`` past the one memory limit where it holds
    more entries than its ``inputs`` (the entries of the arguments, which exist already): an
    outer product, a Kronecker product, a diagonal matrix grow with a product of sizes."""
    size = 1
    for n in shape:
        size *= int(n)
    if size > inputs:
        dims = "×".join(map(str, shape))
        check_bytes(op, f"its value, a dense {dims} array", size * np.dtype(dtype).itemsize)


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


# ----- results: computed quietly, then refused by name if they left floating-point range -----
def quiet(f: F) -> F:
    """``f`` run with numpy's floating-point warnings off: its result is tested instead.

    Each decorated function gets its own ``np.errstate`` (numpy 1's is not re-entrant), and a
    decorator costs half what a with block does; inside :func:`products_tested`, which turned
    them off for its whole block, none at all.
    """
    silenced = np.errstate(all="ignore")(f)  # type: ignore[operator]

    @functools.wraps(f)  # type: ignore[arg-type]
    def run(*args: Any, **kwargs: Any) -> Any:
        return (f if products_are_tested() else silenced)(*args, **kwargs)  # type: ignore[operator]

    return run  # type: ignore[return-value]


@quiet
def _sum_is_finite(a: Any) -> bool:
    return cmath.isfinite(np.add.reduce(a, axis=None))


_ONE_PASS = 4096  # above this size one sum costs less than isfinite's boolean array


def all_finite(a: Any) -> bool:
    """Whether every entry of ``a`` is finite. A large array takes one sum (NaN and ±inf
    propagate) and the exact test only when the sum is not finite (large finite entries may
    overflow it); a small one the exact test alone, which cannot warn."""
    if getattr(a, "size", 1) <= _ONE_PASS:
        return bool(np.isfinite(a).all())
    return _sum_is_finite(a) or bool(np.isfinite(a).all())


@quiet
def _largest(a: Any) -> float:
    return float(np.max(np.abs(np.real(a)), initial=0.0))


def _entry(name: str, v: Any, shape: tuple[int, ...], first: tuple[int, ...]) -> str:
    """An input beside a result: its entry where the result went wrong if it is shaped like the
    result (an elementwise map), else its largest magnitude."""
    v = np.asarray(v)
    if v.shape == shape and first:
        return f"{name}[{', '.join(map(str, first))}] = {v[first]:.3g}"
    return f"largest |{name}| = {_largest(v):.3g}"


def finite_result(
    op: str,
    arg: str,
    what: str,
    value: Any,
    inputs: dict[str, Any] | None = None,
    hint: str = "",
) -> Any:
    """``value`` (``what`` the operation computed: "sum z = Wx + b"), or the InputError naming
    ``arg`` that it left floating-point range. ``inputs`` are shown beside it (their entry where
    the result went wrong, or their largest magnitude), so the message says what was huge or tiny.
    A non-finite input (let in by ``assume_finite``) passes: the caller vouched for it.
    """
    if all_finite(value) or not all(all_finite(v) for v in (inputs or {}).values()):
        return value  # finite, or a NaN that came in under assume_finite: not ours to name
    a = np.asarray(value)
    bad = ~np.isfinite(a)
    where, first = "", ()
    if a.ndim:
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f" at {int(bad.sum())} of {a.size} entries, the first at index {first}"
    shown = ", ".join(_entry(k, v, a.shape, first) for k, v in (inputs or {}).items())
    big = np.finfo(a.dtype if a.dtype.kind in "fc" else np.float64).max
    raise InputError(
        op,
        arg,
        f"arguments whose {what} stays within floating-point range (|·| ≤ {big:.3g})",
        f"a {what} that overflows to ±inf or NaN{where}" + (f" ({shown})" if shown else ""),
        hint or "the true value is too large (or too small) for floating point: rescale",
    )


def scalar_as(v: Any, shape: tuple[int, ...]) -> Any:
    """A scalar (a Python or numpy number, or a 0-D array) reshaped to the 1-entry ``shape`` that
    an operation on vectors or matrices reads; anything else as it came (checked later)."""
    if isinstance(v, (int, float, complex, np.generic)) or (
        isinstance(v, np.ndarray) and v.ndim == 0
    ):
        return np.reshape(v, shape)
    return v
