"""The difference cores of :func:`jacobians.numeric`: central, Ridders' tableau, complex step.

Each core takes the evaluator of f (which checks every output) and the point, and returns the
Jacobian matrix with its estimated absolute error, entry by entry; which core runs, and the
fallback from complex step to Richardson, is decided in :mod:`jacobians.checking._numeric`. As in
numdifftools, the steps and the extrapolation sit apart from the choice of method.
"""

from __future__ import annotations

import warnings

import numpy as np

from reshape import InputError

from ._calls import NotComplexSafeError, _Evaluator
from ._compare import row_blocks

_EPS = float(np.finfo(np.float64).eps)
_ROUND = 8 * _EPS  # rounding of one evaluation of f: a few ulps of |f|, more after cancellation
_ComplexWarning = getattr(getattr(np, "exceptions", np), "ComplexWarning", Warning)


def _pair(
    ev: _Evaluator, x: np.ndarray, work: np.ndarray, k: int, h: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """f at x with entry k moved by +h and by −h (flattened, float64), and the step between them.

    ``work`` is a flat copy of x that is moved and put back, so no column copies the point."""
    at = work[k]
    work[k] = at + h
    up = work[k]
    fp = ev(work.reshape(x.shape), ev.where(k, h)).astype(np.float64).reshape(-1)
    work[k] = at - h
    down = work[k]
    fm = ev(work.reshape(x.shape), ev.where(k, -h)).astype(np.float64).reshape(-1)
    work[k] = at
    return fp, fm, float(up - down)  # the steps actually taken, after rounding x ± h


def _step(flat: np.ndarray, k: int, step: float | None, mult: float) -> float:
    return mult * (np.cbrt(_EPS) * max(1.0, abs(flat[k])) if step is None else step)


def _central(ev: _Evaluator, x: np.ndarray, n_out: int, step: float | None) -> tuple:
    """Central differences, and a thunk for their error: |D(h) − D(2h)|/3 (the h² term) + rounding.

    The Jacobian is written column by column into one preallocated matrix, so numeric holds
    about its output and no more. The error needs as many evaluations again, so it is computed
    when first asked for, into a second matrix (re-evaluating at h for the rounding term rather
    than keeping a third matrix of it since the first pass).
    """
    flat = x.reshape(-1)
    work = flat.copy()
    J = np.empty((n_out, flat.size))
    for k in range(flat.size):
        fp, fm, d = _pair(ev, x, work, k, _step(flat, k, step, 1.0))
        col = J[:, k]
        np.subtract(fp, fm, out=col)
        col /= d

    def error() -> np.ndarray:
        err = np.empty_like(J)
        for k in range(flat.size):
            fp, fm, d = _pair(ev, x, work, k, _step(flat, k, step, 1.0))
            rounding = _ROUND * (np.abs(fp) + np.abs(fm)) / d
            fp, fm, d = _pair(ev, x, work, k, _step(flat, k, step, 2.0))
            err[:, k] = np.abs(J[:, k] - (fp - fm) / d) / 3 + rounding
        return err

    return J, error


def _ridders(ev: _Evaluator, x: np.ndarray, f0: np.ndarray, step: float | None) -> tuple:
    """Ridders' method: central differences at h/2^i, extrapolated in a Neville tableau.

    The Jacobian and its error are written column by column into two preallocated matrices (the
    output); the tableau of one column is all the working memory."""
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
    work = flat.copy()
    for i in range(levels):
        fp, fm, d = _pair(ev, x, work, k, h)
        row = [(fp - fm) / d]
        rounding = _ROUND * (np.abs(fp) + np.abs(fm)) / d
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
) -> tuple:
    """Complex step, column by column into one preallocated matrix; the error is a thunk."""
    flat = x.reshape(-1)
    h = 1e-30 if step is None else step
    J = np.empty((f0.size, flat.size))
    base = f0.astype(np.float64).reshape(-1)
    tol = 1e-9 * (np.abs(base) + np.abs(base).max()) + 1e4 * h * h + 1e-300  # Re moves by h²f″/2
    xc = flat.astype(np.complex128)  # moved at entry k and put back: no copy of x per column
    with warnings.catch_warnings():
        warnings.simplefilter("error", _ComplexWarning)
        for k in range(flat.size):
            xc[k] = flat[k] + 1j * h
            y = ev(xc.reshape(x.shape), ev.where(k, 1j * h), complex_ok=True)
            xc[k] = flat[k]
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
            np.divide(y.imag, h, out=J[:, k])
    if check:
        _direction_check(ev, x, J)

    def error() -> np.ndarray:
        """A few ε·|J| (no cancellation): 4ε(|J| + the row's largest |J|), built in place."""
        err = np.abs(J)
        err += err.max(axis=1, keepdims=True)
        err *= 4 * _EPS
        return err

    return J, error


def _abs_row_sums(J: np.ndarray) -> np.ndarray:
    """Σⱼ |J_ij| by blocks of rows, so no second matrix of |J| is made."""
    out = np.empty(J.shape[0])
    for s in row_blocks(J.shape):
        out[s] = np.abs(J[s]).sum(axis=1)
    return out


def _direction_check(ev: _Evaluator, x: np.ndarray, J: np.ndarray) -> None:
    """One central difference along a fixed random direction must agree with J · v."""
    v = np.random.default_rng(12345).choice([-1.0, 1.0], size=x.size)
    t = np.cbrt(_EPS) * max(1.0, float(np.abs(x).max()))
    fp = ev(x + t * v.reshape(x.shape), f"{ev.name} moved by {t:.3g} along a random direction")
    fm = ev(x - t * v.reshape(x.shape), f"{ev.name} moved by {-t:.3g} along a random direction")
    d = (fp.astype(np.float64) - fm.astype(np.float64)).reshape(-1) / (2 * t)
    Jv = J @ v
    scale = _abs_row_sums(J) + np.abs(fp).reshape(-1) / t * _EPS
    if np.any(np.abs(d - Jv) > 1e-5 * (scale + np.abs(Jv).max()) + 1e-8):
        raise NotComplexSafeError(
            ev.op,
            "f",
            "complex-step derivatives that agree with difference quotients",
            f"a directional derivative off by {np.abs(d - Jv).max():.2e} (conj, abs or a "
            "real-only branch in f, or a kink at x)",
        )
