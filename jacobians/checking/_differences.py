"""The difference cores of :func:`jacobians.numeric`: central, Ridders' tableau, complex step.

Each core takes the evaluator of f (which checks every output) and the point, and returns the
Jacobian matrix with its estimated absolute error, entry by entry; which core runs, and the
fallback from complex step to Richardson, is decided in :mod:`jacobians.checking._numeric`. As in
numdifftools, the steps and the extrapolation sit apart from the choice of method: the tableau
(:func:`tableau`) and the step rules serve the directional derivatives of ``_directional`` too.

The point is one buffer (:class:`WorkingPoint`): a column moves one entry, calls f on a read-only
view, and puts the entry back, so a column costs its calls of f and a few operations, never a copy
of x (``_evaluate`` says what f may and may not do with its view). Columns are written into the
preallocated output in place.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from reshape import InputError

from ._calls import NotComplexSafeError
from ._compare import row_blocks
from ._evaluate import WorkingPoint, _Evaluator
from ._progress import Progress
from ._steps import EPS, LEVELS, ROUND, ULPS, quotient

__all__ = ["EPS", "LEVELS", "ROUND", "ULPS", "central_along", "tableau"]

C2 = 4.0  # Ridders: the h² ratio between central differences at h and h/2
_ComplexWarning = getattr(getattr(np, "exceptions", np), "ComplexWarning", Warning)

# (f at x moved by +h, f at x moved by −h, the step actually taken between them)
Pair = Callable[[float], tuple[np.ndarray, np.ndarray, float]]


def _pair(ev: _Evaluator, point: WorkingPoint, k: int, h: float) -> tuple:
    """f at the point with entry k moved by +h and by −h (flattened, float64), and the step.

    The entry is put back whatever happens, so a step that leaves f's domain (an error that
    Richardson answers with a smaller step) leaves the point as it was."""
    at = point.flat[k]
    try:
        point.flat[k] = at + h
        up = point.flat[k]
        fp = ev(point, lambda: ev.where(k, h)).astype(np.float64).reshape(-1)
        point.flat[k] = at - h  # in a new buffer if f kept the last one
        down = point.flat[k]
        fm = ev(point, lambda: ev.where(k, -h)).astype(np.float64).reshape(-1)
    finally:
        point.flat[k] = at
    return fp, fm, float(up - down)  # the steps actually taken, after rounding x ± h


def _step(flat: np.ndarray, k: int, step: float | None, mult: float, eps: float = EPS) -> float:
    # ∛ε balances the h² truncation against the ε/h rounding, ε of f's own precision
    return mult * (np.cbrt(eps) * max(1.0, abs(flat[k])) if step is None else step)


def _central(
    ev: _Evaluator,
    x: np.ndarray,
    n_out: int,
    step: float | None,
    progress: Progress,
    eps: float = EPS,
) -> tuple:
    """Central differences, and a thunk for their error: |D(h) − D(2h)|/3 (the h² term) + rounding.

    The Jacobian is written column by column into one preallocated matrix, so numeric holds
    about its output and no more. The error needs as many evaluations again, so it is computed
    when first asked for, into a second matrix (re-evaluating at h for the rounding term rather
    than keeping a third matrix of it since the first pass).
    """
    flat = x.reshape(-1)  # x itself is never moved: f sees it read-only
    point = WorkingPoint(x)
    J = np.empty((n_out, flat.size))
    rnd, given = ULPS * eps, step is not None
    for k in range(flat.size):
        progress(k)
        h = _step(flat, k, step, 1.0, eps)
        fp, fm, d = _pair(ev, point, k, h)
        J[:, k] = quotient(ev, fp, fm, d, lambda k=k, h=h: ev.where(k, h), given)
    progress.close()

    def error() -> np.ndarray:
        err = np.empty_like(J)
        progress.restart(f"{progress.what}, its error estimate")
        for k in range(flat.size):
            progress(k)
            fp, fm, d = _pair(ev, point, k, _step(flat, k, step, 1.0, eps))
            with np.errstate(over="ignore"):  # f near the float range: an error of inf, unknown
                rounding = rnd * (np.abs(fp) + np.abs(fm)) / d
            h = _step(flat, k, step, 2.0, eps)
            fp, fm, d = _pair(ev, point, k, h)
            wide = quotient(ev, fp, fm, d, lambda k=k, h=h: ev.where(k, h), given)
            err[:, k] = np.abs(J[:, k] - wide) / 3 + rounding
        progress.close()
        return err

    return J, error


def _ridders(
    ev: _Evaluator,
    x: np.ndarray,
    f0: np.ndarray,
    step: float | None,
    progress: Progress,
    eps: float = EPS,
) -> tuple:
    """Ridders' method: central differences at h/2^i, extrapolated in a Neville tableau.

    The Jacobian and its error are written column by column into two preallocated matrices (the
    output); the tableau of one column is all the working memory."""
    flat = x.reshape(-1)
    point = WorkingPoint(x)
    n_out, n_in = f0.size, flat.size
    J, err = np.empty((n_out, n_in)), np.empty((n_out, n_in))
    for k in range(n_in):
        progress(k)
        h0 = (1e-2 * max(1.0, abs(flat[k]))) if step is None else step
        J[:, k], err[:, k] = tableau(
            lambda h, k=k: _pair(ev, point, k, h),
            h0,
            shrink=step is None,
            eps=eps,
            where=lambda k=k, h0=h0: ev.where(k, h0),
            op=ev.op,
        )
    progress.close()
    return J, err


def tableau(
    pair: Pair,
    h0: float,
    shrink: bool = True,
    eps: float = EPS,
    where: Callable[[], str] | None = None,
    op: str = "numeric",
) -> tuple[np.ndarray, np.ndarray]:
    """Ridders' extrapolation of the central differences ``pair`` gives at h0, h0/2, …, with
    its error; the first step is shrunk (up to three times, by 10) if it leaves f's domain.
    ``eps`` is f's rounding unit; a non-finite result is refused as an error naming the step
    (``shrink`` False: the user's) or f, said at ``where``."""
    for attempt in range(4):
        try:
            J, err = _tableau(pair, h0, ULPS * eps)
            break
        except InputError:
            if attempt == 3 or not shrink:
                raise
            h0 /= 10
    if not (np.isfinite(J).all() and np.isfinite(err).all()):
        raise InputError(
            op,
            "step" if not shrink else "f",
            "a step at which f's difference quotients are finite"
            if not shrink
            else "values of f whose differences stay in the floating-point range",
            f"an infinite or NaN extrapolated difference quotient at {where() if where else 'x'}",
            "take a smaller step" if not shrink else "scale f's output down",
        )
    return J, err


def _tableau(pair: Pair, h: float, rnd: float) -> tuple[np.ndarray, np.ndarray]:
    # f at every step first: its own warnings are its caller's, and only our arithmetic, below,
    # is quiet (a quotient past the float range is refused by the caller, not warned about)
    pairs = [pair(h / 2**i) for i in range(LEVELS)]
    T: list[list[np.ndarray]] = []
    best, best_err = None, None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for i, (fp, fm, d) in enumerate(pairs):
            row = [(fp - fm) / d]
            rounding = rnd * (np.abs(fp) + np.abs(fm)) / d
            fac = C2
            for j in range(1, i + 1):
                row.append((row[j - 1] * fac - T[i - 1][j - 1]) / (fac - 1))
                e = np.maximum(np.abs(row[j] - row[j - 1]), np.abs(row[j] - T[i - 1][j - 1]))
                e = e + rounding
                if best is None:
                    best, best_err = row[j].copy(), e
                else:
                    better = e < best_err
                    best[better], best_err[better] = row[j][better], e[better]
                fac *= C2
            T.append(row)
        best_err = np.maximum(best_err, _kink_at_x(pairs, rnd))
    return best, best_err  # type: ignore[return-value]


def _kink_at_x(pairs: list[tuple[np.ndarray, np.ndarray, float]], rnd: float) -> np.ndarray:
    """Half the gap between f's one-sided slopes at x where f has a kink right at x, else 0.

    Central differences average the two slopes of a kink at x, and agree on that mean at every
    step: Ridders' estimate is then the mean, with a tiny error. The mean of f(x ± h) tells it
    without f(x): s(h) = (f(x + h) + f(x − h))/2 moves by f″h²/2 where f is smooth, by |Δ|h/2
    at a kink (Δ the gap between the slopes). So (s(h) − s(h/2))/(h/2) is about |Δ|/2 at every
    step at a kink, and shrinks with h where f is smooth: where it has not shrunk to a quarter
    from the first pair of steps to the last, and stands above rounding, it is the error."""

    def gap(i: int) -> tuple[np.ndarray, np.ndarray]:
        (fp, fm, d), (gp, gm, e) = pairs[i], pairs[i + 1]
        rate = np.abs((fp + fm) - (gp + gm)) / (d - e)  # (s(h) − s(h/2)) / (h/2), d = 2h
        rounding = 4 * rnd * (np.abs(fp) + np.abs(fm) + np.abs(gp) + np.abs(gm)) / (d - e)
        return rate, rounding

    first, _ = gap(0)
    last, noise = gap(len(pairs) - 2)
    return np.where((last > 0.25 * first) & (last > 10 * noise), last, 0.0)


def real_part_tolerance(base: np.ndarray, h: float) -> np.ndarray:
    """How far Re f(x + ih·v) may move from f(x) = ``base``: h²f″/2, and rounding."""
    return 1e-9 * (np.abs(base) + np.abs(base).max()) + 1e4 * h * h + 1e-300


def complex_output(
    ev: _Evaluator, y: np.ndarray, base: np.ndarray, tol: np.ndarray, h: float
) -> np.ndarray:
    """Im f(x + ih·v) / h, or NotComplexSafeError when f dropped the imaginary part or is not
    analytic (its real part moved by more than ``tol``)."""
    if y.dtype.kind != "c":
        raise NotComplexSafeError(
            ev.op,
            "f",
            "a function that keeps the imaginary part of a complex input",
            f"a real output ({y.dtype}) for complex input: abs, real, a cast to float or "
            "a comparison dropped it",
        )
    y = y.reshape(-1)
    if (np.abs(y.real - base) > tol).any():
        raise NotComplexSafeError(
            ev.op,
            "f",
            "a function analytic in its input (Re f(x + ih) = f(x))",
            f"a real part that moved by {np.abs(y.real - base).max():.2e}",
        )
    return y.imag / h


def _complex(
    ev: _Evaluator,
    x: np.ndarray,
    f0: np.ndarray,
    step: float | None,
    check: bool,
    progress: Progress,
    eps: float = EPS,
) -> tuple:
    """Complex step, column by column into one preallocated matrix; the error is a thunk."""
    flat = x.reshape(-1)
    h = 1e-30 if step is None else step
    J = np.empty((f0.size, flat.size))
    base = f0.astype(np.float64).reshape(-1)
    tol = real_part_tolerance(base, h)
    point = WorkingPoint(x, np.complex128)
    with warnings.catch_warnings():
        warnings.simplefilter("error", _ComplexWarning)
        for k in range(flat.size):
            progress(k)
            point.flat[k] = flat[k] + 1j * h
            try:
                y = ev(point, lambda k=k: ev.where(k, 1j * h), complex_ok=True)
            finally:
                point.flat[k] = flat[k]
            J[:, k] = complex_output(ev, y, base, tol, h)
    progress.close()
    if check:
        _direction_check(ev, x, J)

    def error() -> np.ndarray:
        """A few ε·|J| (no cancellation): 4ε(|J| + the row's largest |J|), built in place, ε of
        f's own precision."""
        err = np.abs(J)
        err += err.max(axis=1, keepdims=True)
        err *= 4 * eps
        return err

    return J, error


def _abs_row_sums(J: np.ndarray) -> np.ndarray:
    """Σⱼ |J_ij| by blocks of rows, so no second matrix of |J| is made."""
    out = np.empty(J.shape[0])
    for s in row_blocks(J.shape):
        out[s] = np.abs(J[s]).sum(axis=1)
    return out


def central_along(ev: _Evaluator, x: np.ndarray, v: np.ndarray, t: float, what: str) -> tuple:
    """f at x ± t·v (flattened, float64), and the step between them: a central difference
    along the direction v (an array shaped like x)."""
    fp = ev(x + t * v, f"{ev.name} moved by {t:.3g} along {what}").astype(np.float64)
    fm = ev(x - t * v, f"{ev.name} moved by {-t:.3g} along {what}").astype(np.float64)
    return fp.reshape(-1), fm.reshape(-1), 2 * t


def _direction_check(ev: _Evaluator, x: np.ndarray, J: np.ndarray) -> None:
    """One central difference along a fixed random direction must agree with J · v."""
    # normal entries: a direction of ±1s can lie along a kink (W = [[1, −1]] at x = [1, 1] is
    # z = Wx = 0 along [1, −1]), where complex step's one-sided slope would pass unseen
    v = np.random.default_rng(12345).standard_normal(x.size)
    t = np.cbrt(EPS) * max(1.0, float(np.abs(x).max()))
    fp, fm, d = central_along(ev, x, v.reshape(x.shape), t, "a random direction")
    Jv = J @ v
    scale = _abs_row_sums(J) + np.abs(fp) / t * EPS
    agree_or_raise(ev, (fp - fm) / d, Jv, scale)


def agree_or_raise(ev: _Evaluator, d: np.ndarray, Jv: np.ndarray, scale: np.ndarray) -> None:
    """Complex step's J·v must agree with the central difference ``d`` along v."""
    if np.any(np.abs(d - Jv) > 1e-5 * (scale + np.abs(Jv).max()) + 1e-8):
        raise NotComplexSafeError(
            ev.op,
            "f",
            "complex-step derivatives that agree with difference quotients",
            f"a directional derivative off by {np.abs(d - Jv).max():.2e} (conj, abs or a "
            "real-only branch in f, or a kink at x)",
        )
