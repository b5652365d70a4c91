"""The LaTeX of a derivation's point: what makes it degenerate, if anything, then its inputs and
the values computed at them, as the other formats show them (``_rows``), for ``_latex``.

Each value is a line of an ``align*``: a small one with its numbers (a column vector written as
the transpose of a row), a large one as the space it lives in with its min, max and norm. Text
sits outside math, so MathJax (``mathjax=True``, for notebooks) reads the same lines: no
``\\text`` holds a ``$``. Every string is pure ASCII: notation goes through ``_tex``.

>>> from derivations import single_layer
>>> lines = point_latex(single_layer(), mathjax=False)
>>> lines[0], lines[2]
('Inputs (drawn with seed 0):', '\\\\begin{align*}')
"""

from __future__ import annotations

from . import _latex_layout as lay
from . import _rows as rows
from . import _tex
from ._model import Derivation, Value

__all__ = ["point_latex"]

_COMMA = r",\ "


def _space(v: Value) -> str:
    """R^{3 x 4}, R^3, R^{1 x 3} for a row of the product, or R for a scalar."""
    if v.value.ndim == 0:
        return r"\mathbb{R}"
    return rf"\mathbb{{R}}^{{{_tex.shape(rows.value_shape(v))}}}"


def _numbers(v: Value) -> str:
    if v.value.ndim == 0:
        return rows.value_number(v)
    return lay.matrix(v.value) + (r"^{\top}" if v.column else "")


def _summary(v: Value) -> str:
    low, high, norm = rows.value_stats(v)
    return rf"\min = {low},\ \max = {high},\ \lVert\cdot\rVert = {norm}"


def _line(v: Value) -> str:
    """One row of the align*: the name, its definition if computed, and the numbers; or, for a
    value too large to print, the space it lives in and in brackets its summary (and whether
    an input was given or drawn, which the heading says for the others)."""
    if rows.value_shown(v):
        definition = f"{v.definition_latex} = " if v.definition_latex else ""
        return f"{v.name_latex} &= {definition}{_numbers(v)}"
    definition = f"= {v.definition_latex} " if v.definition_latex else ""
    tags = [rf"\text{{{v.origin}}}"] if v.role == "input" else []
    tags.append(_summary(v))
    # beside the space, not in a column of its own: align* would push that column past the
    # margin behind the widest definition (a long product of the chain)
    return rf"{v.name_latex} &{definition}\in {_space(v)} \quad ({_COMMA.join(tags)})"


def _block(heading: str, values: list[Value]) -> list[str]:
    body = r" \\" + "\n"
    return [
        f"{heading[0].upper()}{heading[1:]}:",
        "",
        r"\begin{align*}",
        body.join(_line(v) for v in values),
        r"\end{align*}",
    ]


def point_latex(d: Derivation, mathjax: bool = False) -> list[str]:
    """The lines to put after the title: the degenerate paragraph (if any), the inputs and the
    computed values (none for a table without a point)."""
    out: list[str] = []
    if d.degenerate:
        text = " ".join(g.latex or _tex.text(g.text) for g in d.degenerate)
        lead = _tex.text(rows.DEGENERATE)
        out += [f"{lead} {text}" if mathjax else rf"\noindent\textbf{{{lead}}} {text}", ""]
    if not d.values:
        return out
    heading = rows.inputs_heading(d, lambda v: f"${v.name_latex}$")
    out += _block(heading, [v for v in d.values if v.role == "input"])
    computed = [v for v in d.values if v.role != "input"]
    if computed:
        out += _block(_tex.text(rows.COMPUTED_HEADING), computed)
    return out
