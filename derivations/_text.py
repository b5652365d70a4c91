"""The plain-text renderer, for terminals: aligned columns, matrices in brackets."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from . import _expression_model as xrows
from . import _rows as rows
from ._expression_model import ExpressionTable
from ._model import Catalog, Derivation, renders, shape_text

__all__ = ["catalog_text", "derivation_text", "expression_text", "text_table"]


def text_table(headers: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell, as a terminal shows them (x̂ takes one column, not
    the two characters len() counts), under a rule of dashes; trailing spaces stripped."""
    columns = zip(headers, *body, strict=True)
    widths = [max(rows.display_width(str(c)) for c in col) for col in columns]
    line = lambda cells: "  ".join(
        rows.ljust(str(c), w) for c, w in zip(cells, widths, strict=True)
    ).rstrip()
    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in body)]


@renders(Derivation, "text")
def derivation_text(d: Derivation, floor: float | None = None) -> str:
    """A derivation: what makes its point degenerate, if anything; its inputs and computed
    values; its four tables, the factors' matrices if asked for, the gradient and notes."""
    out = [d.title, ""]
    if d.degenerate:
        out += [*textwrap.wrap(rows.degenerate_text(d), 100), ""]
    if d.values:
        out += [*rows.point_lines(d), ""]
    out += text_table(rows.FACTOR_HEADERS, rows.factor_rows(d, str))
    if d.show_matrices:
        for F in d.factors:
            out += ["", f"{F.symbol} = {F.closed_form} ({shape_text(F.instance)}):"]
            out += rows.matrix_lines(F.jacobian.matrix)
    if d.cases:
        out += ["", f"{d.cases_of}, entry by entry:"]
        out += [f"  {c.formula}  when {c.condition}" for c in d.cases]
    out += [""]
    out += text_table(rows.STEP_HEADERS, rows.step_rows(d, str))
    out += [""]
    if rows.gradient_shown(d):
        out += [f"gradient ∂C/∂{d.wrt} ({rows.gradient_instance(d)}):"]
        out += rows.matrix_lines(d.gradient, digits=6)
    else:
        out += [f"gradient ∂C/∂{d.wrt}: {d.gradient.size} entries (--format json lists them)"]
    out += [""]
    out += text_table(rows.CHECK_HEADERS, rows.check_rows(d, floor, str))
    out += [""]
    out += text_table(rows.ORDER_HEADERS, rows.order_rows(d))
    if d.notes:
        out += ["", *d.notes]
    return "\n".join(out) + "\n"


@renders(Catalog, "text")
def catalog_text(c: Catalog, floor: float | None = None) -> str:
    """The catalogue, an operation's name and definition on its first row only.

    ``floor`` is accepted and unused, as by every renderer: the catalogue has no numbers.
    """
    body = [
        [
            r.operation if first else "",
            r.formula if first else "",
            r.symbol,
            r.closed_form,
            r.shape,
            rows.structure_cell(r),
        ]
        for first, r in rows.catalog_groups(c)
    ]
    head = f"Every operation's Jacobians ({len(c.rows)} rules, numerator layout, row-major vec)"
    return "\n".join([head, "", *text_table(rows.CATALOG_HEADERS, body)]) + "\n"


@renders(ExpressionTable, "text")
def expression_text(t: ExpressionTable, floor: float | None = None) -> str:
    """An expression's table: inputs, nodes, local Jacobians, paths, eliminations, the result,
    the checks and the multiply-adds."""
    out = [t.title, "", f"inputs (seed {t.seed}; a size left open is {t.default_size}):"]
    for i in t.inputs:
        if rows.array_shown(i.value):
            out += [f"  {xrows.input_label(i)} =", *rows.matrix_lines(i.value, "    ")]
        else:
            out += [f"  {xrows.input_label(i)}: {i.value.size} entries (JSON lists them)"]
    out += ["", *text_table(xrows.NODE_HEADERS, xrows.node_rows(t, str))]
    out += ["", *text_table(xrows.LOCAL_HEADERS, xrows.local_rows(t, floor, str))]
    if t.show_matrices:
        for L in t.locals:
            out += ["", f"{L.symbol} ({shape_text(L.instance)}):"]
            out += rows.matrix_lines(L.jacobian.matrix)
    out += ["", *text_table(xrows.PATH_HEADERS, xrows.path_rows(t, str))]
    updates = xrows.update_rows(t, str)
    out += ["", *(text_table(xrows.update_headers(t), updates) if updates else [xrows.NO_UPDATE])]
    what, label, numbers = xrows.result_lines(t)
    out += ["", f"result {what}", f"{label}:", f"  {t.closed_form}", ""]
    shown = t.shown
    if shown is not None:
        out += [f"{numbers}:", *rows.matrix_lines(shown, digits=6)]
    else:
        out += [f"{numbers}: {t.jacobian.size} entries (--format json lists them)"]
    out += ["", *text_table(rows.CHECK_HEADERS, rows.check_rows(t, floor, str))]  # type: ignore[arg-type]
    out += ["", *text_table(["accumulation", "multiply-adds"], xrows.order_rows(t))]
    if t.notes:
        out += ["", *t.notes]
    return "\n".join(out) + "\n"
