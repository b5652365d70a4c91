"""Errors and argument checks shared by every layer.

Every message names the operation, the argument, what was expected and what came, in the two-layer
form of einops: the first line says where it happened, the rest what was wrong and how to fix it.
"""

from __future__ import annotations

import cmath
import math
import numbers
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import numpy as np

__all__ = [
    "InputError",
    "ShapeError",
    "as_array",
    "as_real",
    "as_size",
    "assume_finite",
    "check_finite",
    "describe",
    "finite_assumed",
    "is_whole",
]


class InputError(ValueError):
    """Bad input to an operation: names the operation, the argument, the expectation, what came."""

    def __init__(self, op: str, arg: str, expected: str, got: str, hint: str | None = None) -> None:
        self.op, self.arg, self.expected, self.got, self.hint = op, arg, expected, got, hint
        lines = [f"{op}: bad argument {arg!r}.", f" Expected {expected}.", f" Received {got}."]
        if hint:
            lines.append(f" Hint: {hint}")
        super().__init__("\n".join(lines))


class ShapeError(InputError):
    """An argument whose shape does not fit: the message gives the expected and received shapes."""


class InputTypeError(InputError, TypeError):
    """An argument of the wrong kind (boolean, object, text, not an array at all)."""


_ONE_PASS = 4096  # above this size the sum test is cheaper than np.errstate's set-up


_ASSUME_FINITE: ContextVar[bool] = ContextVar("assume_finite", default=False)


class assume_finite:  # noqa: N801 - used as a function: with assume_finite(): ...
    """Within the block, skip the scans that prove array arguments finite.

    For a caller that has already checked its data, like ``net.MLP``, whose inputs, targets and
    parameters are checked once per call and whose operations feed each other arrays they made.
    Everything else is still checked: types, dtypes, shapes, and outputs that overflow. (A class,
    not a generator: a gradient enters it once per layer, and a generator's context costs more.)

    >>> with assume_finite():
    ...     as_array([1.0, float("nan")], "op", "x")
    array([ 1., nan])
    """

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        # one block per object: a second entry would lose the first's token, and with it the
        # way back, leaving every later call unchecked; refused before anything is set
        if hasattr(self, "_token"):
            raise RuntimeError(
                f"{type(self).__name__}: this block is open already; "
                f"enter a new one (with {type(self).__name__}(): ...)"
            )
        self._token = _ASSUME_FINITE.set(True)

    def __exit__(self, *exc: object) -> None:
        token = self._token
        del self._token
        _ASSUME_FINITE.reset(token)


def finite_assumed() -> bool:
    """Whether the caller is inside :func:`assume_finite`."""
    return _ASSUME_FINITE.get()


def describe(x: Any) -> str:
    """A short description of a value for error messages: its type; shape and dtype for arrays."""
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    return a_type(x)


def a_type(x: Any) -> str:
    """``a float``, ``an int``: x's type with its article."""
    name = type(x).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def as_array(x: Any, op: str, arg: str, *, finite: bool = True) -> np.ndarray:
    """Validate ``x`` as a finite, non-empty numeric array and return it.

    Integers are promoted to float64; float and complex dtypes are kept (complex inputs exist for
    complex-step differentiation). Booleans, objects and text are refused, as are NaN, infinities
    and empty arrays. ``finite=False`` leaves the finiteness test to a caller that can do it more
    cheaply on a result (see ``jacobians.linear``).

    Shapes: any.

    >>> as_array([1, 2], "vec", "A").dtype
    dtype('float64')
    """
    if type(x) is np.ndarray:  # the common case, without the conversions below
        a = x
    elif isinstance(x, (str, bytes)):
        raise InputTypeError(op, arg, "a numeric array", describe(x))
    else:
        try:
            a = np.asarray(x)
        except (ValueError, TypeError) as exc:  # ragged nested lists
            raise InputTypeError(op, arg, "a numeric array", f"{describe(x)} ({exc})") from None
    kind = a.dtype.kind
    if kind == "b":
        raise InputTypeError(
            op, arg, "a numeric array", describe(a), "convert with .astype(float) if 0/1 is meant"
        )
    if kind not in "iufc":  # None or a dict became a 0-D object array: name what was passed
        got = describe(a) if isinstance(x, (np.ndarray, list, tuple)) else _shown(x)
        raise InputTypeError(op, arg, "a numeric array (integer, float or complex)", got)
    if kind in "iu":
        a = a.astype(np.float64)
    if a.size == 0:
        raise ShapeError(op, arg, "a non-empty array", describe(a))
    if not finite or _ASSUME_FINITE.get():
        return a
    return _finite(a, op, arg)


def check_finite(a: np.ndarray, op: str, arg: str) -> np.ndarray:
    """Refuse NaN and infinities in the numeric array ``a`` (even inside :func:`assume_finite`),
    naming how many and the first; return ``a``. Anything but a non-empty numeric array (a list
    is converted) is refused as :func:`as_array` refuses it.

    >>> try:
    ...     check_finite(np.array([1.0, np.inf]), "op", "x")
    ... except InputError as e:
    ...     print(e.got[-47:])
    infinite entries, the first at index (1,) (inf)
    """
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "iufc" or a.size == 0:
        a = as_array(a, op, arg, finite=False)
    return _finite(a, op, arg)


def _finite(a: np.ndarray, op: str, arg: str) -> np.ndarray:
    """:func:`check_finite` of an array :func:`as_array` has checked."""
    if a.size > _ONE_PASS:
        # One pass: a sum is finite only if every entry is (NaN and ±inf propagate); an
        # overflowing sum of finite entries falls through to the exact test below.
        with np.errstate(over="ignore", invalid="ignore"):
            total = np.add.reduce(a, axis=None)
        if cmath.isfinite(total):  # a numpy scalar is a Python number: no ufunc call
            return a
    finite = np.isfinite(a)
    if finite.all():
        return a
    bad = np.argwhere(~finite)
    first = tuple(int(i) for i in bad[0])
    raise InputError(
        op,
        arg,
        "finite entries",
        f"{describe(a)} with {len(bad)} NaN or infinite entries, the first at index {first}"
        f" ({a[first] if a.ndim else a.item()})",
    )


def is_whole(n: Any) -> bool:
    """Whether n is a whole number as sizes are given: an int or a numpy integer, not a bool.

    >>> is_whole(np.int64(3)), is_whole(3.0), is_whole(True)
    (True, False, False)
    """
    return isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_))


def as_size(n: Any, op: str, arg: str, minimum: int = 1) -> int:
    """A size: a whole number ≥ ``minimum`` (an int or a numpy integer), returned as an int.

    Sizes are never rounded (2.5 is not 2, nor 2.0 quietly 2), and text, booleans, NaN and
    infinities are refused with the toolkit's error rather than Python's TypeError or
    OverflowError.

    >>> as_size(np.int64(3), "commutation", "m")
    3
    """
    if not is_whole(n):
        hint = None
        if isinstance(n, (float, np.floating)) and cmath.isfinite(n) and n == int(n):
            hint = f"sizes are not rounded: pass int({n!r})"
        raise InputTypeError(op, arg, f"a whole number ≥ {minimum} (an int)", _shown(n), hint)
    if n < minimum:
        raise InputError(op, arg, f"a whole number ≥ {minimum}", repr(int(n)))
    return int(n)


def as_real(
    x: Any, op: str, arg: str, expected: str = "a finite real number",
    within: Callable[[float], bool] | None = None,
) -> float:  # fmt: skip
    """A real option (a slope, a step, a tolerance, a learning rate) as a Python float: an int or
    a float, numpy's too, or a 0-d array of one, as numpy's functions take them. Never a bool, a
    complex number (not even with 0j imaginary: ``float()`` would drop it with a warning) or
    text: those raise :class:`InputTypeError`; a value that is not finite, or not ``within``
    the option's range, :class:`InputError`. ``expected`` says the range in words.

    >>> as_real(np.array(0.5), "leaky_relu", "alpha")
    0.5
    """
    if isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "iuf":
        x = x[()]
    if not isinstance(x, numbers.Real) or isinstance(x, (bool, np.bool_)):
        raise InputTypeError(op, arg, expected, _shown(x))
    try:
        v = float(x)
    except OverflowError:  # an int past float range
        v = math.inf
    if not math.isfinite(v) or (within is not None and not within(v)):
        raise InputError(op, arg, expected, repr(x) if len(repr(x)) <= 40 else describe(x))
    return v


def _shown(x: Any) -> str:
    """A value for messages: small scalars and text by repr, anything else by its description."""
    if (
        isinstance(x, (str, bytes, int, float, complex, np.generic, type(None)))
        and len(repr(x)) <= 40
    ):
        return f"{x!r} ({a_type(x)})"
    return describe(x)
