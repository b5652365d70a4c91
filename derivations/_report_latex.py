"""A report of :func:`jacobians.verify` as LaTeX, for ``jacobians verify --format latex``.

The wording is the report's own (its headline, its lines of errors and of the numeric method,
its diagnosis, hint and notes), laid out as the derivation tables are: a bold headline, a list,
and a table of the first differing entries. ``jacobians verify FILE.py`` verifies in a child
process that sends the report back as its JSON document; :func:`report_from_dict` makes the
report again from that document (without the two matrices, which it leaves out).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import Any

from jacobians import Diagnosis, Report
from jacobians.checking._report import Entry

from . import _latex_layout as lay
from . import _tex

__all__ = ["report_from_dict", "report_latex"]


def report_from_dict(doc: dict[str, Any]) -> Report:
    """The :class:`Report` whose ``to_dict()`` is ``doc`` (its matrices empty).

    >>> from jacobians import verify
    >>> r = verify(lambda x: 3 * x, 1.0, 2.0)
    >>> r2 = report_from_dict(r.to_dict())
    >>> str(r2) == str(r), r2.to_dict() == r.to_dict()
    (True, True)
    """
    of, wrt = doc["symbol"][1:].split("/∂", 1)
    given = {"of": of, "wrt": wrt, **doc}
    for name in ("out_shape", "in_shape", "claimed_shape"):
        given[name] = tuple(doc[name])
    given["entries"] = [
        Entry(**{**e, "out_index": tuple(e["out_index"]), "in_index": tuple(e["in_index"])})
        for e in doc["entries"]
    ]
    given["diagnosis"] = Diagnosis(**doc["diagnosis"]) if doc["diagnosis"] else None
    names = {f.name for f in dataclasses.fields(Report) if f.init}
    return Report(**{k: v for k, v in given.items() if k in names})


def report_latex(report: Report, document: bool = False) -> str:
    """The report as LaTeX: a fragment (amsmath, amssymb), or with ``document`` a whole file.

    >>> from jacobians import verify
    >>> print(report_latex(verify(lambda x: 3 * x, 1.0, 3.0)).splitlines()[1][:60])
    \\noindent\\textbf{OK: $\\partial f/\\partial x$ matches the num
    """
    verdict = "OK" if report.matches else "FAIL"
    headline = report.headline()
    if headline.startswith(report.symbol + " "):
        headline = f"${_tex.math(report.symbol)}$ " + _text(headline[len(report.symbol) + 1 :])
    else:
        headline = _text(headline)
    out = [rf"\noindent\textbf{{{verdict}: {headline}}}", r"\begin{itemize}"]
    d = report.diagnosis
    if d is not None:
        out.append(rf"\item \textbf{{diagnosis ({_text(d.kind)}):}} {_text(d.summary)}")
        out.append(rf"\item \textbf{{fix:}} {_with_code(d.fix, getattr(d, 'code', None))}")
    elif not report.matches:
        out.append(rf"\item \textbf{{diagnosis:}} {_text(report.no_diagnosis)}")
    hint, example = getattr(report, "hint", ""), getattr(report, "example", "")
    if hint:
        out.append(rf"\item \textbf{{hint:}} {_text(hint)}")
        if example:  # ragged: a long line of code breaks at a space rather than overflowing
            out.append(rf"\par{{\raggedright\ttfamily {_code(example)}\par}}")
    out.append(rf"\item {_text(report._errors())}")
    out += [rf"\item note: {_text(n)}" for n in report.notes]
    out += [rf"\item {_text(report._reference())}", r"\end{itemize}"]
    if report.entries:
        body = [
            [
                ("math", _tex.math(e.label(report.of, report.wrt))),
                ("math", _number(e.claimed)),
                ("math", _number(e.numeric)),
            ]
            for e in report.entries
        ]
        out += lay.table(("entry", "claimed", "numeric"), body, mathjax=False)
    return lay.wrap_document(lay.header(False) + out, document)


def _with_code(fix: str, code: str | None) -> str:
    """The fix in words, its code (the end of it, when there is one) in typewriter type."""
    if code and fix.endswith(code):
        return _text(fix[: -len(code)]) + rf"\texttt{{{_code(code)}}}"
    return _text(fix)


def _number(v: float) -> str:
    return f"{v:.6g}".replace("inf", r"\infty").replace("nan", r"\text{nan}")


def _text(s: str) -> str:
    """Text-mode LaTeX of the report's words, `code` in typewriter type; a character the
    notation has no command for is spelled by its Unicode name instead of breaking the document.

    >>> print(_text("pass layer= (in a file for `jacobians verify`, define layer)"))
    pass layer= (in a file for \\texttt{jacobians verify}, define layer)
    """
    parts = s.split("`")
    if len(parts) % 2 == 0:  # an odd number of backticks: no code spans
        parts = [s]
    return "".join(rf"\texttt{{{_code(p)}}}" if i % 2 else _words(p) for i, p in enumerate(parts))


def _words(s: str) -> str:
    try:
        return _tex.text(s)
    except ValueError:
        return "".join(_char(ch) for ch in s)


def _char(ch: str) -> str:
    try:
        return _tex.text(ch)
    except ValueError:
        return rf"\textsc{{{unicodedata.name(ch, f'U+{ord(ch):04X}').lower()}}}"


def _code(s: str) -> str:
    """Code for \\texttt, its specials escaped (a line may break at its spaces)."""
    try:
        return lay.code(s)
    except ValueError:
        return "".join(_char(ch) for ch in s)
