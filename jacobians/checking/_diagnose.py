"""Name the mistake: the slips :func:`jacobians.verify` tries, in turn, on a mismatched claim.

1. the same numbers read another way (transposed, column-major; see ``_readings``);
2. the activation-derivative slips, when the user described the layer with a :class:`Layer`
   (built in ``_layer``);
3. a constant factor (½, 2, 1/d, −1, …), alone or on one of those readings;
4. a few wrong entries (the full check only).

A diagnosis is given only when the slip explains the difference exactly; the table of kinds is in
:mod:`jacobians.checking._verify`. The same steps serve the fast check, on the claim's readings and
the numeric Jacobian sketched along random directions (each slip is a fixed linear map of the
claim, so it can be tested on the directions, and so is each σ′ slip); step 4 needs the full
check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from math import prod
from typing import Any

import numpy as np

from ._compare import dot
from ._layer import Layer, _layer_hypotheses
from ._readings import _Reading, _scaled
from ._report import Diagnosis, entry_label

# ----- a constant factor, said simply -----


def is_nice(c: float) -> bool:
    """Whether c is a ratio of whole numbers up to 1000 (½, 2, −1, 1/d): a slip's factor."""
    fr = Fraction(c).limit_denominator(1000)
    return abs(float(fr) - c) <= 1e-9 * max(1.0, abs(c))


def _nice_factor(c: float, out_shape: tuple, in_shape: tuple) -> str:
    fr = Fraction(c).limit_denominator(1000)
    if not is_nice(c):
        return f"{c:.6g}"
    text = str(fr.numerator) if fr.denominator == 1 else f"{fr.numerator}/{fr.denominator}"
    return {"1/2": "½", "-1/2": "−½", "-1": "−1"}.get(text, text.replace("-", "−"))


def _factor_hint(c: float, out_shape: tuple, in_shape: tuple) -> str:
    fr = Fraction(c).limit_denominator(1000)
    hints = []
    if abs(float(fr) - c) <= 1e-9 * max(1.0, abs(c)):
        if fr == Fraction(1, 2) or fr == 2:
            hints.append("a ½ or a 2 dropped or doubled: the ½ of ½‖a − y‖², say")
        if fr == -1:
            hints.append("a sign flipped: (y − a) for (a − y), or a descent step folded in")
        k = (
            fr.denominator
            if fr.numerator in (1, -1)
            else fr.numerator
            if fr.denominator == 1
            else 0
        )
        if k > 2:
            sizes = [s for s in out_shape + in_shape if s == k]
            where = f"; {k} is a size of this problem" if sizes else ""
            hints.append(
                f"a mean over {k} samples or entries where a sum is meant, or the reverse{where}"
            )
    return "; ".join(hints)


def unexplained(d: Diagnosis | None) -> bool:
    """Whether a mismatch is left without a slip that accounts for it: no diagnosis, a few
    entries, or a factor that is no slip's ratio (a one-output layer's σ′ left out scales the
    whole row by 1/σ′(z)), where the layer= hint may help."""
    if d is None or d.kind == "entries":
        return True
    return d.kind == "factor" and not is_nice(d.data["factor"])


def _simplest(c: float, fits: Callable[[float], bool]) -> float:
    """The whole number k or 1/k (|k| ≤ 1000) near c, when it explains the difference as well:
    a factor estimated from numeric derivatives is 2 to their accuracy, not 2.0000000134. "Near"
    is within 1e-3: one entry known only roughly (a kink within reach of its step) pulls the
    least-squares factor off by more than 1e-6, and ``fits`` is the test that counts."""
    if not np.isfinite(c) or c == 0:
        return c
    fr = Fraction(c).limit_denominator(1000)
    if abs(fr.numerator) != 1 and fr.denominator != 1:
        return c
    near = float(fr)
    return near if near != c and abs(near - c) <= 1e-3 * abs(c) and fits(near) else c


def _diagnose(
    readings: list[_Reading],
    J: np.ndarray,
    close: Callable[..., bool],
    bad: np.ndarray | None,
    out_shape: tuple,
    in_shape: tuple,
    name: str,
    layer: Layer | Sequence[Layer] | None,
    call: Callable[[Callable[..., Any], np.ndarray], Any],
    point: np.ndarray,
    f: Callable[..., Any],
    n_out: int,
    of: str,
    directions: np.ndarray | None = None,
    rough: bool = False,
) -> Diagnosis | None:
    """The first slip that explains the difference, or None.

    ``readings`` are the claim's readings (``_readings``) and ``J`` the numeric Jacobian, or, for
    the fast check, both times the random ``directions`` V (then ``bad`` is None: the wrong
    entries need the full check). ``close(M, T, c, times)`` says whether M equals ``times``·T
    within the tolerance (×max(1, |c|)). ``rough``: some numeric values are only known to
    lie in a range (f is not smooth there): a factor measured against them is no slip's.
    """
    # 1. the same numbers, read another way
    for r in readings[1:]:
        if close(r.M):
            return Diagnosis(r.kind or "", r.described(), r.fix, {"reading": r.name}, r.code)
    # 2. the activation-derivative slips (the user said where the layer is)
    if layer is not None:
        layers = [layer] if isinstance(layer, Layer) else list(layer)
        f0 = np.asarray(call(f, point.copy()), dtype=np.float64)
        for ly in layers:
            for key, text, Jw in _layer_hypotheses(ly, call, point, f0, n_out, directions):
                if close(Jw):
                    continue  # indistinguishable from the right Jacobian here
                for r in readings:
                    if close(r.M, Jw):
                        summary = text if r.name == "as given" else f"{r.summary}; and {text}"
                        fix = (
                            "use diag(σ′(z)) with z the pre-activation, once: ∂a/∂z of the "
                            "activation at z = pre(x)"
                        )
                        if r.name != "as given":
                            fix = f"{r.words} ({r.code}); and {fix}"
                        return Diagnosis(
                            "activation-derivative",
                            summary,
                            fix,
                            {"hypothesis": key, "reading": r.name},
                        )
    # 3. a constant factor, least squares on J scaled to max |J| = 1 (‖J‖² of a J of 1e160
    # overflows, of 1e-170 underflows)
    s = float(np.max(np.abs(J))) if J.size else 0.0
    JJ = dot(J / s, J / s) if 0 < s < np.inf and not rough else 0.0
    if JJ > 0:
        for r in readings:
            c = _simplest(dot(r.M / s, J / s) / JJ, lambda c, M=r.M: close(M, J, c, c))
            # a slip's factor is a small number (½, 2, 1/d, −1): not 1e300, not 1e-300; and a
            # Jacobian of one entry is some multiple of any claim: only a slip's ratio tells
            plausible = 1e-8 < abs(c) < 1e8 and (n_out * prod(in_shape) > 1 or is_nice(c))
            if plausible and close(r.M, J, c, c) and not close(r.M):
                nice = _nice_factor(c, out_shape, in_shape)
                hint = _factor_hint(c, out_shape, in_shape)
                summary = f"claimed is {nice} × the true Jacobian" + (f" ({hint})" if hint else "")
                words = f"multiply by {_nice_factor(1 / c, out_shape, in_shape)}"
                if nice == "−1":
                    words = "flip the sign"
                if r.name != "as given":
                    summary = f"{r.summary}; and it is {nice} × the true Jacobian"
                    words = f"{r.words}, and {words}"
                code = _scaled(r.code, c)
                return Diagnosis(
                    "factor", summary, f"{words}: {code}", {"factor": c, "reading": r.name}, code
                )
    # 4. right except on a few entries
    if bad is None:
        return None
    n = bad.size
    k = int(bad.sum())
    if n >= 2 and 1 <= k <= max(1, n // 4):
        cells = [(int(r), int(c)) for r, c in np.argwhere(bad)]
        rows, cols = {r for r, _ in cells}, {c for _, c in cells}
        where = ""
        if len(rows) == 1 and k > 1:
            where = f"; all in row {cells[0][0]} (one output entry)"
        elif len(cells) > 1 and len(cols) == 1:
            where = f"; all in column {cells[0][1]} (one entry of {name})"
        listed = ", ".join(
            entry_label(r, c, out_shape, in_shape, of, name) for r, c in cells[:12]
        ) + (" …" if k > 12 else "")
        return Diagnosis(
            "entries",
            f"right except on {k} of {n} entries: {listed}{where}",
            "recompute those entries; the others are right",
            {"entries": [list(rc) for rc in cells]},
        )
    return None
