"""Calling f at the points numeric differentiation moves to, and checking each output.

The cores hold the point in one buffer (:class:`WorkingPoint`), move one entry, call f, and put the
entry back: the full Jacobian then costs its calls of f and a few operations per entry, where a
copy of x per call made it grow with the square of x's size. f is given a *read-only view* of the
buffer, never the buffer itself, and never a copy it does not need. What f does with that view
cannot change a result:

- **writing** into it fails (its memory is lent through a read-only memoryview, so the flag cannot
  be set back). An f that writes into its argument (``v *= 2``) is called again on a copy of its
  own, and from then on gets a fresh copy at every call: its contract demands one, at the cost of a
  copy per call.
- **keeping** it (a cache of inputs, a list of the points seen) would let f see the buffer move
  later. After each call the view's owner is checked for references left behind; if f kept any,
  the buffer is left to f exactly as it was at that call and the work goes on in a fresh copy, so
  what f kept never changes again, as a copy would not.
- **returning** it, or a view of it (f = identity, ``v.reshape(…)``, ``v[::2]``), is caught too:
  an output that shares the buffer's memory is copied before the buffer moves again.

Every output is checked: numeric, finite, real (unless complex step asked for complex), non-empty,
and of one shape at every point.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, ShapeError, describe

from ._calls import NotComplexSafeError

__all__ = ["WorkingPoint"]

Where = str | Callable[[], str]  # the point, said in words: built only for an error message


class WorkingPoint:
    """The point as one flat buffer that a core moves one entry at a time and puts back.

    Read and write ``flat`` afresh after each call of f: when f keeps what it was given, the
    buffer it kept is left to it, and ``flat`` is a new one with the same values.
    """

    def __init__(self, x: np.ndarray, dtype: Any = np.float64) -> None:
        self.shape = x.shape
        self.retired = 0  # buffers left to an f that kept its argument
        self._use(np.array(x, dtype=dtype, order="C").reshape(-1))  # our own copy

    def _use(self, flat: np.ndarray) -> None:
        self.flat = flat
        # f gets views of this read-only owner; each view f keeps holds a reference to it (numpy
        # points every view of a view at the owner), so a count above this one means "kept"
        self.owner = _lend(flat)
        self.baseline = sys.getrefcount(self.owner)

    def kept(self) -> bool:
        return sys.getrefcount(self.owner) > self.baseline

    def retire(self) -> None:
        self._use(self.flat.copy())
        self.retired += 1


def _lend(buffer: np.ndarray) -> np.ndarray:
    """A read-only 1-D view of ``buffer`` whose WRITEABLE flag cannot be set back (its memory
    comes through a read-only memoryview)."""
    return np.frombuffer(memoryview(buffer).toreadonly(), dtype=buffer.dtype)


def _writes_argument(exc: BaseException) -> bool:
    """numpy's refusal to write into a read-only array ("assignment destination is read-only",
    "output array is read-only"), or a library's ("buffer source array is read-only")."""
    return isinstance(exc, ValueError) and "read-only" in str(exc)


class _Evaluator:
    """Calls f at moved points and checks each output: numeric, finite, of one shape."""

    def __init__(self, g: Callable[[np.ndarray], Any], x: np.ndarray, name: str, op: str) -> None:
        self.g, self.x, self.name, self.op = g, x, name, op
        self.out_shape: tuple[int, ...] | None = None
        self.copies = False  # f writes into its argument: it gets its own copy at every call
        self.calls = 0
        self.seconds = 0.0  # spent in f: what a full Jacobian's calls would cost, per call

    def where(self, k: int | None = None, h: float | complex = 0.0) -> str:
        if k is None:
            return self.name
        idx = np.unravel_index(k, self.x.shape) if self.x.ndim else ()
        entry = f"{self.name}[{', '.join(map(str, idx))}]" if idx else self.name
        return f"{self.name} with {entry} moved by {h:.3g}"

    def __call__(
        self, v: WorkingPoint | np.ndarray, where: Where, complex_ok: bool = False
    ) -> np.ndarray:
        """f at ``v`` (the working point, or an array of ours that f must not change), checked."""
        self.calls += 1
        point = v if isinstance(v, WorkingPoint) else None
        buffer = point.flat if point is not None else np.ascontiguousarray(v)
        if not self.copies:
            owner = point.owner if point is not None else _lend(buffer)
            start = time.perf_counter()
            try:
                y = self.g(owner.reshape(v.shape))
                self.seconds += time.perf_counter() - start
            except Exception as exc:
                if not _writes_argument(exc):
                    self._failed(exc, where, complex_ok)
                self.copies = True  # and call it again, below, on a copy of its own
            del owner
            if not self.copies:
                out = self.check(y, where, complex_ok, buffer)
                del y
                if point is not None and point.kept():
                    point.retire()  # f kept a view of the buffer: it keeps it as it is now
                return out
            if point is not None and point.kept():
                point.retire()  # the failed call's traceback may still hold the view
                buffer = point.flat
        try:
            y = self.g(buffer.reshape(v.shape).copy())
        except Exception as exc:
            self._failed(exc, where, complex_ok)
        return self.check(y, where, complex_ok, buffer)

    def _failed(self, exc: Exception, where: Where, complex_ok: bool) -> None:
        if isinstance(exc, NotComplexSafeError):
            raise exc
        if complex_ok:
            raise NotComplexSafeError(
                self.op, "f", "a function that accepts complex input", _raised(exc)
            ) from exc
        raise InputError(
            self.op, "f", f"a function that can be evaluated at {_said(where)}", _raised(exc)
        ) from exc

    def check(
        self, y: Any, where: Where, complex_ok: bool, buffer: np.ndarray | None = None
    ) -> np.ndarray:
        """``y`` as an array of ours (copied if it shares ``buffer``'s memory), or the error."""
        op = self.op
        if isinstance(y, (np.ndarray, np.generic)):  # the common case, in a few operations
            a = np.asarray(y)
            kind = a.dtype.kind
            if (kind == "f" or (kind == "c" and complex_ok)) and a.shape == self.out_shape:
                if buffer is not None and np.may_share_memory(a, buffer):
                    a = a.copy()  # f returned (a view of) its argument: the buffer will move
                if np.isfinite(a).all():
                    return a
        if hasattr(y, "value") and hasattr(y, "jacobians"):
            raise InputTypeError(
                op, "f", "a function returning an array", "an operation's Result", "return .value"
            )
        if y is None or isinstance(y, (str, bytes, dict, set)):
            raise InputTypeError(op, "f", "a function returning a numeric array", describe(y))
        try:
            a = np.asarray(y)
        except (ValueError, TypeError) as exc:
            raise InputTypeError(
                op, "f", "a function returning a numeric array", str(exc)
            ) from None
        if buffer is not None and np.may_share_memory(a, buffer):
            a = a.copy()  # f returned (a view of) its argument: the buffer is about to move
        if a.dtype.kind not in "iufc":
            raise InputTypeError(
                op, "f", f"a function returning a numeric array (at {_said(where)})", describe(a)
            )
        if a.dtype.kind == "c" and not complex_ok:
            raise InputTypeError(
                op,
                "f",
                f"a real-valued function (at {_said(where)})",
                f"complex output, {describe(a)}",
                "Jacobians here are real; return the real quantity you differentiate",
            )
        if a.size == 0:
            raise ShapeError(op, "f", "a function returning a non-empty array", describe(a))
        if self.out_shape is None:
            self.out_shape = a.shape
        elif a.shape != self.out_shape:
            raise ShapeError(
                op,
                "f",
                "a function whose output has the same shape at every point",
                f"shape {self.out_shape} at {self.name} but shape {a.shape} at {_said(where)}",
                "the output's shape must not depend on the input's values",
            )
        if not np.isfinite(a).all():
            finite = np.isfinite(a)
            first = tuple(int(i) for i in np.argwhere(~finite)[0])
            raise InputError(
                op,
                "f",
                f"finite values at {_said(where)}",
                f"{int((~finite).sum())} NaN or infinite entries, the first at output index "
                f"{first} ({a[first] if a.ndim else a.item()})",
                "the point (or a step from it) may lie outside f's domain",
            )
        return a


def _said(where: Where) -> str:
    return where if isinstance(where, str) else where()


def _raised(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"it raised {type(exc).__name__}: {text}" if text else f"it raised {type(exc).__name__}"
