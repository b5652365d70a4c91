"""The Markdown renderer: GitHub tables, matrices in code blocks, symbols escaped."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import _expression_model as xrows
from . import _rows as rows
from ._expression_model import ExpressionTable
from ._model import Catalog, Derivation, renders, shape_text

__all__ = ["catalog_markdown", "derivation_markdown", "expression_markdown", "md"]


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
    """A derivation under a ``heading``: what makes its point degenerate, if anything; its
    inputs and computed values (in a code block, aligned as in text); its four tables, the
    matrices if asked for, the notes."""
    out = [f"{heading} {md(d.title)}", ""]
    if d.degenerate:
        out += [f"**{rows.DEGENERATE}** {md(' '.join(g.text for g in d.degenerate))}", ""]
    if d.values:
        out += ["```", *rows.point_lines(d), "```", ""]
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


@renders(ExpressionTable, "markdown")
def expression_markdown(
    t: ExpressionTable, heading: str = "###", floor: float | None = None
) -> str:
    """An expression's table under a ``heading``; closed forms as code, ready to paste back."""
    out = [
        f"{heading} {md(t.title)}",
        "",
        f"Inputs (seed {t.seed}; a size left open is {t.default_size}):",
        "",
    ]
    for i in t.inputs:
        if rows.array_shown(i.value):
            out += [f"{md(xrows.input_label(i))}:", "", *_matrix(i.value), ""]
        else:
            out += [f"{md(xrows.input_label(i))}: {i.value.size} entries (JSON lists them).", ""]
    out += _table(xrows.NODE_HEADERS, xrows.node_rows(t, md))
    out += ["", *_table(xrows.LOCAL_HEADERS, xrows.local_rows(t, floor, md))]
    if t.show_matrices:
        for L in t.locals:
            out += [
                "",
                f"{md(L.symbol)} ({shape_text(L.instance)}):",
                "",
                *_matrix(L.jacobian.matrix),
            ]
    out += ["", *_table(xrows.PATH_HEADERS, xrows.path_rows(t, md))]
    updates = xrows.update_rows(t, md)
    out += ["", *(_table(xrows.update_headers(t), updates) if updates else [xrows.NO_UPDATE])]
    what, label, numbers = xrows.result_lines(t)
    out += ["", f"Result {md(what)}; {md(label)}:", "", "```", t.closed_form, "```", ""]
    shown = t.shown
    if shown is not None:
        out += [f"{md(numbers)}:", "", *_matrix(shown, 6)]
    else:
        out += [f"{md(numbers)}: {t.jacobian.size} entries (JSON lists them)."]
    out += ["", *_table(rows.CHECK_HEADERS, rows.check_rows(t, floor, md))]  # type: ignore[arg-type]
    out += ["", *_table(["accumulation", "multiply-adds"], xrows.order_rows(t))]
    if t.notes:
        out += ["", *(md(n) for n in t.notes)]
    return "\n".join(out) + "\n"
