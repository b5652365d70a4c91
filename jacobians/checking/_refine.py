"""A second look, at smaller steps, where a claim and a difference quotient disagree.

A difference quotient with a step of 1e-2 (Richardson's first) steps across a kink of f that lies
closer than that to x (relu(z) near z = 0), and then gives a wrong value with an error estimate
too small to cover it. Before :func:`jacobians.verify` blames the claim, it looks again at the
entries (full check) or directions (fast check) that disagree, and, when f computes in float64,
at those that matched only through the numeric error's allowance (a wide estimate there is the
mark of a kink, and could hide a wrong claim); a claim that matches a smooth f costs nothing more:

1. a **probe**: one central difference at a step of :data:`PROBE`·∛ε·max(1, |xᵢ|), 100 times
   below central's own (ε the rounding unit of f's output). Where it agrees with the first value,
   and the slopes on either side of x agree, that value stands: the derivative does not depend on
   the step, and the claim is what differs. Two calls of f per entry of x (per direction in the
   fast check).
2. where it does not, a **ladder** of central differences at steps :data:`LADDER` × the probe's
   (six calls more). Two neighbouring steps that agree, within their rounding and the
   tolerance, give the value (the pair whose difference is smallest): f is smooth at those steps,
   and the first value had stepped across a kink. Where no two agree, or where the slopes on
   either side of x differ at every step (a kink at x itself, which central differences average
   away), f does not look smooth near x along that entry, and the value is only known to lie in
   the range the steps span: verify then says so ("not-smooth"), and never calls the claim wrong
   there if it lies in that range.

Complex step takes no finite step, so its values are never re-examined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._differences import EPS, ULPS, Pair, _pair, central_along
from ._evaluate import WorkingPoint
from ._numeric import Prepared
from ._progress import Progress
from ._report import Diagnosis

__all__ = [
    "LADDER",
    "PROBE",
    "Second",
    "Settled",
    "coarse_note",
    "directions",
    "entries",
    "moved_note",
    "rough_diagnosis",
    "rough_text",
    "settle",
]

PROBE = 1e-2  # the probe's step, × ∛ε × the entry's scale: 6e-8·max(1, |xᵢ|) in float64
LADDER = (1e3, 1e2, 1e1)  # the ladder's further steps, × the probe's (6e-5 … 6e-7 in float64)


@dataclass
class Settled:
    """What a second look found, output entry by output entry (each an array of f's size).

    ``value`` and ``error`` replace the first numeric value and its error where ``moved``; where
    ``rough`` (no two steps agreed, or the slopes on either side of x differ), ``value`` is the
    middle of the range [lo, hi] the steps span (the first value, and at a kink at x the
    one-sided slopes, included) and ``error`` half its width."""

    value: np.ndarray
    error: np.ndarray
    moved: np.ndarray  # the value depends on the step: the first one stepped across a kink
    rough: np.ndarray  # no two steps agree: f does not look smooth near x along this entry
    lo: np.ndarray
    hi: np.ndarray


def settle(
    pair: Pair,
    t: float,
    first: np.ndarray,
    error: np.ndarray,
    base: np.ndarray,
    f0: np.ndarray,
    eps: float,
) -> Settled | None:
    """The second look along one entry or direction (``pair(h)``: f at ±h and the step taken),
    with the probe's step ``t``; ``first``, ``error`` the first value and its estimate, ``base``
    the tolerance without the numeric error (atol + rtol·|value|), ``f0`` f at x. None: the first
    value stands everywhere.

    A kink right at x (closer than every step) fools central differences, which then agree at
    every step on the mean of the two slopes: the one-sided slopes (f(x ± h) − f(x))/±h tell it,
    their gap |f(x + h) − 2f(x) + f(x − h)|/h shrinking with h where f is smooth (as h·f″) and
    staying where it has a kink at x."""
    values, rounding, sides, slopes = [], [], [], []
    for h in (t, *(t * m for m in LADDER)):
        fp, fm, d = pair(h)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            values.append((fp - fm) / d)
            rounding.append(ULPS * eps * (np.abs(fp) + np.abs(fm)) / d)
            sides.append(np.abs(fp - 2 * f0 + fm) / (d / 2))
            slopes.append(((fp - f0) / (d / 2), (f0 - fm) / (d / 2)))
            if len(values) == 1:  # the probe: where it agrees, the first value stands (to the
                # probe's own accuracy: a first value with a wide estimate is looked at too)
                # (h·|f″| is small at this step, but not below the tolerance of a small entry:
                # a hundredfold margin keeps curvature from sending smooth entries up the
                # ladder, which would only cost calls, the ladder telling the two apart)
                kinked = sides[0] > 100 * base + 4 * rounding[0]
                stands = (np.abs(values[0] - first) <= base + 2 * rounding[0]) & ~kinked
                if stands.all():
                    return None
    Q = np.stack(values[::-1])  # largest step first: Q[j], Q[j + 1] are neighbours
    R = np.stack(rounding[::-1])
    with np.errstate(over="ignore", invalid="ignore"):
        gap = np.abs(Q[:-1] - Q[1:])
        agree = gap <= base + 2 * (R[:-1] + R[1:])
        E = np.where(agree, gap + R[1:], np.inf)
        # a kink at x: the one-sided slopes differ at the probe's step by more than a tenth of
        # what they do at a thousand times it (a smooth f's gap would shrink a thousandfold)
        at_x = kinked & (sides[0] > 0.1 * sides[-1])
        finite = np.where(np.isfinite(Q), Q, np.nan)
        lo = np.fmin(np.fmin(np.nanmin(finite, axis=0), first), np.fmin(*slopes[0]))
        hi = np.fmax(np.fmax(np.nanmax(finite, axis=0), first), np.fmax(*slopes[0]))
    lo = np.where(at_x, lo, np.fmin(np.nanmin(finite, axis=0), first))
    hi = np.where(at_x, hi, np.fmax(np.nanmax(finite, axis=0), first))
    smooth = agree.any(axis=0) & ~at_x
    j = np.argmin(E, axis=0)
    cols = np.arange(Q.shape[1])
    value = np.where(smooth, Q[j + 1, cols], (lo + hi) / 2)
    err = np.where(smooth, E[j, cols], (hi - lo) / 2)
    # where the ladder finds the first value again, it stood: nothing to note
    with np.errstate(invalid="ignore"):
        again = smooth & (np.abs(value - first) <= base + 2 * err)
    keep = stands | again | ~np.isfinite(value) | ~np.isfinite(err)
    return Settled(
        np.where(keep, first, value),
        np.where(keep, error, err),
        ~keep,
        ~keep & ~smooth,
        lo,
        hi,
    )


def probe_step(p: Prepared, scale: float) -> float:
    """The probe's step for an entry (or direction) whose default steps scale with ``scale``."""
    return PROBE * float(np.cbrt(p.eps)) * scale


@dataclass
class Second:
    """The second look at the entries of a numeric Jacobian: which moved, which are rough."""

    moved: np.ndarray  # (row, column) pairs whose value was taken at smaller steps
    rough: np.ndarray  # (row, column) pairs where no two steps agree
    spans: dict[tuple[int, int], tuple[float, float]]  # rough entry -> the range of its values


def second_look(
    p: Prepared,
    J: np.ndarray,
    err: np.ndarray,
    bad: np.ndarray,
    base: Callable[[np.ndarray, int], np.ndarray],
    along: Callable[[int], tuple[Pair, float]],
    progress: Progress,
) -> Second:
    """Look again at each column of J with a differing entry (``bad``), writing what is found
    into J and err in place. ``along(k)`` is the pair of column k (an entry of x, or a direction)
    and the scale of its steps; ``base(values, k)`` the tolerance without the numeric error."""
    columns = np.flatnonzero(bad.any(axis=0))
    flat_f0 = p.f0.astype(np.float64).reshape(-1)
    moved, rough, spans = [], [], {}
    for i, k in enumerate(columns):
        progress(i)
        rows = np.flatnonzero(bad[:, k])
        pair, scale = along(int(k))

        def part(h: float, pair: Pair = pair, rows: np.ndarray = rows) -> tuple:
            fp, fm, d = pair(h)
            return fp[rows], fm[rows], d

        first, error, f0 = J[rows, k], err[rows, k], flat_f0[rows]
        s = settle(part, probe_step(p, scale), first, error, base(first, k), f0, p.eps)
        if s is None:
            continue
        J[rows, k], err[rows, k] = s.value, s.error
        moved += [(int(r), int(k)) for r in rows[s.moved & ~s.rough]]
        for r, lo, hi in zip(rows[s.rough], s.lo[s.rough], s.hi[s.rough], strict=True):
            rough.append((int(r), int(k)))
            spans[(int(r), int(k))] = (float(lo), float(hi))
    progress.close()
    return Second(np.array(moved, int).reshape(-1, 2), np.array(rough, int).reshape(-1, 2), spans)


def entries(
    p: Prepared,
    J: np.ndarray,
    err: np.ndarray,
    bad: np.ndarray,
    base: Callable[[np.ndarray, int], np.ndarray],
    progress: bool | None,
) -> Second:
    """The second look at the entries of x whose column of J holds a differing entry."""
    flat = p.point.reshape(-1)
    point = WorkingPoint(p.point)

    def along(k: int) -> tuple[Pair, float]:
        return (lambda h: _pair(p.ev, point, k, h)), max(1.0, abs(float(flat[k])))

    what = f"verify ∂{p.of}/∂{p.name}, a second look at smaller steps"
    shown = Progress(what, int(bad.any(axis=0).sum()), f"entries of {p.name}", progress)
    return second_look(p, J, err, bad, base, along, shown)


def directions(
    p: Prepared,
    V: np.ndarray,
    D: np.ndarray,
    E: np.ndarray,
    bad: np.ndarray,
    base: Callable[[np.ndarray, int], np.ndarray],
) -> Second:
    """The second look along the directions (columns of V) in which J·v differs."""
    x = p.point
    largest = max(1.0, float(np.abs(x).max()))

    def along(i: int) -> tuple[Pair, float]:
        v = V[:, i].reshape(x.shape)
        pair = lambda h: central_along(p.ev, x, v, h, "a random direction")
        return pair, largest / float(np.abs(v).max())

    return second_look(p, D, E, bad, base, along, Progress("", 0, "", False))


# ----- what the report says -----


def _listed(labels: list[str], most: int = 4) -> str:
    return ", ".join(labels[:most]) + (" …" if len(labels) > most else "")


def _steps_text(p: Prepared) -> str:
    t = probe_step(p, 1.0)
    return f"{t * max(LADDER):.0e} to {t:.0e} (× max(1, |{p.name}ᵢ|))"


def moved_note(p: Prepared, labels: list[str], what: tuple[str, str]) -> str:
    """The note for values taken at smaller steps: f is not smooth at the first step there."""
    n = len(labels)
    return (
        f"f does not look smooth at the first step for {n} {what[n != 1]} "
        f"({_listed(labels)}): the "
        f"difference quotient there depends on the step (a kink of f within reach of it), so "
        f"{'its value was' if n == 1 else 'their values were'} taken by central differences at "
        f"steps {_steps_text(p)}, where neighbouring steps agree"
    )


def rough_text(
    p: Prepared, labels: list[str], spans: list[tuple[float, float]], what: tuple[str, str]
) -> str:
    """Where no two steps agree, or the one-sided slopes differ: f does not look smooth there."""
    lo, hi = spans[0]
    where = "along" if what[0] == "direction" else "at"
    return (
        f"the numeric derivative is unreliable {where} {len(labels)} {what[len(labels) != 1]} "
        f"({_listed(labels)}): f does not look smooth near {p.name} there, its difference "
        f"quotients at the first step and at steps {_steps_text(p)} disagree, or its slopes on "
        f"either side differ (from {lo:.4g} to {hi:.4g} {where} {labels[0]})"
    )


def rough_diagnosis(text: str, cells: list[list[int]]) -> Diagnosis:
    """The verdict when the only disagreements are where the numeric side is unreliable."""
    return Diagnosis(
        "not-smooth",
        f"not a mistake found in the claim: {text}, and the claim lies within that range; "
        "everything else matches",
        "check these by hand, or verify at a point where f is smooth (moved off the kink)",
        {"entries": cells},
    )


def _precision(p: Prepared) -> str:
    """The float type f computes in: its output's, or the point's where that is coarser (numpy 1
    returns a float32 computation's 0.5 * sum as a float64)."""
    for dtype in (np.float16, np.float32):
        if p.eps >= float(np.finfo(dtype).eps):
            return np.dtype(dtype).name
    return "float64"


def precision_note(p: Prepared) -> str:
    """The note for an f that computes in a coarser precision than float64."""
    dtype = _precision(p)
    return (
        f"f computes in {dtype} (rounding unit {p.eps:.1e}): the numeric error estimate includes "
        f"f's rounding in {dtype}, so the check is about as tight as {dtype} allows"
    )


def coarse_note(p: Prepared, error: float, scale: float) -> str | None:
    """The note for a numeric derivative known only roughly (a tenth of its size or worse, as for
    an f that computes in float16): a match then says little, and the report must say so."""
    if not error > 0.1 * scale:
        return None
    why = (
        f"f computes in {_precision(p)}; an f that computes in float64 checks the derivation"
        if p.eps > EPS
        else "f may be noisy, or not smooth"
    )
    return (
        f"the numeric derivative is known only to ±{error:.1e}, against {scale:.1e} for its "
        f"largest entry: a match says little at that precision ({why})"
    )
