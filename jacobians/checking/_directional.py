"""Directional derivatives J·v of f along a few directions: the numeric side of the fast check.

Each direction costs a fixed number of calls of f, whatever x's size:

==============  ==============================================  ===============================
method          J·v                                             calls per direction (error)
==============  ==============================================  ===============================
``complex``     Im f(x + ih·v) / h, h = 1e-30                   1 (4ε·(|J·v| + max |J·v|))
``central``     (f(x + t·v) − f(x − t·v)) / 2t                  2, and 2 more for the error
                                                                |D(t) − D(2t)|/3 + rounding
``richardson``  Ridders' tableau of central differences along   10 (the tableau's convergence)
                v at t, t/2, …, t/16
``auto``        complex step if f is complex-safe (checked by   as the method used, and 10
                Richardson along one direction), else           for the check
                Richardson
==============  ==============================================  ===============================

The steps follow the entry-by-entry ones of ``_differences``, scaled so that no entry of x moves
by more than the step numeric would take for the largest entry.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._calls import NotComplexSafeError
from ._differences import (
    ULPS,
    _ComplexWarning,
    central_along,
    complex_output,
    real_part_tolerance,
    tableau,
)
from ._numeric import Prepared, by_method
from ._steps import quotient

__all__ = ["along"]

_WHAT = "a random direction"


def along(p: Prepared, V: np.ndarray, method: str) -> tuple:
    """J·v for each column v of ``V`` (n × k): (D, E, method used, why complex step was not),
    D and E m × k, E the estimated absolute error of each entry of D."""
    (D, E), used, why = by_method(
        p,
        method,
        lambda: _complex(p, V, check=method == "auto"),
        lambda: _richardson(p, V),
        lambda: _central(p, V),
    )
    return D, E, used, why


def _largest(x: np.ndarray) -> float:
    return max(1.0, float(np.abs(x).max()))


def _complex(p: Prepared, V: np.ndarray, check: bool) -> tuple[np.ndarray, np.ndarray]:
    x, ev = p.point, p.ev
    h = 1e-30
    base = p.f0.astype(np.float64).reshape(-1)
    tol = real_part_tolerance(base, h)
    D = np.empty((base.size, V.shape[1]))
    with warnings.catch_warnings():
        warnings.simplefilter("error", _ComplexWarning)
        for i in range(V.shape[1]):
            moved = x + (1j * h) * V[:, i].reshape(x.shape)
            y = ev(moved, f"{ev.name} moved by {1j * h:.3g} along {_WHAT}", complex_ok=True)
            D[:, i] = complex_output(ev, y, base, tol, h)
    if check:
        _agrees_with_central(p, V[:, 0], D[:, 0])
    E = np.abs(D)
    E += E.max(axis=0, keepdims=True)
    E *= 4 * p.eps
    return D, E


def _agrees_with_central(p: Prepared, v: np.ndarray, d: np.ndarray) -> None:
    """Complex step's J·v must agree with Richardson's along v, within its error: conj, abs or a
    real-only branch in f gives a complex step that is analytic but wrong (|x| halves the slope
    of x|x|). Not one central difference: near a minimum of f in float32 its error allowance
    (f‴t² at t = ∛ε) passed a slope off by half."""
    D, E = _richardson(p, v[:, None])
    c, err = D[:, 0], E[:, 0]
    scale = np.abs(d) + np.abs(d).max()
    # and where Richardson's own estimate is too wide to confirm it (a kink at x, where the
    # central differences average the two slopes and complex step takes one of them)
    if np.any(np.abs(d - c) > 10 * err + 1e-6 * scale + 1e-300) or np.any(err > 1e-4 * scale):
        raise NotComplexSafeError(
            p.ev.op,
            "f",
            "complex-step derivatives that agree with difference quotients",
            f"a directional derivative off by {np.abs(d - c).max():.2e} (conj, abs or a "
            "real-only branch in f, or a kink at x)",
        )


def _central_one(p: Prepared, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = p.point
    t = np.cbrt(p.eps) * _largest(x) / float(np.abs(v).max())
    v = v.reshape(x.shape)
    fp, fm, d = central_along(p.ev, x, v, t, _WHAT)
    c = quotient(p.ev, fp, fm, d, lambda: _WHAT, False)
    with np.errstate(over="ignore"):  # f near the float range: an error of inf, unknown
        rounding = ULPS * p.eps * (np.abs(fp) + np.abs(fm)) / d
    fp, fm, d = central_along(p.ev, x, v, 2 * t, _WHAT)
    return c, np.abs(c - quotient(p.ev, fp, fm, d, lambda: _WHAT, False)) / 3 + rounding


def _central(p: Prepared, V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    D = np.empty((p.f0.size, V.shape[1]))
    E = np.empty_like(D)
    for i in range(V.shape[1]):
        D[:, i], E[:, i] = _central_one(p, V[:, i])
    return D, E


def _richardson(p: Prepared, V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = p.point
    D = np.empty((p.f0.size, V.shape[1]))
    E = np.empty_like(D)
    for i in range(V.shape[1]):
        v = V[:, i].reshape(x.shape)
        h0 = 1e-2 * _largest(x) / float(np.abs(v).max())
        D[:, i], E[:, i] = tableau(
            lambda h, v=v: central_along(p.ev, x, v, h, _WHAT),
            h0,
            eps=p.eps,
            where=lambda: _WHAT,
            op=p.ev.op,
        )
    return D, E
