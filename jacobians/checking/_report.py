"""The report of :func:`jacobians.verify`: terminal text, Markdown and HTML, and a dict."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from math import prod
from typing import Any

import numpy as np

from .._structure_args import fmt_shape

__all__ = ["Diagnosis", "Entry", "Report", "entry_label"]

_NONE = "none of the common mistakes explains the difference"
_NONE_FAST = (
    "none of the slips the fast check tests (transposed, column-major, a constant factor or "
    "sign, and σ′ slips when layer= is given) explains the difference"
)


def entry_label(
    row: int, col: int, out_shape: tuple, in_shape: tuple, of: str = "f", wrt: str = "x"
) -> str:
    """The entry (row, col) of a Jacobian matrix as ∂f[i]/∂W[j, k].

    >>> entry_label(1, 5, (3,), (2, 4), "z", "W")
    '∂z[1]/∂W[1, 1]'
    """
    o = np.unravel_index(row, out_shape) if out_shape else ()
    i = np.unravel_index(col, in_shape) if in_shape else ()
    so = f"{of}[{', '.join(str(int(t)) for t in o)}]" if o else of
    si = f"{wrt}[{', '.join(str(int(t)) for t in i)}]" if i else wrt
    return f"∂{so}/∂{si}"


@dataclass(frozen=True)
class Entry:
    """One entry of the Jacobian: matrix position, the output and input indices, both values."""

    row: int
    col: int
    out_index: tuple[int, ...]
    in_index: tuple[int, ...]
    claimed: float
    numeric: float

    def label(self, of: str, wrt: str) -> str:
        """∂f[i]/∂W[j, k]."""
        o = f"{of}[{', '.join(map(str, self.out_index))}]" if self.out_index else of
        i = f"{wrt}[{', '.join(map(str, self.in_index))}]" if self.in_index else wrt
        return f"∂{o}/∂{i}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "col": self.col,
            "out_index": list(self.out_index),
            "in_index": list(self.in_index),
            "claimed": self.claimed,
            "numeric": self.numeric,
        }


@dataclass(frozen=True)
class Diagnosis:
    """A mistake that explains the difference exactly: its kind, a one-line summary and a fix (or,
    of kind ``"not-smooth"``, why the numeric side cannot judge the claim where they differ).

    Attributes:
        kind: ``"transposed"``, ``"column-major"``, ``"factor"``, ``"activation-derivative"``,
            ``"entries"`` or ``"shape"``; or ``"not-smooth"``, no mistake in the claim: the
            numeric derivative is unreliable where they differ, f not being smooth there.
        summary: what the slip is, in words.
        fix: what to do, in words, ending with ``code`` when there is one.
        data: the details (the reading, the factor, the entries, …).
        code: the fix as a Python expression of ``claimed``, the array exactly as it was
            passed (``"claimed.T"``, ``"claimed / 2"``; ``np``, ``reshape`` and ``jacobians``
            are the modules): its value is a claim that matches. None when the fix is to
            recompute (an activation derivative, a few entries).
    """

    kind: str
    summary: str
    fix: str
    data: dict[str, Any] = field(default_factory=dict)
    code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "summary": self.summary,
            "fix": self.fix,
            "code": self.code,
            "data": self.data,
        }


_MARKDOWN = re.compile(r"([\\*_\[\]|<>])")  # not `: the report's own `code` spans stay code


def _md(text: str) -> str:
    """Text for Markdown, its marks escaped: tr(A*X'*B) must not turn italic."""
    return _MARKDOWN.sub(r"\\\1", text)


def _code_marked(d: Diagnosis) -> str:
    """The fix with its code as Markdown code (its ``*`` and ``_`` are not emphasis)."""
    if d.code and d.fix.endswith(d.code):
        return f"{_md(d.fix[: -len(d.code)])}`{d.code}`"
    return _md(d.fix)


@dataclass
class Report:
    """What :func:`verify` found. True in a boolean context exactly when the claim matches.

    Attributes:
        matches: whether the claimed Jacobian equals the numeric one within the tolerance.
        diagnosis: the mistake that explains the difference exactly, or None.
        mode: ``"full"`` (every entry compared) or ``"fast"`` (claimed·v against the numeric
            J·v along ``directions`` random directions v, within ``bound``).
        max_abs_error, max_rel_error: the largest |claimed − numeric| (fast: of an entry of
            claimed·v − J·v), and that over max |numeric| (fast: max |J·v|).
        entries: the first differing entries (row-major order); n_differing counts them all
            (None for the fast check, which compares no single entry).
        numeric, claimed: the two matrices compared (numerator layout, row-major; fast: J·v
            and claimed·v, one column per direction v, scaled to ‖v‖₁ = 1).
        hint, example: for a mismatch no slip explains, the checks that were not tried and
            how to ask for them (the activation-derivative slips need ``layer=``; the entries
            that differ, ``mode="full"``), and an example call; else empty.
    """

    matches: bool
    of: str
    wrt: str
    out_shape: tuple[int, ...]
    in_shape: tuple[int, ...]
    claimed_shape: tuple[int, ...]
    read_as: str
    max_abs_error: float
    max_rel_error: float
    n_differing: int | None
    entries: list[Entry]
    diagnosis: Diagnosis | None
    method: str
    numeric_error: float
    rtol: float
    atol: float
    notes: list[str] = field(default_factory=list)
    hint: str = ""
    example: str = ""
    mode: str = "full"
    directions: int = 0
    bound: float = 0.0
    numeric: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    claimed: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)

    def __bool__(self) -> bool:
        return self.matches

    @property
    def symbol(self) -> str:
        return f"∂{self.of}/∂{self.wrt}"

    @property
    def size(self) -> str:
        r, c = prod(self.out_shape), prod(self.in_shape)
        return (
            f"{r}×{c}: {self.of} {fmt_shape(self.out_shape)}, "
            f"{self.wrt} {fmt_shape(self.in_shape)}; "
            f"claimed {fmt_shape(self.claimed_shape)}, read as {self.read_as}"
        )

    @property
    def _fast(self) -> bool:
        return self.mode == "fast"

    @property
    def no_diagnosis(self) -> str:
        """What the report says when no common slip explains a mismatch."""
        return _NONE_FAST if self._fast else _NONE

    @property
    def _unsure(self) -> bool:
        """Whether the only differences are where the numeric side is unreliable (not-smooth):
        not a match, and no mistake found either."""
        return self.diagnosis is not None and self.diagnosis.kind == "not-smooth"

    def headline(self) -> str:
        verdict = "matches" if self.matches else "does NOT match"
        if self._unsure:
            verdict = "cannot be checked everywhere against"
        along = f" along {self.directions} random directions" if self._fast else ""
        return f"{self.symbol} {verdict} the numeric Jacobian{along} ({self.size})"

    def _errors(self) -> str:
        if self._fast:
            miss = (0.8 / 10) ** self.directions  # √(2/π)·bound/δ per direction, δ = 10·bound
            return (
                f"max |claimed·v − J·v| = {self.max_abs_error:.2e} (relative "
                f"{self.max_rel_error:.2e}) over {self.directions} random directions v of "
                f"normal entries; bound {self.bound:.1e} (an entry of claimed off by 10 × the "
                f"bound escapes all {self.directions} with probability below {miss:.0e})"
            )
        rough = (
            f", {len(self.diagnosis.data['entries'])} more where f is not smooth"
            if self._unsure and self.diagnosis is not None
            else ""
        )
        return (
            f"max |claimed − numeric| = {self.max_abs_error:.2e} (relative "
            f"{self.max_rel_error:.2e}); {self.n_differing} of "
            f"{prod(self.out_shape) * prod(self.in_shape)} entries differ{rough}"
        )

    def _reference(self) -> str:
        if self._fast:
            return (
                f"fast check: J·v by {self.method} along each direction, estimated error ≤ "
                f"{self.numeric_error:.1e}; tolerance rtol = {self.rtol:.0e}, atol = "
                f"{self.atol:.1e} on each entry of claimed"
            )
        return (
            f"full check, entry by entry; numeric: {self.method}, estimated error ≤ "
            f"{self.numeric_error:.1e}; tolerance rtol = {self.rtol:.0e}, atol = {self.atol:.1e}"
        )

    def __str__(self) -> str:
        lines = [
            ("OK  " if self.matches else "UNSURE " if self._unsure else "FAIL ") + self.headline()
        ]
        if self.diagnosis:
            lines += [
                f"  diagnosis ({self.diagnosis.kind}): {self.diagnosis.summary}",
                f"  fix: {self.diagnosis.fix}",
            ]
        elif not self.matches:
            lines.append(f"  diagnosis: {self.no_diagnosis}")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        if self.example:
            lines.append(f"    {self.example}")
        lines.append("  " + self._errors())
        if self.entries:
            lines.append("  first differing entries:")
            width = max(len(e.label(self.of, self.wrt)) for e in self.entries)
            claimed = [f"{e.claimed:#.6g}" for e in self.entries]  # six digits, zeros kept
            numeric = [f"{e.numeric:#.6g}" for e in self.entries]
            wc, wn = max(map(len, claimed)), max(map(len, numeric))
            for e, c, n in zip(self.entries, claimed, numeric, strict=True):
                label = e.label(self.of, self.wrt)
                lines.append(f"    {label:{width}}  claimed {c:>{wc}}  numeric {n:>{wn}}")
        lines += [f"  note: {n}" for n in self.notes]
        lines.append("  " + self._reference())
        return "\n".join(lines)

    def __repr__(self) -> str:
        kind = f", {self.diagnosis.kind}" if self.diagnosis else ""
        return f"<Report {self.symbol}: {'match' if self.matches else 'mismatch'}{kind}>"

    def _repr_markdown_(self) -> str:
        mark = "✅" if self.matches else "⚠️" if self._unsure else "❌"
        md = [f"**{mark} {_md(self.headline())}**", ""]
        if self.diagnosis:
            md += [
                f"- **diagnosis ({self.diagnosis.kind})**: {_md(self.diagnosis.summary)}",
                f"- **fix**: {_code_marked(self.diagnosis)}",
            ]
        elif not self.matches:
            md.append(f"- **diagnosis**: {_md(self.no_diagnosis)}")
        if self.hint:
            example = f" `{self.example}`" if self.example else ""
            md.append(f"- **hint**: {_md(self.hint)}{example}")
        md.append(f"- {_md(self._errors())}")
        md += [f"- note: {_md(n)}" for n in self.notes]
        md.append(f"- {_md(self._reference())}")
        if self.entries:
            md += ["", "| entry | claimed | numeric |", "|---|---:|---:|"]
            md += [
                f"| {_md(e.label(self.of, self.wrt))} | {e.claimed:.6g} | {e.numeric:.6g} |"
                for e in self.entries
            ]
        return "\n".join(md)

    def _repr_html_(self) -> str:
        esc = html.escape
        color = "#1a7f37" if self.matches else "#9a6700" if self._unsure else "#cf222e"
        out = [f'<p><b style="color:{color}">{esc(self.headline())}</b></p><ul>']
        if self.diagnosis:
            out.append(
                f"<li><b>diagnosis ({esc(self.diagnosis.kind)})</b>: "
                f"{esc(self.diagnosis.summary)}</li><li><b>fix</b>: {esc(self.diagnosis.fix)}</li>"
            )
        elif not self.matches:
            out.append(f"<li><b>diagnosis</b>: {esc(self.no_diagnosis)}</li>")
        if self.hint:
            example = f" <code>{esc(self.example)}</code>" if self.example else ""
            hint = re.sub(r"`([^`]*)`", r"<code>\1</code>", esc(self.hint))  # its `code` spans
            out.append(f"<li><b>hint</b>: {hint}{example}</li>")
        out.append(f"<li>{esc(self._errors())}</li>")
        out += [f"<li>note: {esc(n)}</li>" for n in self.notes]
        out.append(f"<li>{esc(self._reference())}</li></ul>")
        if self.entries:
            out.append("<table><tr><th>entry</th><th>claimed</th><th>numeric</th></tr>")
            out += [
                f"<tr><td>{esc(e.label(self.of, self.wrt))}</td><td>{e.claimed:.6g}</td>"
                f"<td>{e.numeric:.6g}</td></tr>"
                for e in self.entries
            ]
            out.append("</table>")
        return "".join(out)

    def to_dict(self) -> dict[str, Any]:
        """Plain Python values (JSON-serialisable); the two matrices are left out."""
        return {
            "matches": self.matches,
            "symbol": self.symbol,
            "out_shape": list(self.out_shape),
            "in_shape": list(self.in_shape),
            "claimed_shape": list(self.claimed_shape),
            "read_as": self.read_as,
            "max_abs_error": self.max_abs_error,
            "max_rel_error": self.max_rel_error,
            "n_differing": self.n_differing,
            "entries": [e.to_dict() for e in self.entries],
            "diagnosis": self.diagnosis.to_dict() if self.diagnosis else None,
            "method": self.method,
            "numeric_error": self.numeric_error,
            "rtol": self.rtol,
            "atol": self.atol,
            "notes": list(self.notes),
            "hint": self.hint,
            "example": self.example,
            "mode": self.mode,
            "directions": self.directions,
            "bound": self.bound,
        }
