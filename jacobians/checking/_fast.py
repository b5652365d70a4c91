"""verify's fast check: the claim against directional derivatives, at any size.

For :data:`DIRECTIONS` random directions v (standard normal entries, a fixed seed, each direction
scaled to ‖v‖₁ = 1, which changes nothing below but keeps claimed·v in the float range), the numeric
J·v costs one call of f (complex step) or a few (central differences, Richardson along v), and
claimed·v one product; every entry of the two is compared. An entry matches when

    |claimed·v − J·v| ≤ Z·atol·‖v‖ + rtol·|J·v| + 2·(J·v's estimated error) + rounding,

with Z = :data:`Z` and ``atol`` by default rtol × the root-mean-square entry of J (estimated from
the J·v themselves: the mean of ‖J·v‖² is ‖J‖²_F for v of unit-variance entries; a J of zeros
counts as entries of 1), so that, as in the full check, a wild claim cannot widen its own
tolerance. The bound follows from the entry-level one: if every entry of claimed differs from J by
at most atol (with random signs or not), an entry of claimed·v − J·v is a normal variable of
standard deviation at most about atol·‖v‖, and passes Z of them with probability below 1e-15.

The converse, the chance that a wrong claim passes. The report gives the bound in the units of
one entry of the claim (as if v had entries of size 1): ``bound`` ≈ Z·√n·atol, n the size of x.
An entry of claimed that is off by δ moves an entry of claimed·v by δ·vⱼ, vⱼ standard normal, so
it escapes one direction only if |vⱼ| ≤ bound/|δ|, with probability ≤ √(2/π)·bound/|δ| ≈
0.8·bound/|δ|, and all of them with probability ≤ (0.8·bound/|δ|)^DIRECTIONS: for δ ten times
the bound, (0.08)⁶ ≈ 3e-7; a hundred times, 3e-13. Errors in several entries escape only by
cancelling in every direction, as unlikely for independent normal vⱼ.

Each slip the full check names by reading the claim another way is a fixed linear map M of the
claim (a transposition, a commutation, a constant factor), so it is tested on the same
directions: (M·claimed)·v against J·v; and so is each activation-derivative slip of ``layer=``,
J_post·diag(w)·J_pre·v, from directional derivatives of pre. Only "a few wrong entries" needs the
full check; a mismatch that no slip explains says how to run it, and what it would cost.
"""

from __future__ import annotations

from math import prod, sqrt

import numpy as np

from reshape import check_bytes
from reshape._limit import dense_limit, size_text

from ._compare import dot, within
from ._diagnose import _diagnose
from ._directional import along
from ._full import METHOD_NAMES, VERIFY_MATRICES, Check
from ._layer import call_text
from ._readings import _readings
from ._refine import (
    coarse_note,
    directions,
    moved_note,
    precision_note,
    rough_diagnosis,
    rough_text,
)
from ._report import Report
from ._steps import EPS

__all__ = ["DIRECTIONS", "FULL_UP_TO", "Z", "fast_check", "mode_for"]

DIRECTIONS = 6  # random directions v
Z = 8.0  # standard deviations of an entry-level tolerance a projection may move by
SEED = 20240617  # the directions are the same at every call: a verdict is reproducible
FULL_UP_TO = 20_000  # mode="auto": the full check up to this many entries of the Jacobian
CALLS_PER_ENTRY = {"complex": 1, "central": 6, "richardson": 10}  # the full check's cost
_LARGEST = float(np.finfo(np.float64).max)
# The matrices of the claim's size the fast check may hold, weighed against the limit before any
# work: the claim as float64, and while it names a slip a reading of it and the one it comes from
FAST_MATRICES = 3
DIRECTION = ("direction", "directions")


def mode_for(mode: str, n_out: int, n_in: int) -> str:
    """The check that runs: ``mode``, or for ``"auto"`` full up to :data:`FULL_UP_TO`
    entries of the Jacobian (prod(out_shape)·prod(in_shape)), fast above."""
    if mode != "auto":
        return mode
    return "full" if n_out * n_in <= FULL_UP_TO else "fast"


def fast_check(c: Check) -> Report:
    """verify along :data:`DIRECTIONS` random directions."""
    p = c.p
    out_shape, in_shape = c.shapes
    n_out, n_in = prod(out_shape), prod(in_shape)
    check_bytes(
        "verify",
        f"the claimed ∂{p.of}/∂{p.name} as a dense {n_out}×{n_in} matrix of float64, with up to "
        f"{FAST_MATRICES - 1} more of that size while verify names a slip,",
        FAST_MATRICES * n_out * n_in * 8,
        f"differentiate by fewer entries (a part of {p.name}, the rest held fixed inside f)",
    )
    V = np.random.default_rng(SEED).standard_normal((n_in, DIRECTIONS))
    V /= np.abs(V).sum(axis=0)  # ‖v‖₁ = 1: claimed·v is at most max |claimed|, never past the
    # float range; the test is the same at any scale of v (each of its terms is linear in v)
    calls, seconds = p.ev.calls, p.ev.seconds
    D, E, used, fallback = along(p, V, c.method)
    per_call = (p.ev.seconds - seconds) / max(1, p.ev.calls - calls)
    G = c.read().reshape(n_out, n_in)
    vnorm = np.linalg.norm(V, axis=0)[None, :]
    unit = sqrt(n_in) / vnorm  # to the claim's units: as if v had entries of size 1, ‖v‖ = √n
    atol, fixed, tol = _tolerance(c, D, E, unit, vnorm)

    def close(M: np.ndarray, T: np.ndarray = D, k: float = 1.0, times: float | None = None) -> bool:
        return within(M, T, tol, k, times)

    def sketch(M: np.ndarray) -> np.ndarray:
        return M @ V

    S = sketch(G)
    with np.errstate(over="ignore", invalid="ignore"):
        gap = np.abs(S - D)
    notes = []
    if fallback:
        notes.append(f"complex step was not usable ({fallback}); Richardson was used")
    if p.eps > EPS:
        notes.append(precision_note(p))
    rough = None
    # a step may have crossed a kink: look again along the directions that differ (in float64,
    # also where only the numeric error's allowance let them match; see _full)
    look = gap > tol
    if p.eps == EPS:
        with np.errstate(over="ignore"):  # past the float range: within, as in _tolerance
            bare = fixed + c.rtol * np.abs(D)  # the tolerance without the numeric error's part
        look |= (gap > bare) | (2 * E > bare)  # or the error alone too wide to tell: see _full
    if used != "complex" and look.any():

        def base(T: np.ndarray, i: int) -> np.ndarray:
            return fixed[0, i] + c.rtol * np.abs(T)

        second = directions(p, V, D, E, look, base)
        if second.moved.size or second.rough.size:
            atol, fixed, tol = _tolerance(c, D, E, unit, vnorm)
            with np.errstate(over="ignore", invalid="ignore"):
                gap = np.abs(S - D)
        ways = sorted({int(i) for i in second.moved[:, 1]})
        if ways:
            notes.append(moved_note(p, [f"direction {i + 1}" for i in ways], DIRECTION))
        cells = [(int(r), int(i)) for r, i in second.rough]
        if cells:
            ways = sorted({i for _, i in cells})
            text = rough_text(
                p, [f"direction {i + 1}" for i in ways], [second.spans[cells[0]]], DIRECTION
            )
            rough = (text, [list(rc) for rc in cells])
    coarse = coarse_note(p, float(np.max(E * unit)), float(np.max(np.abs(D) * unit)))
    if coarse:
        notes.append(coarse)
    differs = not bool(np.all(gap <= tol))
    matches = not differs and rough is None
    diagnosis = c.wrong_form(matches)
    matches = matches and diagnosis is None
    if rough is not None and not differs:
        diagnosis = rough_diagnosis(*rough)
    elif rough is not None:
        notes.append(rough[0])
    if not matches and diagnosis is None:
        readings = _readings(c.G, out_shape, in_shape, p.of, p.name, sketch=sketch)
        diagnosis = _diagnose(
            readings,
            D,
            close,
            None,
            out_shape,
            in_shape,
            p.name,
            c.layer,
            p.call,
            p.point,
            p.f,
            n_out,
            p.of,
            directions=V,
            rough=rough is not None,
        )
    hint = example = ""
    if not matches and diagnosis is None:
        hint = _full_hint(c, n_out, n_in, used, per_call)
        example = f"verify({p.of}, {call_text(p.f, p.name)[1]}, mode='full')"
    with np.errstate(over="ignore"):
        max_abs = min(float(np.max(gap * unit)), _LARGEST)
        bound = min(float(np.max(tol * unit)), _LARGEST)
    top = float(np.max(np.abs(D) * unit)) or 1.0
    return Report(
        matches=matches,
        of=p.of,
        wrt=p.name,
        out_shape=out_shape,
        in_shape=in_shape,
        claimed_shape=tuple(c.G.shape),
        read_as=c.read_as(),
        max_abs_error=max_abs,
        max_rel_error=max_abs / top,
        n_differing=None,
        entries=[],
        diagnosis=diagnosis,
        method=METHOD_NAMES.get(used, "central differences"),
        numeric_error=float(np.max(E * unit)),
        rtol=float(c.rtol),
        atol=float(atol),
        notes=notes,
        hint=hint,
        example=example,
        mode="fast",
        directions=DIRECTIONS,
        bound=bound,
        numeric=D,
        claimed=S,
    )


def _tolerance(
    c: Check, D: np.ndarray, E: np.ndarray, unit: np.ndarray, vnorm: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """(atol, the part of the tolerance that is the same for every entry of a direction's J·v,
    the tolerance of each entry), from the numeric J·v and their errors."""
    n_out, n_in = D.shape[0], prod(c.shapes[1])
    # ‖J‖_F, estimated from the numeric side as full's scale is (for v of entries of size 1 the
    # mean of ‖J·v‖² is ‖J‖²_F), so a wild claim cannot widen its own tolerance
    Du = D * unit
    top = float(np.max(np.abs(Du))) if Du.size else 0.0
    if 0 < top < np.inf:  # scaled: the squares of a J of 1e160 overflow, of 1e-170 underflow
        norm = top * sqrt(dot(Du / top, Du / top) / DIRECTIONS)
    else:
        norm = top or sqrt(n_out * n_in)
    atol = (
        max(c.rtol * norm / sqrt(n_out * n_in), c.p.resolution) if c.atol is None else float(c.atol)
    )
    rounding = 2 * n_in * float(np.finfo(np.float64).eps) * norm * vnorm  # of claimed·v
    with np.errstate(over="ignore"):  # past the float range: every finite gap is within
        fixed = np.minimum(Z * atol * vnorm + rounding, _LARGEST)
        tol = np.minimum(fixed + c.rtol * np.abs(D) + 2 * E, _LARGEST)
    return atol, fixed, tol


def _full_hint(c: Check, n_out: int, n_in: int, used: str, per_call: float) -> str:
    """What the fast check cannot tell, and what the full check that can would cost."""
    missing = "list the entries that differ"
    calls = CALLS_PER_ENTRY[used] * n_in
    nbytes = VERIFY_MATRICES * n_out * n_in * 8
    cost = f"about {calls:,} calls of f ({_duration(calls * per_call)} at this f's speed)"
    memory = f"{VERIFY_MATRICES} matrices of {n_out}×{n_in} float64, {size_text(nbytes)}"
    if nbytes > dense_limit():
        memory += (
            f", over the limit of {size_text(dense_limit())} (jacobians.set_dense_limit); or "
            "differentiate by a part of the argument, the rest held fixed inside f"
        )
    layer = (
        ""
        if c.layer is not None
        else " (the σ′ slips are tried, fast or full, when layer= says where the activation is)"
    )
    return (
        f"the fast check compares directional derivatives: it cannot {missing}{layer}. The full "
        f"check can, entry by entry, at the cost of {cost} and {memory}; for example"
    )


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "under a second"
    if seconds < 120:
        return f"about {seconds:.0f} s"
    if seconds < 7200:
        return f"about {seconds / 60:.0f} min"
    return f"about {seconds / 3600:.1f} h"
