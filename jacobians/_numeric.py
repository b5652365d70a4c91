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
shape each time, and give the same value twice at the same point.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, ShapeError, as_array, describe

from ._jacobian import Dense

__all__ = ["METHODS", "NumericJacobian", "bind", "function_name", "numeric"]

METHODS = ("central", "complex", "richardson", "auto")
_EPS = float(np.finfo(np.float64).eps)
_ROUND = 8 * _EPS  # rounding of one evaluation of f: a few ulps of |f|, more after cancellation
_ComplexWarning = getattr(getattr(np, "exceptions", np), "ComplexWarning", Warning)


class NotComplexSafeError(InputError):
    """f cannot be differentiated by complex step (see the message for why)."""


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


# ----- which argument: f(x); f(*args), wrt an index or a name; f(**kwargs), wrt a name -----


def bind(
    f: Callable[..., Any], x: Any, wrt: int | str | None, op: str = "numeric"
) -> tuple[np.ndarray, Callable[[Callable[..., Any], np.ndarray], Any], str]:
    """Resolve the point to differentiate at: (point, call, name).

    ``call(g, v)`` calls ``g`` (f, or anything with f's signature) with the differentiated argument
    replaced by ``v`` and the others as given; ``name`` names the argument (``"x"`` when f has one).
    """
    if wrt is None:
        if isinstance(x, dict):
            raise InputError(
                op,
                "wrt",
                "the name of the argument to differentiate when x is a dict of f's arguments",
                f"wrt=None with arguments {', '.join(map(repr, x))}",
            )
        try:
            point = as_array(x, op, "x")
        except InputTypeError as exc:
            if isinstance(x, (tuple, list)):
                exc.args = (
                    f"{exc.args[0]}\n Hint: for a function of several arguments give them as a "
                    "tuple or dict and name the one to differentiate: wrt=1 or wrt='W'",
                )
            raise
        return point, lambda g, v: g(v), _first_parameter(f)
    if isinstance(x, dict):
        if wrt not in x:
            raise InputError(
                op, "wrt", f"one of the arguments {', '.join(map(repr, x))}", repr(wrt)
            )
        point = as_array(x[wrt], op, f"x[{wrt!r}]")
        return point, lambda g, v: g(**{**x, wrt: v}), str(wrt)
    if isinstance(x, (tuple, list)):
        index = _position(f, x, wrt, op)
        point = as_array(x[index], op, f"x[{index}]")
        name = wrt if isinstance(wrt, str) else f"x[{index}]"

        def call(g: Callable[..., Any], v: np.ndarray) -> Any:
            return g(*x[:index], v, *x[index + 1 :])

        return point, call, name
    raise InputError(
        op,
        "x",
        f"a tuple or dict of f's arguments when wrt={wrt!r} names one of them",
        describe(x),
        "for a function of one array, leave wrt out",
    )


def _first_parameter(f: Callable[..., Any]) -> str:
    """The name of f's first parameter (``W`` for ``def cost(W)``), or ``x``."""
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return "x"
    if params and params[0].kind in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
        return params[0].name
    return "x"


def function_name(f: Callable[..., Any]) -> str:
    """f's name for symbols (``cost`` in ∂cost/∂W), or ``f`` for a lambda."""
    name = getattr(f, "__name__", "")
    return name if name.isidentifier() and name != "<lambda>" else "f"


def _position(f: Callable[..., Any], args: Sequence[Any], wrt: int | str, op: str) -> int:
    if isinstance(wrt, (bool, np.bool_)) or not isinstance(wrt, (int, np.integer, str)):
        raise InputError(op, "wrt", "an argument's index (int) or name (str)", repr(wrt))
    if isinstance(wrt, str):
        try:
            names = [
                p.name
                for p in inspect.signature(f).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
        except (TypeError, ValueError):
            names = []
        if wrt not in names[: len(args)]:
            raise InputError(
                op,
                "wrt",
                f"the name of one of f's first {len(args)} positional parameters "
                f"({', '.join(names[: len(args)]) or 'none readable'})",
                repr(wrt),
                "or give the arguments as a dict, or wrt as an index",
            )
        return names.index(wrt)
    if not -len(args) <= int(wrt) < len(args):
        raise InputError(op, "wrt", f"an index into the {len(args)} arguments", repr(wrt))
    return int(wrt) % len(args)


# ----- evaluating f, with every check on what it returns -----


class _Evaluator:
    """Calls f at perturbed points and checks each output: numeric, finite, of one shape."""

    def __init__(self, g: Callable[[np.ndarray], Any], x: np.ndarray, name: str, op: str) -> None:
        self.g, self.x, self.name, self.op = g, x, name, op
        self.out_shape: tuple[int, ...] | None = None

    def where(self, k: int | None = None, h: float | complex = 0.0) -> str:
        if k is None:
            return self.name
        idx = np.unravel_index(k, self.x.shape) if self.x.ndim else ()
        entry = f"{self.name}[{', '.join(map(str, idx))}]" if idx else self.name
        return f"{self.name} with {entry} moved by {h:.3g}"

    def __call__(self, v: np.ndarray, where: str, complex_ok: bool = False) -> np.ndarray:
        try:
            y = self.g(v.copy())
        except NotComplexSafeError:
            raise
        except Exception as exc:
            if complex_ok:
                raise NotComplexSafeError(
                    self.op, "f", "a function that accepts complex input", _raised(exc)
                ) from exc
            raise InputError(
                self.op, "f", f"a function that can be evaluated at {where}", _raised(exc)
            ) from exc
        return self.check(y, where, complex_ok)

    def check(self, y: Any, where: str, complex_ok: bool) -> np.ndarray:
        op = self.op
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
        if a.dtype.kind not in "iufc":
            raise InputTypeError(
                op, "f", f"a function returning a numeric array (at {where})", describe(a)
            )
        if a.dtype.kind == "c" and not complex_ok:
            raise InputTypeError(
                op,
                "f",
                f"a real-valued function (at {where})",
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
                f"shape {self.out_shape} at {self.name} but shape {a.shape} at {where}",
                "the output's shape must not depend on the input's values",
            )
        finite = np.isfinite(a)
        if not finite.all():
            first = tuple(int(i) for i in np.argwhere(~finite)[0])
            raise InputError(
                op,
                "f",
                f"finite values at {where}",
                f"{int((~finite).sum())} NaN or infinite entries, the first at output index "
                f"{first} ({a[first] if a.ndim else a.item()})",
                "the point (or a step from it) may lie outside f's domain",
            )
        return a


def _raised(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"it raised {type(exc).__name__}: {text}" if text else f"it raised {type(exc).__name__}"


# ----- the methods -----


def _central_at(
    ev: _Evaluator, x: np.ndarray, step: float | None, mult: float
) -> tuple[np.ndarray, np.ndarray]:
    """Central differences at mult·h, and their rounding error."""
    flat = x.reshape(-1)
    cols, rounding = [], []
    for k in range(flat.size):
        h = mult * (np.cbrt(_EPS) * max(1.0, abs(flat[k])) if step is None else step)
        xp, xm = flat.copy(), flat.copy()
        xp[k] += h
        xm[k] -= h
        fp = ev(xp.reshape(x.shape), ev.where(k, h)).astype(np.float64).reshape(-1)
        fm = ev(xm.reshape(x.shape), ev.where(k, -h)).astype(np.float64).reshape(-1)
        cols.append((fp - fm) / (xp[k] - xm[k]))
        rounding.append(_ROUND * (np.abs(fp) + np.abs(fm)) / (xp[k] - xm[k]))
    return np.stack(cols, axis=1), np.stack(rounding, axis=1)


def _central(ev: _Evaluator, x: np.ndarray, step: float | None) -> tuple:
    """Central differences, and a thunk for their error: |D(h) − D(2h)|/3 (the h² term) + rounding.

    The error needs as many evaluations again, so it is computed when first asked for.
    """
    J, rounding = _central_at(ev, x, step, 1.0)
    return J, lambda: np.abs(J - _central_at(ev, x, step, 2.0)[0]) / 3 + rounding


def _ridders(ev: _Evaluator, x: np.ndarray, f0: np.ndarray, step: float | None) -> tuple:
    """Ridders' method: central differences at h/2^i, extrapolated in a Neville tableau."""
    flat = x.reshape(-1)
    n_out, n_in = f0.size, flat.size
    J, err = np.empty((n_out, n_in)), np.empty((n_out, n_in))
    levels, c2 = 5, 4.0
    for k in range(n_in):
        h0 = (1e-2 * max(1.0, abs(flat[k]))) if step is None else step
        for attempt in range(4):  # shrink the first step if it leaves f's domain
            try:
                J[:, k], err[:, k] = _ridders_one(ev, x, flat, k, h0, levels, c2)
                break
            except InputError:
                if attempt == 3 or step is not None:
                    raise
                h0 /= 10
    return J, err


def _ridders_one(
    ev: _Evaluator, x: np.ndarray, flat: np.ndarray, k: int, h0: float, levels: int, c2: float
) -> tuple[np.ndarray, np.ndarray]:
    T: list[list[np.ndarray]] = []
    best, best_err = None, None
    h = h0
    for i in range(levels):
        xp, xm = flat.copy(), flat.copy()
        xp[k] += h
        xm[k] -= h
        fp = ev(xp.reshape(x.shape), ev.where(k, h)).astype(np.float64).reshape(-1)
        fm = ev(xm.reshape(x.shape), ev.where(k, -h)).astype(np.float64).reshape(-1)
        row = [(fp - fm) / (xp[k] - xm[k])]
        rounding = _ROUND * (np.abs(fp) + np.abs(fm)) / (xp[k] - xm[k])
        fac = c2
        for j in range(1, i + 1):
            row.append((row[j - 1] * fac - T[i - 1][j - 1]) / (fac - 1))
            e = np.maximum(np.abs(row[j] - row[j - 1]), np.abs(row[j] - T[i - 1][j - 1]))
            e = e + rounding
            if best is None:
                best, best_err = row[j].copy(), e
            else:
                better = e < best_err
                best[better], best_err[better] = row[j][better], e[better]
            fac *= c2
        T.append(row)
        h /= 2
    return best, best_err  # type: ignore[return-value]


def _complex(
    ev: _Evaluator, x: np.ndarray, f0: np.ndarray, step: float | None, check: bool
) -> tuple[np.ndarray, np.ndarray]:
    flat = x.reshape(-1)
    h = 1e-30 if step is None else step
    J = np.empty((f0.size, flat.size))
    base = f0.astype(np.float64).reshape(-1)
    tol = 1e-9 * (np.abs(base) + np.abs(base).max()) + 1e4 * h * h + 1e-300  # Re moves by h²f″/2
    with warnings.catch_warnings():
        warnings.simplefilter("error", _ComplexWarning)
        for k in range(flat.size):
            xc = flat.astype(np.complex128)
            xc[k] += 1j * h
            y = ev(xc.reshape(x.shape), ev.where(k, 1j * h), complex_ok=True)
            if y.dtype.kind != "c":
                raise NotComplexSafeError(
                    ev.op,
                    "f",
                    "a function that keeps the imaginary part of a complex input",
                    f"a real output ({y.dtype}) for complex input: abs, real, a cast to float or "
                    "a comparison dropped it",
                )
            y = y.reshape(-1)
            if np.any(np.abs(y.real - base) > tol):
                raise NotComplexSafeError(
                    ev.op,
                    "f",
                    "a function analytic in its input (Re f(x + ih) = f(x))",
                    f"a real part that moved by {np.abs(y.real - base).max():.2e}",
                )
            J[:, k] = y.imag / h
    if check:
        _direction_check(ev, x, J)
    err = 4 * _EPS * (np.abs(J) + np.abs(J).max(axis=1, keepdims=True))
    return J, err


def _direction_check(ev: _Evaluator, x: np.ndarray, J: np.ndarray) -> None:
    """One central difference along a fixed random direction must agree with J · v."""
    v = np.random.default_rng(12345).choice([-1.0, 1.0], size=x.size)
    t = np.cbrt(_EPS) * max(1.0, float(np.abs(x).max()))
    fp = ev(x + t * v.reshape(x.shape), f"{ev.name} moved by {t:.3g} along a random direction")
    fm = ev(x - t * v.reshape(x.shape), f"{ev.name} moved by {-t:.3g} along a random direction")
    d = (fp.astype(np.float64) - fm.astype(np.float64)).reshape(-1) / (2 * t)
    Jv = J @ v
    scale = np.abs(J).sum(axis=1) + np.abs(fp).reshape(-1) / t * _EPS
    if np.any(np.abs(d - Jv) > 1e-5 * (scale + np.abs(Jv).max()) + 1e-8):
        raise NotComplexSafeError(
            ev.op,
            "f",
            "complex-step derivatives that agree with difference quotients",
            f"a directional derivative off by {np.abs(d - Jv).max():.2e} (conj, abs or a "
            "real-only branch in f, or a kink at x)",
        )


def numeric(
    f: Callable[..., Any],
    x: Any,
    method: str = "central",
    step: float | None = None,
    *,
    wrt: int | str | None = None,
) -> NumericJacobian:
    """The full Jacobian of ``f`` at ``x`` by numeric differentiation, in the toolkit's layout.

    Args:
        f: a function of one array returning an array or a scalar; or of several arguments,
            with ``x`` giving all of them and ``wrt`` naming the one to differentiate.
        x: the point (an array); or a tuple of f's positional arguments, or a dict of its keyword
            arguments, when ``wrt`` is given.
        method: ``"central"`` (default), ``"richardson"`` (Ridders' extrapolation, about 100×
            more accurate, 5× the evaluations), ``"complex"`` (complex step: exact to rounding for
            analytic f; raises if f is not complex-safe) or ``"auto"`` (complex step when f is
            complex-safe, else Richardson).
        step: the step h; by default ∛ε·max(1, |xᵢ|) for central, 1e-2·max(1, |xᵢ|) as the
            first of Richardson's halving steps, 1e-30 for complex.
        wrt: the argument to differentiate: an index or a parameter name for a tuple ``x``, a key
            for a dict ``x``.

    Returns:
        A :class:`NumericJacobian` (a dense Jacobian) with ``.error``, the estimated absolute error
        of each entry, ``.error_max`` and ``.method``.

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
    if method not in METHODS:
        raise InputError("numeric", "method", " or ".join(map(repr, METHODS)), repr(method))
    if step is not None:
        step = _positive(step)
    if not callable(f):
        raise InputTypeError("numeric", "f", "a function", describe(f))
    if hasattr(f, "value") and hasattr(f, "rules"):  # an Operation: differentiate its value
        f = f.value
    point, call, name = bind(f, x, wrt)
    if point.dtype.kind == "c":
        point = point.real
    point = point.astype(np.float64)
    ev = _Evaluator(lambda v: call(f, v), point, name, "numeric")
    f0 = ev(point, name)
    again = ev(point, name)
    if not np.array_equal(f0, again):
        raise InputError(
            "numeric",
            "f",
            "a deterministic function (the same output twice at the same point)",
            f"outputs that differ by up to {np.abs(f0 - again).max():.3g} at {name}",
            "fix the random seed inside f, or switch off dropout and noise",
        )
    fallback = None
    if method in ("complex", "auto"):
        try:
            J, err = _complex(ev, point, f0, step, check=method == "auto")
            used = "complex"
        except NotComplexSafeError as exc:
            if method == "complex":
                exc.args = (
                    f"{exc.args[0]}\n Hint: use method='auto' (falls back to Richardson) or "
                    "'richardson'",
                )
                raise
            fallback = " ".join(line.strip() for line in str(exc).splitlines()[1:])
            ev.out_shape = f0.shape
            J, err = _ridders(ev, point, f0, None)
            used = "richardson"
    elif method == "richardson":
        J, err = _ridders(ev, point, f0, step)
        used = "richardson"
    else:
        J, err = _central(ev, point, step)
        used = "central"
    return NumericJacobian(
        J,
        f0.shape,
        point.shape,
        error=err,
        method=used,
        fallback=fallback,
        of=function_name(f),
        wrt=name,
        closed_form=f"numeric ({used})",
    )


def _positive(step: Any) -> float:
    if isinstance(step, (bool, np.bool_)) or not np.isscalar(step) or not np.isreal(step):
        raise InputError("numeric", "step", "a positive real number", repr(step))
    step = float(step)
    if not (np.isfinite(step) and step > 0):
        raise InputError("numeric", "step", "a positive finite number", repr(step))
    return step
