"""Benchmarks for issue 17's numeric checks at real sizes (case 11 of ``benchmarks/run.py``).

The cost of one layer, C(W) = ½‖σ(Wx + b) − y‖² with x of 784 entries, for W of 16×784, 64×784
and 256×784 (12,544, 50,176 and 200,704 entries):

- ``numeric(C, W)`` (central differences: two calls of C per entry), its time per entry beside the
  time of those two calls, and the difference: numeric's own work per entry. C reads all of W, so
  a call costs more the more entries W has and the time per entry grows with them whatever
  numeric does; its own work per entry is flat where numeric is linear in the entries (copies of
  the whole input per entry made it grow with them).
- ``verify(C, W, claim, mode="fast")`` of the gradient transposed (and, at 200,704, doubled),
  with its diagnosis, which must name the slip; target under 2 s at 200,704 entries. Where
  ``verify`` has no ``mode`` yet, the full check runs instead, and is not run where it is
  foreseen (from the smaller sizes) to take more than a minute.
"""

from __future__ import annotations

import inspect
import math
import re
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import report
from report import agree
from timing import Timing, rounds

import jacobians as J

SECONDS = 60  # the longest a single numeric or verify call may be foreseen to take
LIMIT = 2.0  # seconds for verify at the largest size (issue 17)


def _layer(n: int, m: int) -> tuple[Callable[[np.ndarray], float], np.ndarray, np.ndarray]:
    """The cost of a layer of n sigmoid units on one input of m entries, W, and its gradient."""
    rng = np.random.default_rng(n)
    x, b, y = rng.normal(size=m), rng.normal(0, 0.1, size=n), rng.random(n)
    W = rng.normal(size=(n, m)) / np.sqrt(m)

    def cost(W: np.ndarray) -> Any:
        a = 1 / (1 + np.exp(-(W @ x + b)))
        return 0.5 * np.sum((a - y) ** 2)

    a = 1 / (1 + np.exp(-(W @ x + b)))
    return cost, W, np.outer((a - y) * a * (1 - a), x)


def _measure(f: Callable[[], Any], quick: bool) -> tuple[Timing, Any]:
    """f's result and timing: one call when it is long, else rounds of it after the first."""
    t, c = time.perf_counter(), time.process_time()
    result = f()
    once = Timing([time.perf_counter() - t], [time.process_time() - c])
    if quick or once.wall[0] > 0.5:
        return once, result
    return rounds([f], quick, budget=2.0, min_rounds=3)[0], result


def foreseen(done: list[tuple[int, float]], entries: int) -> float:
    """Seconds at ``entries``, by the power law through the last two (entries, seconds) measured
    (0 with fewer than two).

    >>> round(foreseen([(100, 1.0), (400, 16.0)], 1600))
    256
    """
    if len(done) < 2:
        return 0.0
    (n1, t1), (n2, t2) = done[-2:]
    power = math.log(t2 / t1) / math.log(n2 / n1)
    return t2 * (entries / n2) ** power


def _short(summary: str) -> str:
    """A diagnosis's summary up to its first explanation: 'claimed is the gradient transposed'."""
    return re.split(r"[:(;]", summary, maxsplit=1)[0].strip()


def case_numeric(rows: list[dict], quick: bool) -> None:
    fast = "mode" in inspect.signature(J.verify).parameters
    mode = {"mode": "fast"} if fast else {}
    said = "verify(mode='fast')" if fast else "verify (full: mode='fast' does not exist yet)"
    sizes, m = ((2, 4, 8), 12) if quick else ((16, 64, 256), 784)
    numeric_done: list[tuple[int, float]] = []
    verify_done: list[tuple[int, float]] = []
    for n in sizes:
        cost, W, g = _layer(n, m)
        N = W.size
        label = f"cost ½‖σ(Wx + b) − y‖² of a {n}×{m} layer, W of {N:,} entries"
        t_f = rounds([lambda: cost(W)], quick)[0]
        measure = "numeric(C, W) per entry ÷ 2 calls of C"
        ahead = foreseen(numeric_done, N)
        if ahead > SECONDS:
            why = f"foreseen to take ≈ {ahead:.0f} s from the smaller sizes"
            rows.append(report.not_run("11", label, measure, why))
        else:
            t, Jn = _measure(lambda: J.numeric(cost, W), quick)
            agree(Jn.matrix.reshape(W.shape), g, f"numeric gradient, {N} entries", rtol=1e-6)
            numeric_done.append((N, t.median))
            per = Timing([w / N for w in t.wall], [c / N for c in t.cpu])
            two = Timing([2 * w for w in t_f.wall], [2 * c for c in t_f.cpu])
            row = report.timed("11", label, measure, per, two, paired=False)
            rows.append({**row, "unit": "s/entry"})
            # flat across the sizes when numeric's own work per entry is constant (linear in all)
            added = Timing([per.median - two.median], [per.cpu_median - two.cpu_median])
            measure = "numeric(C, W) per entry − 2 calls of C: its own work per entry"
            rows.append(report.absolute("11", label, measure, added, unit="s/entry"))
        claims = {"transposed": (g.T, "transposed")}
        if n == sizes[-1]:
            claims["doubled"] = (2 * g, "factor")
        for what, (claim, kind) in claims.items():
            measure = f"{said}, the gradient {what}"
            limit = LIMIT if n == sizes[-1] else None
            ahead = 0.0 if fast else foreseen(verify_done, N)
            if ahead > SECONDS:
                why = f"foreseen to take ≈ {ahead:.0f} s from the smaller sizes"
                rows.append(report.not_run("11", label, measure, why))
                continue
            t, found = _measure(lambda: J.verify(cost, W, claim, **mode), quick)
            if what == "transposed":
                verify_done.append((N, t.median))
            d = found.diagnosis
            named = f"{d.kind}: “{_short(d.summary)}”" if d is not None else "no diagnosis"
            row = report.absolute("11", label, f"{measure} → {named}", t, limit)
            if found.matches or d is None or d.kind != kind:
                row["failed"] = f"the diagnosis should be {kind}"
                row["measure"] += f" ✗ (should be {kind})"
            rows.append(row)
