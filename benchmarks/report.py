"""The benchmarks' rows, their Markdown table and the machine they ran on.

A row compares a numerator ("ours": our method, or the peer in a peer's row) with a reference:
their median wall and CPU times per call, and the ratio's median, min and max over rounds, taken
within each round where both ran in this process (``paired``), else as the range of any round over
any other. ``basis`` says which times the ratio divides: ``"wall"``, or ``"cpu"`` where a target is
set on CPU time. A target bounds the median ratio (``target``) or the numerator's seconds
(``limit``); ``failed`` names a wrong answer, which fails the row whatever its time.
"""

from __future__ import annotations

import os
import platform
from typing import Any

import numpy as np
from timing import Ratio, Timing, ratios, unpaired


def agree(a: Any, b: Any, what: str, rtol: float = 1e-10) -> None:
    """Raise unless a and b agree to rtol, relative to b's largest entry."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise AssertionError(
            f"{what}: methods disagree before timing (shapes {a.shape}, {b.shape})"
        )
    scale = max(float(np.abs(b).max(initial=0.0)), 1e-300)
    err = float(np.abs(a - b).max(initial=0.0)) / scale
    if not err <= rtol:
        raise AssertionError(f"{what}: methods disagree before timing (relative {err:.2e})")


def _base(case: str, what: str, measure: str, unit: str = "s") -> dict[str, Any]:
    return {
        "case": case,
        "what": what,
        "measure": measure,
        "unit": unit,
        "ours": None,
        "reference": None,
        "ours_cpu": None,
        "reference_cpu": None,
        "ratio": None,
        "ratio_min": None,
        "ratio_max": None,
        "paired": None,
        "basis": None,
        "rounds": None,
        "target": None,
        "limit": None,
        "failed": None,
    }


def timed(
    case: str,
    what: str,
    measure: str,
    ours: Timing,
    reference: Timing,
    target: float | None = None,
    *,
    paired: bool = True,
    basis: str = "wall",
) -> dict[str, Any]:
    """A row of two timings: paired when their rounds ran together in this process."""
    a, b = (ours.cpu, reference.cpu) if basis == "cpu" else (ours.wall, reference.wall)
    r: Ratio = ratios(a, b) if paired else unpaired(a, b)
    return {
        **_base(case, what, measure),
        "ours": ours.median,
        "reference": reference.median,
        "ours_cpu": ours.cpu_median,
        "reference_cpu": reference.cpu_median,
        "ratio": r.median,
        "ratio_min": r.min,
        "ratio_max": r.max,
        "paired": r.paired,
        "basis": basis,
        "rounds": min(len(ours.wall), len(reference.wall)),
        "target": target,
    }


def memory(case: str, what: str, measure: str, ours: int, reference: int) -> dict[str, Any]:
    """A row of two peak memories (one measurement each: tracemalloc counts, it does not time)."""
    ratio = ours / reference
    return {
        **_base(case, what, measure, "bytes"),
        "ours": ours,
        "reference": reference,
        "ratio": ratio,
        "ratio_min": ratio,
        "ratio_max": ratio,
        "rounds": 1,
    }


def absolute(
    case: str, what: str, measure: str, t: Timing, limit: float | None = None, unit: str = "s"
) -> dict[str, Any]:
    """A row of one timing (no reference), held under ``limit`` seconds if one is given."""
    return {
        **_base(case, what, measure, unit),
        "ours": t.median,
        "ours_cpu": t.cpu_median,
        "rounds": len(t.wall),
        "limit": limit,
    }


def missing(case: str, what: str, peer: str, how: str) -> dict[str, Any]:
    return _base(case, what, f"{peer}: not installed ({how})")


def not_run(case: str, what: str, measure: str, why: str) -> dict[str, Any]:
    return _base(case, what, f"{measure}: not run, {why}")


def met(row: dict[str, Any]) -> bool | None:
    """Whether the row meets its target or limit (None when it has neither, or did not run);
    False for a row whose method gave a wrong answer (``failed`` says which)."""
    if row["failed"]:
        return False
    if row["target"] is not None and row["ratio"] is not None:
        return row["ratio"] <= row["target"]
    if row["limit"] is not None and row["ours"] is not None:
        return row["ours"] < row["limit"]
    return None


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "bytes":
        return f"{v / 2**30:.2f} GiB" if v >= 2**30 else f"{v / 2**20:.2f} MiB"
    if unit == "s/entry":
        return f"{v * 1e6:.2f} µs/entry"
    if v >= 1:
        return f"{v:.2f} s"
    return f"{v * 1e6:.0f} µs" if v < 1e-2 else f"{v * 1e3:.1f} ms"


def _ratio(r: dict[str, Any]) -> str:
    if r["ratio"] is None:
        return "—"
    if r["ratio_min"] == r["ratio_max"]:
        return f"{r['ratio']:.3f}"
    text = f"{r['ratio_min']:.2f}–**{r['ratio']:.2f}**–{r['ratio_max']:.2f}"
    return text + ("" if r["paired"] else " †")


def _cpu(r: dict[str, Any]) -> str:
    if r["ours_cpu"] is None:
        return "—"
    return f"{_fmt(r['ours_cpu'], r['unit'])} / {_fmt(r['reference_cpu'], r['unit'])}"


def _target(r: dict[str, Any]) -> str:
    ok = met(r)
    mark = "" if ok is None else (" ✓" if ok else " ✗")
    if r["target"] is not None:
        return f"≤ {r['target']}" + mark
    if r["limit"] is not None:
        return f"< {_fmt(r['limit'], 's')}" + mark
    return ""


HEADER = (
    "| case | what | measure | ours | reference | ratio min–**median**–max | CPU ours / ref"
    " | target |"
)


def markdown(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table; † marks a ratio of times not taken in the same rounds."""
    lines = [HEADER, "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['what']} | {r['measure']} | {_fmt(r['ours'], r['unit'])} "
            f"| {_fmt(r['reference'], r['unit'])} | {_ratio(r)} | {_cpu(r)} | {_target(r)} |"
        )
    if any(r["paired"] is False for r in rows):
        lines.append(
            "\n† not paired within rounds (a peer timed in its own process, or a call too long"
            " to repeat): the median is a ratio of medians, and min and max bound the ratio of"
            " any round of one over any round of the other."
        )
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.machine()
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as fh:
            names = [line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")]
        cpu = f"{names[0]} ({cpu})" if names else cpu
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}"
    )
