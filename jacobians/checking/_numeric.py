"""Numeric differentiation: the independent referee for every closed form.

Three methods, each with an estimate of its own error, entry by entry:

==============  ========================================  ==================================
method          how                                       error estimate
==============  ========================================  ==================================
``central``     (f(x + h) − f(x − h)) / 2h, h = ∛ε·|x|    |D(h) − D(2h)| / 3 + rounding
``richardson``  Ridders' tableau of central differences   the tableau's own convergence
                at h, h/2, h/4, … extrapolated to h → 0
``complex``     Im f(x + ih) / h, h = 1e-30               a few ε·|J| (no cancellation)
``auto``        complex step if f is complex-safe,        as the method used
                else Richardson
==============  ========================================  ==================================

Complex step is exact to rounding for functions that are analytic and written without abs, conj or
real-only branches. A function that is not (it raises on complex input, drops the imaginary part,
or disagrees with a difference quotient) is refused with a clear error by ``method="complex"`` and
falls back to Richardson under ``method="auto"``.

Every evaluation of f is checked: it must return a finite numeric array (or scalar) of the same
shape each time, and give the same value twice at the same point. The rounding in every error
estimate is that of f's precision: an f that returns float32 (or float16), or is given x in it,
rounds at its ε, 1.2e-7, not float64's, and its difference quotients are known no better
(``_steps``; numpy 1 returns a float32 computation's 0.5 * sum as a float64, so x's dtype counts).

The cost is the calls of f (one per entry of x for complex step, two for central differences and
four more for their error, ten for Richardson) and a few operations per entry: f gets a read-only
view of one working point, moved one entry at a time (``_evaluate`` says what f may do with it).
A line of progress shows on a terminal when the work runs for more than a few seconds
(``progress=``; see ``_progress``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, check_bytes, describe

from .._structures import Dense
from ._calls import NotComplexSafeError, bind, function_name
from ._differences import _central, _complex, _ridders
from ._evaluate import _Evaluator
from ._progress import Progress, check_progress
from ._steps import ULPS, check_steps, output_eps, positive

__all__ = [
    "METHODS",
    "NUMERIC_MATRICES",
    "NumericJacobian",
    "Prepared",
    "by_method",
    "numeric",
    "numeric_jacobian",
    "prepare",
]

METHODS = ("central", "complex", "richardson", "auto")
# The dense matrices numeric keeps: the Jacobian and its error estimate (Richardson writes both as
# it goes; central and complex step compute the error when first asked). Columns are written into
# them in place, so the working memory beyond them is a few vectors.
NUMERIC_MATRICES = 2


class NumericJacobian(Dense):
    """A numeric Jacobian with an estimate of its own error.

    Attributes:
        error: estimated absolute error of each entry, the shape of ``.matrix``.
        method: the method that produced it (``"central"``, ``"complex"`` or ``"richardson"``).
        fallback: why ``method="auto"`` did not use complex step (None if it did).

    Shapes: ``.matrix`` and ``.error`` are (prod(out_shape), prod(in_shape)).
    """

    def __init__(
        self,
        M: np.ndarray,
        out_shape: Sequence[int],
        in_shape: Sequence[int],
        *,
        error: np.ndarray | Callable[[], np.ndarray],
        method: str,
        fallback: str | None = None,
        **labels: str,
    ) -> None:
        super().__init__(M, out_shape, in_shape, **labels)
        self._error = error
        self.method = method
        self.fallback = fallback

    @property
    def error(self) -> np.ndarray:
        """The estimated absolute error of each entry (computed on first use for central)."""
        if callable(self._error):
            self._error = self._error()
        return self._error

    @property
    def error_max(self) -> float:
        """The largest estimated absolute error of an entry."""
        return float(self.error.max())

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]}, {self.method}, error ≲ {self.error_max:.1e}>"


def numeric(
    f: Callable[..., Any],
    x: Any,
    method: str = "central",
    step: float | None = None,
    *,
    wrt: int | str | None = None,
    progress: bool | None = None,
) -> NumericJacobian:
    """The full Jacobian of ``f`` at ``x`` by numeric differentiation, in the toolkit's layout.

    Args:
        f: a function of one array returning an array or a scalar; or of several arguments,
            with ``x`` giving all of them and ``wrt`` naming the one to differentiate. f is
            given a read-only view of the point: an f that writes into its argument is given a
            copy at each call instead (slower), and one that keeps its argument keeps it
            unchanged.
        x: the point (an array); or a tuple of f's positional arguments, or a dict of its keyword
            arguments, when ``wrt`` is given.
        method: ``"central"`` (default), ``"richardson"`` (Ridders' extrapolation, about 100×
            more accurate, 5× the evaluations), ``"complex"`` (complex step: exact to rounding for
            analytic f; raises if f is not complex-safe) or ``"auto"`` (complex step when f is
            complex-safe, else Richardson).
        step: the step h; by default ∛ε·max(1, |xᵢ|) for central (ε the rounding unit of
            f's output: 2.2e-16 for float64, 1.2e-7 for float32), 1e-2·max(1, |xᵢ|) as the
            first of Richardson's halving steps, 1e-30 for complex. A step is refused, before f
            is called at a moved point, when some x ± h (or 2h, central's error estimate)
            leaves the floating-point range, or when x + h == x for some entry (h/16 for
            Richardson's last step), and when it gives a difference quotient that is not
            finite. The error estimates assume a step small enough that f is close to its
            Taylor polynomial around x (the h² term of the error dominates): for a step past
            f's scale of variation they can be far too small (tanh at 1 with step=10: central
            estimates 0.017, its error is 0.32). The default steps are small enough.
        wrt: the argument to differentiate: an index or a parameter name for a tuple ``x``, a key
            for a dict ``x``.
        progress: None (default) draws a line of progress on stderr when it is a terminal and
            the work runs for more than a few seconds; True always (any stream, from the
            start); False never.

    Returns:
        A :class:`NumericJacobian` (a dense Jacobian) with ``.error``, the estimated absolute error
        of each entry, ``.error_max`` and ``.method``.

    Raises:
        InputError: naming ``step`` for a step that cannot be taken (see ``step``).
        DenseLimitError: before any differentiation, when the Jacobian and its error estimate
            (two prod(out_shape) × prod(in_shape) float64 matrices) would pass the session's
            limit (``jacobians.set_dense_limit``); f has then been called twice, to learn its
            shape and that it gives the same value twice.

    Shapes: x (or x[wrt]) of shape in_shape, f(x) of shape out_shape ->
    prod(out_shape) × prod(in_shape).

    >>> numeric(lambda v: v**2, np.array([1.0, 2.0])).matrix.round(6)
    array([[2., 0.],
           [0., 4.]])
    >>> J = numeric(lambda W, x: W @ x, (np.eye(2), np.array([1.0, 2.0])), "complex", wrt="W")
    >>> J.matrix, J.in_shape
    (array([[1., 2., 0., 0.],
           [0., 0., 1., 2.]]), (2, 2))
    """
    return numeric_jacobian(f, x, method, step, wrt=wrt, progress=progress)


@dataclass
class Prepared:
    """f bound to the point, called there twice (its shape learnt, its determinism checked)."""

    f: Callable[..., Any]  # the function (an Operation's value)
    ev: _Evaluator  # calls f at moved points, checking each output
    point: np.ndarray  # float64, shaped like x (or x[wrt]); f only ever sees it read-only
    f0: np.ndarray  # f at the point
    call: Callable[[Callable[..., Any], np.ndarray], Any]  # g called like f, at another point
    name: str  # the argument differentiated
    of: str  # f's name for symbols
    eps: float  # the rounding unit of f's output (float32's when f computes in float32)

    @property
    def resolution(self) -> float:
        """The least slope f's rounding can show: a few ulps of |f(x)| over x's scale. A
        derivative below it (a gradient at a fitted point: 1.4e-16 where 0 is claimed, from
        one rounding of f's inner a − y) is zero to f's precision, whatever the method."""
        top = float(np.max(np.abs(self.f0))) if self.f0.size else 0.0
        return ULPS * self.eps * top / max(1.0, float(np.max(np.abs(self.point))))


def prepare(
    f: Callable[..., Any],
    x: Any,
    wrt: int | str | None,
    op: str,
    steps: Callable[[np.ndarray, str], None] | None = None,
) -> Prepared:
    """Check f and x, bind the argument to differentiate, call f there twice; ``steps(point,
    name)`` checks the steps at the point before f is first called."""
    if not callable(f):
        raise InputTypeError(op, "f", "a function", describe(f))
    if hasattr(f, "value") and hasattr(f, "rules"):  # an Operation: differentiate its value
        f = f.value
    point, call, name = bind(f, x, wrt, op)
    if point.dtype.kind == "c":
        point = point.real
    # a point in float32 says f computes in float32, where numpy 1 widens the output it returns
    # (0.5 * a float32 sum is a float64 there): its rounding counts as f's own
    given = float(np.finfo(point.dtype).eps) if point.dtype.kind == "f" else 0.0
    point = point.astype(np.float64)
    if steps is not None:
        steps(point, name)
    ev = _Evaluator(lambda v: call(f, v), point, name, op)
    f0 = np.array(ev(point, name))  # ours: f may hand back an array it reuses
    again = ev(point, name)
    if not np.array_equal(f0, again):
        raise InputError(
            op,
            "f",
            "a deterministic function (the same output twice at the same point)",
            f"outputs that differ by up to {np.abs(f0 - again).max():.3g} at {name}",
            "fix the random seed inside f, or switch off dropout and noise",
        )
    eps = max(output_eps(f0), given)
    return Prepared(f, ev, point, f0, call, name, function_name(f), eps)


def numeric_jacobian(
    f: Callable[..., Any],
    x: Any,
    method: str = "central",
    step: float | None = None,
    *,
    wrt: int | str | None = None,
    op: str = "numeric",
    progress: bool | None = None,
) -> NumericJacobian:
    """:func:`numeric`, named after ``op`` in its errors (``verify`` differentiates a Layer's
    pre and post with it)."""
    check_method(op, method)
    if step is not None:
        step = positive(op, step)
    progress = check_progress(op, progress)
    p = prepare(f, x, wrt, op, lambda point, name: check_steps(op, point, name, method, step))
    check_size(op, p.of, p.name, p.f0.size, p.point.size, NUMERIC_MATRICES)
    return differentiate(p, method, step, progress)


def check_method(op: str, method: Any) -> None:
    if not isinstance(method, str) or method not in METHODS:
        raise InputError(op, "method", " or ".join(map(repr, METHODS)), repr(method))


def by_method(
    p: Prepared,
    method: str,
    complex_step: Callable[[], Any],
    richardson: Callable[[], Any],
    central: Callable[[], Any],
) -> tuple[Any, str, str | None]:
    """(result, method used, why complex step was not): complex step first for "auto", falling
    back to Richardson where f is not complex-safe; the one dispatch of the full numeric Jacobian
    and of the directional derivatives of verify's fast check."""
    if method in ("complex", "auto"):
        try:
            return complex_step(), "complex", None
        except NotComplexSafeError as exc:
            if method == "complex":
                exc.args = (
                    f"{exc.args[0]}\n Hint: use method='auto' (falls back to Richardson) or "
                    "'richardson'",
                )
                raise
            why = " ".join(line.strip() for line in str(exc).splitlines()[1:])
            p.ev.out_shape = p.f0.shape
            return richardson(), "richardson", why
    if method == "richardson":
        return richardson(), "richardson", None
    return central(), "central", None


def differentiate(
    p: Prepared, method: str, step: float | None, progress: bool | None
) -> NumericJacobian:
    """The numeric Jacobian at the prepared point, by ``method`` (its fallback for auto)."""
    ev, point, f0 = p.ev, p.point, p.f0
    names = {"complex": "complex step", "richardson": "Richardson", "central": "central"}

    def shown(used: str) -> Progress:
        return Progress(
            f"numeric ∂{p.of}/∂{p.name}, {names[used]}",
            point.size,
            f"entries of {p.name}",
            progress,
        )

    (J, err), used, fallback = by_method(
        p,
        method,
        lambda: _complex(ev, point, f0, step, method == "auto", shown("complex"), p.eps),
        # a fallback from complex step takes Richardson's own steps, not one meant for complex step
        lambda: _ridders(
            ev, point, f0, step if method == "richardson" else None, shown("richardson"), p.eps
        ),
        lambda: _central(ev, point, f0.size, step, shown("central"), p.eps),
    )
    return NumericJacobian(
        J,
        f0.shape,
        point.shape,
        error=err,
        method=used,
        fallback=fallback,
        of=p.of,
        wrt=p.name,
        closed_form=f"numeric ({used})",
    )


def check_size(op: str, of: str, name: str, n_out: int, n_in: int, matrices: int) -> None:
    """Refuse, before the first difference, a Jacobian whose matrices would pass the limit."""
    kept = "kept with its error estimate"
    if matrices > NUMERIC_MATRICES:
        kept += f" and up to {matrices - NUMERIC_MATRICES} more of that size while {op} compares"
    check_bytes(
        op,
        f"the numeric Jacobian ∂{of}/∂{name}, a dense {n_out}×{n_in} matrix of float64"
        f" ({n_out} output entries by {n_in} entries of {name}), {kept},",
        matrices * n_out * n_in * 8,
        f"differentiate by fewer entries (a part of {name}, the rest held fixed inside f)",
    )
