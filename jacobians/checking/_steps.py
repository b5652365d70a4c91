"""The steps of numeric differentiation: their defaults, the checks of a step the user gives,
and the rounding that bounds how well a difference quotient is known.

A step is refused before f is first called when it cannot be taken at every entry of the point
(x ± h past the float range, or x + h == x); a difference quotient that is not finite is refused
when it is met, naming the step, so no numpy warning and no infinite quotient ever reaches the
caller. The rounding unit is that of f's output: an f computing in float32 rounds at 1.2e-7, and
that, not float64's ε, bounds how well f(x + h) − f(x − h) is known.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from reshape import InputError, as_real

from ._evaluate import _Evaluator

__all__ = [
    "EPS",
    "LEVELS",
    "ROUND",
    "ULPS",
    "check_steps",
    "output_eps",
    "positive",
    "quotient",
]

EPS = float(np.finfo(np.float64).eps)
ULPS = 8  # rounding of one evaluation of f: a few ulps of |f|, more after cancellation
ROUND = ULPS * EPS  # that rounding for an f that computes in float64
LEVELS = 5  # Ridders: central differences at h, h/2, …, h/16


def output_eps(f0: np.ndarray) -> float:
    """The rounding unit of f's output: float64's ε, or float32's (1.2e-7) or float16's when f
    computes in them, since f's own rounding, not float64's, bounds how well a difference of two
    of its values is known (f's output is widened to float64 only after it is computed)."""
    if f0.dtype.kind in "fc":
        return max(EPS, float(np.finfo(f0.dtype).eps))
    return EPS


def quotient(
    ev: _Evaluator, fp: np.ndarray, fm: np.ndarray, d: float, where: Callable[[], str], given: bool
) -> np.ndarray:
    """(fp − fm) / d, or the error naming ``step`` (one the user gave) or f (values so large
    that their difference leaves the float range): never an infinite quotient, never a warning."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        q = (fp - fm) / d
    if not np.isfinite(q).all():
        raise InputError(
            ev.op,
            "step" if given else "f",
            "a step at which f's difference quotients are finite"
            if given
            else "values of f whose differences stay in the floating-point range",
            f"an infinite or NaN difference quotient at {where()} (f up to "
            f"{max(np.abs(fp).max(), np.abs(fm).max()):.3g})",
            "take a smaller step" if given else "scale f's output down",
        )
    return q


def positive(op: str, step: Any) -> float:
    """``step`` as a positive finite float, or the error naming it (a bool, a string, an array
    are not steps, and neither are 0, a negative number or infinity)."""
    return as_real(step, op, "step", "a positive finite number", lambda h: h > 0)


def check_steps(op: str, point: np.ndarray, name: str, method: str, step: float | None) -> None:
    """Refuse, before f is called, a step that cannot be taken at every entry of the point:
    x ± h (2h for central's error estimate) or their difference past the float range, or an
    h (h/16, Richardson's last) so small that x + h == x. Complex step moves the imaginary
    part, which has no such limits; "auto" passes the step to complex step only."""
    if method in ("complex", "auto"):
        return
    flat = point.reshape(-1)
    scale = np.maximum(1.0, np.abs(flat))
    given = step is not None
    if method == "central":  # the default is ∛ε·max(1, |xᵢ|); the error estimate takes 2h too
        largest = 2 * (step if given else np.cbrt(EPS) * scale)
        smallest = largest / 2
    else:  # Richardson: h, h/2, …, h/16, the default h 1e-2·max(1, |xᵢ|)
        largest = step if given else 1e-2 * scale
        smallest = largest / 2 ** (LEVELS - 1)
    with np.errstate(over="ignore", invalid="ignore"):
        wide = ~np.isfinite((flat + largest) - (flat - largest))
        narrow = (flat + smallest == flat) | (flat - smallest == flat)
    for bad, problem in ((wide, "overflows"), (narrow, "equals it: the step is below its spacing")):
        if not bad.any():
            continue
        k = int(np.argmax(bad))
        idx = np.unravel_index(k, point.shape) if point.ndim else ()
        entry = f"{name}[{', '.join(map(str, idx))}]" if idx else name
        h = float(np.broadcast_to(largest if problem == "overflows" else smallest, flat.shape)[k])
        sign = "±" if problem == "overflows" else "+"
        got = f"{entry} = {flat[k]:.6g}, and {entry} {sign} {h:.3g} {problem}"
        if given:
            raise InputError(
                op,
                "step",
                f"a step h that {method} can take at every entry of {name}: x ± h (and the "
                "other steps it takes, 2h for central's error, down to h/16 for Richardson) "
                "in floating-point range and different from x",
                f"step={step!r}: {got}",
                "leave step=None for the default step, scaled to each entry",
            )
        raise InputError(
            op, name, "entries a default step can move within floating-point range", got
        )
