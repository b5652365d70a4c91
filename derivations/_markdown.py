"""The Markdown renderer: GitHub tables, matrices in code blocks, symbols escaped."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import _rows as rows
from ._model import Catalog, Derivation, renders, shape_text

__all__ = ["catalog_markdown", "derivation_markdown", "md"]


def md(s: str) -> str:
    """Escape the characters Markdown would read as markup (a ``|`` would split a table cell)."""
    for ch in "\\|*_`":
        s = s.replace(ch, "\\" + ch)
    return s


def _table(headers: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in body]
    return out


def _matrix(M: np.ndarray, digits: int = 4) -> list[str]:
    return ["```", *(line.strip() for line in rows.matrix_lines(M, "", digits)), "```"]


@renders(Derivation, "markdown")
def derivation_markdown(d: Derivation, heading: str = "###", floor: float | None = None) -> str:
    """A derivation under a ``heading``: its four tables, the matrices if asked for, the notes."""
    out = [f"{heading} {md(d.title)}", ""]
    out += _table(rows.FACTOR_HEADERS, rows.factor_rows(d, md))
    if d.show_matrices:
        for F in d.factors:
            out += ["", f"{md(F.symbol)} = {md(F.closed_form)} ({shape_text(F.instance)}):", ""]
            out += _matrix(F.jacobian.matrix)
    if d.cases:
        out += ["", f"{md(d.cases_of)}, entry by entry:", ""]
        out += _table(["case", "entry"], [[md(c.condition), md(c.formula)] for c in d.cases])
    out += [""]
    out += _table(rows.STEP_HEADERS, rows.step_rows(d, md))
    out += [""]
    if rows.gradient_shown(d):
        out += [f"Gradient {md('∂C/∂' + d.wrt)} ({rows.gradient_instance(d)}):", ""]
        out += _matrix(d.gradient, 6)
    else:
        out += [f"Gradient {md('∂C/∂' + d.wrt)}: {d.gradient.size} entries (JSON lists them)."]
    out += [""]
    out += _table(rows.CHECK_HEADERS, rows.check_rows(d, floor, md))
    out += [""]
    out += _table(rows.ORDER_HEADERS, rows.order_rows(d))
    if d.notes:
        out += ["", *(md(n) for n in d.notes)]
    return "\n".join(out) + "\n"


@renders(Catalog, "markdown")
def catalog_markdown(c: Catalog, heading: str = "###", floor: float | None = None) -> str:
    """The catalogue as one table, a row per Jacobian (``floor`` unused: it has no numbers)."""
    out = [f"{heading} Every operation's Jacobians", ""]
    out += _table(
        rows.CATALOG_HEADERS,
        [
            [
                f"`{r.operation}`",
                md(r.formula),
                md(r.symbol),
                md(r.closed_form),
                r.shape,
                rows.structure_cell(r),
            ]
            for r in c.rows
        ],
    )
    return "\n".join(out) + "\n"
