"""The argument checks of the structures: shapes, arrays, dtypes, Kronecker factors, and the
operand of ``left`` and ``right``.

The operations build structured Jacobians from arrays they have checked; users build them from
anything at all. So a constructor checks its arrays the way the operations check theirs
(:func:`reshape.as_array`: numeric, non-empty, finite unless inside :func:`reshape.assume_finite`;
lists converted), and its shapes as sizes: whole numbers ≥ 1, never truncated (2.5 is not 2),
small enough for numpy to index. Nothing here allocates in proportion to a size.
"""

from __future__ import annotations

import cmath
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from math import prod
from typing import NamedTuple

import numpy as np

from reshape import (
    InputError,
    InputTypeError,
    ShapeError,
    as_array,
    assume_finite,
    describe,
    is_whole,
)

__all__ = [
    "MAX_ENTRIES",
    "Structure",
    "all_finite",
    "applied",
    "building",
    "checked_array",
    "checked_dtype",
    "checked_factor",
    "checked_label",
    "checked_operand",
    "checked_shape",
    "finite_result",
    "fmt_shape",
    "from_builder",
    "from_checked",
    "given_shapes",
    "largest",
    "products_are_tested",
    "products_tested",
    "squeezed",
    "within_range",
]

MAX_ENTRIES = 2**62  # numpy counts entries in intp: a shape with more cannot index an array
_SHAPE = "a shape: a sequence of whole numbers ≥ 1, such as (3, 4)"


def squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    """The shape without its axes of size 1: (3, 1) and (3,) both give (3,)."""
    return tuple(s for s in shape if s != 1)


def fmt_shape(shape: tuple[int, ...]) -> str:
    """A shape for messages and tables: ``3×4``, or ``scalar`` for ()."""
    return "×".join(map(str, shape)) if shape else "scalar"


def given_shapes(
    op: str,
    out_shape: Sequence[int] | None,
    in_shape: Sequence[int] | None,
    default: tuple[tuple[int, ...], tuple[int, ...]],
    expected: Callable[[], str],
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(out_shape, in_shape), each None replaced by its default; refused unless each is a shape
    (whole numbers ≥ 1) with as many entries as its default (a structure's matrix may stand for
    any shapes of those sizes). ``expected`` is worded only for the error: every gradient builds
    Kronecker factors."""
    if out_shape is None and in_shape is None:  # the common case: the factors' own shapes
        return default
    if _BUILDING.get():  # a rule builder's shapes, read off the checked arrays they fit
        return (
            default[0] if out_shape is None else tuple(out_shape),
            default[1] if in_shape is None else tuple(in_shape),
        )
    out = default[0] if out_shape is None else checked_shape(op, "out_shape", out_shape)
    inn = default[1] if in_shape is None else checked_shape(op, "in_shape", in_shape)
    if prod(out) != prod(default[0]) or prod(inn) != prod(default[1]):
        raise ShapeError(op, "out_shape/in_shape", expected(), f"out_shape {out}, in_shape {inn}")
    return out, inn


class Structure(NamedTuple):
    """What the product planner needs to know of a Jacobian: its kind and dimensions, no data.

    >>> from jacobians import Kronecker
    >>> Kronecker(2, np.ones((1, 3))).structure  # I_2 ⊗ xᵀ
    Structure(kind='kronecker', rows=2, cols=6, left=(2, 2, True), right=(1, 3, False), block=None,
              terms=None, low_rank=None)
    """

    kind: str
    rows: int
    cols: int
    left: tuple[int, int, bool] | None = None  # Kronecker L: (rows, cols, is_identity)
    right: tuple[int, int, bool] | None = None  # Kronecker R
    block: int | None = None  # block-diagonal, diagonal plus low rank: each sample's size n
    terms: tuple[Structure, ...] | None = None  # sum: the structures of its terms
    # diagonal plus low rank: (k, axis), the k columns of each sample's U and V, and the axis its
    # samples run along (1: each column of an (n, d) batch, 2: each row); two such structures
    # meet sample by sample only where both agree
    low_rank: tuple[int, int] | None = None


_BUILDING: ContextVar[bool] = ContextVar("jacobians_building", default=False)


class from_checked(assume_finite):  # noqa: N801 - used as a function, like assume_finite
    """Within the block, structures are made by the operations' rule builders from contexts
    their ``prepare`` checked: the constructors take those arrays and factors as given (no scan
    for NaN and infinity, as in :func:`reshape.assume_finite`, and no type, dtype or dimension
    check either, which the builders satisfy by construction). A builder still tests what it
    computes (a derivative out of range is refused by name); a structure a user makes outside
    the block is checked in full."""

    __slots__ = ("_building",)

    def __enter__(self) -> None:
        super().__enter__()  # first: it refuses a block entered again, before anything is set
        self._building = _BUILDING.set(True)

    def __exit__(self, *exc: object) -> None:
        _BUILDING.reset(self._building)
        super().__exit__(*exc)


def building() -> bool:
    """Whether the caller is inside :func:`from_checked`."""
    return _BUILDING.get()


_TESTED: ContextVar[bool] = ContextVar("jacobians_products_tested", default=False)


class products_tested(from_checked):  # noqa: N801 - used as a function, like from_checked
    """:func:`from_checked` for a caller that tests every product it computes finite and, where
    one is not, reruns the checked path for its named refusal (``net.MLP``'s jacobian gradient
    tests each layer's δ, as its shortcut does). Within the block a rule builder need not test a
    derivative it multiplies on (a NaN or infinity in σ′ reaches δ = g ⊙ σ′ whatever g is), and
    numpy's floating-point warnings are off once for the block, not once per operation."""

    __slots__ = ("_quiet", "_tested")

    def __enter__(self) -> None:
        super().__enter__()  # first, as in from_checked
        self._tested = _TESTED.set(True)
        self._quiet = np.errstate(all="ignore")
        self._quiet.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._quiet.__exit__(*exc)
        _TESTED.reset(self._tested)
        super().__exit__(*exc)


def products_are_tested() -> bool:
    """Whether the caller is inside :func:`products_tested`."""
    return _TESTED.get()


def from_builder(x: object) -> bool:
    """Whether ``x`` is an array a rule builder made inside :func:`from_checked`: a float or
    complex ndarray, taken as given."""
    return type(x) is np.ndarray and _BUILDING.get() and x.dtype.kind in "fc"


def checked_shape(op: str, arg: str, shape: object) -> tuple[int, ...]:
    """``shape`` as a tuple of ints ≥ 1 with at most :data:`MAX_ENTRIES` entries in all.

    >>> checked_shape("Identity", "shape", [2, np.int64(3)])
    (2, 3)
    """
    if type(shape) is tuple:  # the common case: every structure made checks its shapes
        n = len(shape)
        if n == 1:  # unrolled for one and two entries, most shapes: a generator costs more
            (a,) = shape
            if type(a) is int and 1 <= a <= MAX_ENTRIES:
                return shape
        elif n == 2:
            a, b = shape
            if type(a) is int and type(b) is int and a >= 1 and b >= 1 and a * b <= MAX_ENTRIES:
                return shape
        elif all(type(s) is int and s >= 1 for s in shape) and prod(shape) <= MAX_ENTRIES:
            return shape
    if isinstance(shape, (str, bytes)) or not isinstance(shape, (Sequence, np.ndarray)):
        raise InputTypeError(op, arg, _SHAPE, describe(shape))
    out = []
    for i, s in enumerate(shape):
        if not is_whole(s):
            raise InputTypeError(op, arg, _SHAPE, f"{shape!r}, whose entry {i} is {s!r}")
        if s < 1:
            raise InputError(op, arg, _SHAPE, f"{shape!r}, whose entry {i} is {s}")
        out.append(int(s))
    if prod(out) > MAX_ENTRIES:
        raise InputError(
            op, arg, "a shape of at most 2**62 entries (numpy's index range)", repr(shape)
        )
    return tuple(out)


def checked_array(
    op: str, arg: str, x: object, ndims: tuple[int, ...] | None = None, expected: str = ""
) -> np.ndarray:
    """``x`` checked as :func:`reshape.as_array` checks (lists converted, integers promoted),
    with ``ndim`` in ``ndims`` if given. An ndarray subclass is kept (a test's counting array):
    it is checked through a plain view."""
    if from_builder(x):
        if ndims is None or x.ndim in ndims:
            return x  # made by a rule builder from checked arrays (from_checked)
    a = as_array(x, op, arg)
    if isinstance(x, np.ndarray) and type(x) is not np.ndarray:
        a = x if a.dtype == x.dtype else x.astype(a.dtype)
    if ndims is not None and a.ndim not in ndims:
        raise ShapeError(op, arg, expected, f"shape {a.shape}")
    return a


def checked_dtype(op: str, arg: str, dtype: object) -> np.dtype:
    """A float or complex dtype (None is numpy's default, float64)."""
    try:
        dt = np.dtype(dtype)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise InputTypeError(op, arg, "a float or complex dtype", repr(dtype)) from None
    if dt.kind not in "fc":
        raise InputTypeError(op, arg, "a float or complex dtype", f"dtype {dt}")
    return dt


def checked_factor(op: str, arg: str, F: object) -> np.ndarray | int:
    """A Kronecker factor: a 2-D numeric matrix, or a whole number k ≥ 1 standing for I_k (which
    is never made, so k may be large)."""
    if _BUILDING.get() and (
        type(F) is int or (type(F) is np.ndarray and F.ndim == 2 and F.dtype.kind in "fc")
    ):
        return F  # made by a rule builder from checked arrays (from_checked)
    if is_whole(F):
        if not 1 <= F <= MAX_ENTRIES:  # type: ignore[operator]
            raise InputError(op, arg, "a whole number k ≥ 1 for I_k, or a 2-D matrix", repr(F))
        return int(F)  # type: ignore[arg-type]
    if isinstance(F, (bool, np.bool_, float, np.floating)):  # 2.5: no identity of that size
        raise InputTypeError(op, arg, "a 2-D matrix, or a whole number k for I_k", repr(F))
    return checked_array(op, arg, F, (2,), "a 2-D matrix, or a whole number k for I_k")


def checked_label(op: str, arg: str, text: object, optional: bool = False) -> None:
    """A label is text (the closed form and its LaTeX may be None: the symbol is shown)."""
    if not (isinstance(text, str) or (optional and text is None)):
        raise InputTypeError(op, arg, "text", describe(text))


def checked_operand(op: str, M: object, rows: int | None, cols: int | None) -> np.ndarray:
    """The dense operand of ``left`` (``rows`` given) or ``right`` (``cols`` given): a 2-D
    numeric matrix whose inner size meets the Jacobian's."""
    side = "rows" if rows is not None else "columns"
    need = rows if rows is not None else cols
    hint = "a vector v is a column v[:, None] from the left, a row v[None, :] from the right"
    a = checked_array(op, "M", M)
    if a.ndim != 2 or a.shape[0 if rows is not None else 1] != need:
        raise ShapeError(op, "M", f"a 2-D matrix with {need} {side}", f"shape {a.shape}", hint)
    return a


def all_finite(a: np.ndarray) -> bool:
    """Whether every entry of a result is finite: one sum when it is (NaN and ±inf propagate),
    the exact test when the sum overflows. Warnings are silenced: an overflow is the caller's to
    refuse, by name. A subclass (a test's counting array) is tested through a plain view."""
    a = np.asarray(a)
    with np.errstate(over="ignore", invalid="ignore"):
        return cmath.isfinite(np.add.reduce(a, axis=None)) or bool(np.isfinite(a).all())


# A bound below the largest finite number of the result's dtype by a margin of about 1e8 (the
# rounding of a sum of n terms grows it by n·eps at most) cannot overflow: 1e300 for float64 as
# ever, 1.9e30 for float32, 3.6e-4 for float16 (whose products are scanned). It is read off the
# operand M's dtype: numpy promotes, so the result's dtype is M's or wider, never narrower (a
# float64 structure applied to a float32 M is scanned, not bounded). A dtype not in the table
# (another byte order) has bound 0: its results are scanned. The bound is a Python float, so a
# long double's is float64's.
_F64_MAX = np.finfo(np.float64).max


def _bound(t: type) -> float:
    top = np.finfo(t).max
    return 1e300 if top >= _F64_MAX else float(top / _F64_MAX) * 1e300


_F64 = np.dtype(np.float64)
_REALS = (np.float16, np.float32, np.float64, np.longdouble)
_SAFE = {np.dtype(t): _bound(t) for t in (*_REALS, np.complex64, np.complex128, np.clongdouble)}


def within_range(bound: float, dtype: np.dtype) -> bool:
    """Whether numbers no larger than ``bound`` in magnitude are safely finite in ``dtype``
    (below :data:`_SAFE`'s bound for it; float64 first, the hot path, without hashing)."""
    return bound < (1e300 if dtype is _F64 else _SAFE.get(dtype, 0.0))


def largest(a: np.ndarray) -> float:
    """max |a|, without a temporary array for a real one (two passes of a reduction); a
    subclass (a test's counting array) through a plain view, as the checks count no work."""
    a = np.asarray(a)
    if a.dtype.kind == "c":
        return float(np.abs(a).max())
    return float(max(a.max(), -a.min()))


def applied(
    apply: Callable[[np.ndarray], np.ndarray], M: np.ndarray, gain: float | None
) -> tuple[np.ndarray, bool]:
    """(apply(M), whether it is finite), the test as :func:`finite_result` makes it: by the
    bound ``gain``·max|M| where that is safely below the largest number of the result's dtype
    (:data:`_SAFE`), else by a scan of the result, computed without a warning."""
    if gain is not None and within_range(gain * largest(M), M.dtype):
        return apply(M), True
    with np.errstate(over="ignore", invalid="ignore"):
        out = apply(M)
    return out, all_finite(out)


def finite_result(
    op: str, apply: Callable[[np.ndarray], np.ndarray], M: np.ndarray, gain: float | None
) -> np.ndarray:
    """``apply(M)`` (a structure's own left or right), refused by name where the product of a
    finite Jacobian and a finite M overflows: no warning, no infinity returned.

    ``gain`` bounds the growth of the structure's action (|J·M| ≤ gain·max|M| entrywise; 1 for a
    map that only moves entries): where gain·max|M| is safely within the range of the result's
    dtype (float32's is 3.4e38, float64's 1.8e308), the result is finite, and its
    entries are not scanned (a Kronecker factor's gradient I_n ⊗ xᵀ has n·m of them, its
    bound costs n + m). None: the result is scanned."""
    out, finite = applied(apply, M, gain)
    if not finite:
        raise InputError(
            op,
            "M",
            "a matrix whose product with the Jacobian stays within floating-point range",
            f"a product that overflows to ±inf (largest |M| = {np.abs(np.asarray(M)).max():.3g})",
        )
    return out
