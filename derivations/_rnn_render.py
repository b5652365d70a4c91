"""The recurrence table in the four formats, built from the shared pieces every table uses: the
text and Markdown tables, the LaTeX tables and displays of ``_latex_layout``, the JSON dump."""

from __future__ import annotations

from typing import Any

from . import _latex_layout as lay
from . import _rows as rows
from . import _tex
from ._json import SCHEMA_ID, SCHEMA_VERSION, _check, _dumps, _floats
from ._markdown import _table, md
from ._model import renders
from ._rnn_model import PRODUCT_HEADERS, RnnTable, product_rows
from ._text import text_table

__all__ = ["rnn_dict", "rnn_latex", "rnn_markdown", "rnn_text"]


def _intro(t: RnnTable) -> list[str]:
    return [
        *(s for s, _ in t.setup),
        f"one factor (the registry's rule): ∂h_τ/∂h_(τ−1) = {t.factor_form}",
        f"closed form: {t.closed_form}",
    ]


@renders(RnnTable, "text")
def rnn_text(t: RnnTable, floor: float | None = None) -> str:
    """The setup, the closed form once, a row per t, the checks and the note."""
    out = [t.title, "", *_intro(t), ""]
    out += text_table(PRODUCT_HEADERS, product_rows(t, str))
    out += ["", *text_table(rows.CHECK_HEADERS, rows.check_rows(t, floor, str))]  # type: ignore[arg-type]
    return "\n".join([*out, "", *t.notes]) + "\n"


@renders(RnnTable, "markdown")
def rnn_markdown(t: RnnTable, heading: str = "###", floor: float | None = None) -> str:
    """As text, under a ``heading``, in GitHub tables."""
    out = [f"{heading} {md(t.title)}", "", *(f"- {md(s)}" for s in _intro(t)), ""]
    out += _table([md(h) for h in PRODUCT_HEADERS], product_rows(t, md))
    out += ["", *_table(rows.CHECK_HEADERS, rows.check_rows(t, floor, md))]  # type: ignore[arg-type]
    return "\n".join([*out, "", *(md(n) for n in t.notes)]) + "\n"


@renders(RnnTable, "latex")
def rnn_latex(
    t: RnnTable, mathjax: bool = False, document: bool = False, floor: float | None = None
) -> str:
    """The setup and closed form in ``align*``, the products' table, the checks."""
    out = [] if mathjax else _tex.heading(t.title_latex)
    lines = [rf"&{tex}" for _, tex in t.setup]
    lines.append(
        rf"\frac{{\partial h_\tau}}{{\partial h_{{\tau-1}}}} &= {t.factor_form_latex}"
        r" \qquad \text{(one step, the registry's rule)}"
    )
    lines.append(t.closed_form_latex.replace(" = ", " &= ", 1))
    out += lay.display(lines, mathjax)
    headers = ["t", "T − t", "product", "Frobenius norm", "largest singular value", "structure"]
    body = [
        [
            ("text", str(p.t)),
            ("text", str(p.steps)),
            ("math", p.factors_latex),
            ("text", rows._num(p.frobenius)),
            ("text", rows._num(p.sigma_max)),
            ("text", p.structure),
        ]
        for p in t.products
    ]
    out += lay.table(headers, body, mathjax)
    out += lay.table(
        rows.CHECK_HEADERS, lay.check_cells(t.checks, floor), mathjax, fill=lay.CHECK_FILL
    )
    out += list(t.notes_latex)
    return lay.wrap_document(lay.header(mathjax) + out, document, mathjax)


@renders(RnnTable, "dict")
def rnn_dict(t: RnnTable) -> dict[str, Any]:
    """The JSON document of the recurrence table (kind ``rnn``)."""
    return {
        "schema": SCHEMA_ID,
        "version": SCHEMA_VERSION,
        "kind": "rnn",
        "title": t.title,
        "steps": t.steps,
        "n": t.n,
        "m": t.m,
        "seed": t.seed,
        "scale": t.scale,
        "closed_form": t.closed_form,
        "closed_form_latex": t.closed_form_latex,
        "factor_form": t.factor_form,
        "products": [
            {
                "t": p.t,
                "steps": p.steps,
                "symbol": p.symbol,
                "factors": p.factors,
                "frobenius": p.frobenius,
                "sigma_max": p.sigma_max,
                "structure": p.structure,
                "matrix": _floats(p.jacobian.matrix),
            }
            for p in t.products
        ],
        "states": _floats(t.states),
        "checks": [_check(c) for c in t.checks],
        "notes": list(t.notes),
        "passed": t.passed,
    }


@renders(RnnTable, "json")
def rnn_json(t: RnnTable, **_options: Any) -> str:
    """The recurrence table's JSON document, indented."""
    return _dumps(rnn_dict(t))
