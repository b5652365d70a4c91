"""verify's full check: the whole numeric Jacobian, compared with the claim entry by entry.

It costs the numeric Jacobian (a call of f per entry of x for complex step, ten for Richardson)
and holds :data:`VERIFY_MATRICES` matrices of the Jacobian's size; in return it lists the entries
that differ and tries every slip, the activation-derivative ones (``layer=``) and "a few wrong
entries" included. The fast check (``_fast``) decides at any size, along random directions.
:class:`Check`, what verify was asked, serves both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reshape import InputError

from .._chain import folds
from .._structure_args import fmt_shape
from ._claim import _claimed_array, _forms, _read_as, shape_diagnosis
from ._compare import beyond, differing, tolerance, within
from ._diagnose import _diagnose, unexplained
from ._layer import Layer, _layer_hint
from ._numeric import Prepared, check_size, differentiate
from ._readings import _readings
from ._refine import coarse_note, moved_note, precision_note, rough_diagnosis, rough_text
from ._refine import entries as look_again
from ._report import Diagnosis, Entry, Report, entry_label
from ._steps import EPS

__all__ = ["METHOD_NAMES", "VERIFY_MATRICES", "Check", "full_check"]

# The matrices of the Jacobian's size verify may hold at once, weighed against the limit before
# the numeric Jacobian is computed: the Jacobian, its error, the tolerance and the claim, and while
# it names a slip the claim read transposed and column-major on either side (see _readings).
VERIFY_MATRICES = 12
ENTRY = ("entry", "entries")
METHOD_NAMES = {"complex": "complex step", "richardson": "Richardson extrapolation"}


@dataclass
class Check:
    """What verify was asked: f prepared at the point, the claim, the options.

    The claim is read (:meth:`read`) after the numeric side has run, so what f does wrong at
    the moved points is reported before what the claim does wrong."""

    p: Prepared
    claimed: Any  # as the user gave it: an array, a Jacobian, a function called like f
    layer: Layer | Sequence[Layer] | None
    form: str | None
    method: str
    rtol: float
    atol: float | None
    max_entries: int
    progress: bool | None
    G: np.ndarray = field(default_factory=lambda: np.zeros(0))  # the claim, float64, as given
    wanted: list[tuple[int, ...]] | None = None  # the shapes ``form`` accepts (None: any)

    @property
    def shapes(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        return self.p.f0.shape, self.p.point.shape

    def read(self) -> np.ndarray:
        """The claim as a float64 array with the Jacobian's number of entries, or the error."""
        p = self.p
        out_shape, in_shape = self.shapes
        self.G = _claimed_array(self.claimed, p.call, p.point, out_shape, in_shape, p.name)
        self.wanted = _forms(out_shape, in_shape)[self.form] if self.form else None
        if self.form == "gradient" and not self.wanted:
            raise InputError(
                "verify",
                "form",
                "'matrix' or 'tensor': a gradient exists only for a scalar f",
                f"form='gradient' with f's output of shape {out_shape}",
            )
        return self.G

    def read_as(self) -> str:
        out_shape, in_shape = self.shapes
        got = _read_as(self.G.shape, out_shape, in_shape, self.p.name)
        return got or f"a {fmt_shape(self.G.shape)} array, row-major"

    def wrong_form(self, matches: bool) -> Diagnosis | None:
        """The shape diagnosis: the numbers are right read row-major, but the form is not the
        one asked for, or (``form=None``) none of the Jacobian's forms, nor one with adjacent
        axes merged or split: a gradient of a 2×3 W reshaped to 3×2, where a transpose was
        meant, is not the gradient."""
        if not matches:
            return None
        out_shape, in_shape = self.shapes
        if self.wanted is not None:
            if self.G.shape in self.wanted:
                return None
            form, wanted = self.form or "", self.wanted
        else:
            forms = _forms(out_shape, in_shape)
            if any(folds(self.G.shape, s) for shapes in forms.values() for s in shapes):
                return None
            form = "gradient" if forms["gradient"] else "matrix"
            wanted = forms[form]
        asked = self.wanted is not None
        return shape_diagnosis(form, wanted, self.G.shape, out_shape, in_shape, self.p.name, asked)


def full_check(c: Check) -> Report:
    """verify, entry by entry."""
    p = c.p
    out_shape, in_shape = c.shapes
    check_size("verify", p.of, p.name, p.f0.size, p.point.size, VERIFY_MATRICES)
    N = differentiate(p, c.method, None, c.progress)
    J, err = N.M, N.error  # its own array: the second look writes the entries it settles
    n_out, n_in = J.shape
    G = c.read()
    scale = float(max(-J.min(), J.max())) or 1.0  # max |J|, without a matrix of |J|
    # never below what f's rounding can show (see Prepared.resolution)
    atol = max(c.rtol * scale, p.resolution) if c.atol is None else float(c.atol)
    tol = tolerance(J, err, c.rtol, atol)

    def close(M: np.ndarray, T: np.ndarray = J, k: float = 1.0, times: float | None = None) -> bool:
        return within(M, T, tol, k, times)

    given = G.reshape(n_out, n_in)
    bad, max_abs = differing(given, J, tol)
    notes: list[str] = []
    if N.fallback:
        notes.append(f"complex step was not usable ({N.fallback}); Richardson was used")
    if p.eps > EPS:
        notes.append(precision_note(p))
    rough = None
    look = bad
    if N.method != "complex" and p.eps == EPS:
        # and where the claim matched only through the numeric error's allowance: in float64 a
        # large estimate means the first step met a kink, and may hide a wrong claim (in float32
        # f's rounding makes the allowance usual, and a second look there costs for nothing)
        # and where the estimate alone is wider than the tolerance: a kink right at x, whose
        # slopes the central differences average, could hide a claim of that average
        look = bad | beyond(given, J, atol, c.rtol) | (err > atol + c.rtol * np.abs(J))
    if look.any() and N.method != "complex":  # a step may have crossed a kink: look again there
        second = look_again(p, J, err, look, lambda v, k: atol + c.rtol * np.abs(v), c.progress)
        if second.moved.size or second.rough.size:
            tol = tolerance(J, err, c.rtol, atol)
            bad, max_abs = differing(given, J, tol)
        label = lambda r, k: entry_label(r, k, out_shape, in_shape, p.of, p.name)
        if second.moved.size:
            notes.append(moved_note(p, [label(r, k) for r, k in second.moved], ENTRY))
        if second.rough.size:
            cells = [(int(r), int(k)) for r, k in second.rough]
            text = rough_text(
                p, [label(*rk) for rk in cells], [second.spans[rk] for rk in cells], ENTRY
            )
            rough = (text, [list(rk) for rk in cells])
    coarse = coarse_note(p, float(err.max()), scale)
    if coarse:
        notes.append(coarse)
    matches = not bad.any() and rough is None
    diagnosis = c.wrong_form(matches)
    matches = matches and diagnosis is None
    if rough is not None and not bad.any():
        diagnosis = rough_diagnosis(*rough)
    elif rough is not None:
        notes.append(rough[0])
    if not matches and diagnosis is None:
        readings = _readings(G, out_shape, in_shape, p.of, p.name)
        diagnosis = _diagnose(
            readings,
            J,
            close,
            bad,
            out_shape,
            in_shape,
            p.name,
            c.layer,
            p.call,
            p.point,
            p.f,
            n_out,
            p.of,
            rough=rough is not None,
        )
    hint = example = ""
    if not matches and c.layer is None and unexplained(diagnosis):
        hint, example = _layer_hint(p.f, p.of, p.name)
    entries = []
    for r, col in np.argwhere(bad)[: c.max_entries]:
        entries.append(
            Entry(
                int(r),
                int(col),
                tuple(int(i) for i in np.unravel_index(r, out_shape)) if out_shape else (),
                tuple(int(i) for i in np.unravel_index(col, in_shape)) if in_shape else (),
                float(given[r, col]),
                float(J[r, col]),
            )
        )
    return Report(
        matches=matches,
        of=p.of,
        wrt=p.name,
        out_shape=out_shape,
        in_shape=in_shape,
        claimed_shape=tuple(G.shape),
        read_as=c.read_as(),
        max_abs_error=max_abs,
        max_rel_error=max_abs / scale,
        n_differing=int(bad.sum()),
        entries=entries,
        diagnosis=diagnosis,
        method=METHOD_NAMES.get(N.method, "central differences"),
        numeric_error=N.error_max,
        rtol=float(c.rtol),
        atol=float(atol),
        notes=notes,
        hint=hint,
        example=example,
        numeric=J,
        claimed=given,
        mode="full",
    )
