"""The LaTeX renderer, in two flavours: for a paper and for a notebook.

For a paper: ``tabular`` plus an ``align*`` block (needs amsmath, and amssymb for the catalogue's
indicator 1[z > 0]), optionally wrapped in a complete document. With ``mathjax=True``, for a
notebook: ``array`` inside \\[ \\], which MathJax renders (the cells, tables and matrices of both
are built by ``_latex_layout``). Every string is pure ASCII: notation goes through ``_tex``.
"""

from __future__ import annotations

from . import _expression_model as xrows
from . import _latex_layout as lay
from . import _rows as rows
from . import _tex
from ._expression_model import ExpressionTable
from ._model import Catalog, Derivation, renders, shape_text

__all__ = ["catalog_latex", "derivation_latex", "expression_latex"]


def _align(d: Derivation) -> list[str]:
    """The chain written out twice (symbols, then closed forms), the reshape, and the cases."""
    lhs = _tex.frac_symbol("C", d.wrt)
    symbolic = [lay.underbrace(F.symbol_latex, F.shape) for F in d.factors]
    closed = [lay.underbrace(F.closed_form_latex, shape_text(F.instance)) for F in d.factors]
    row_shape, row_inst = d.row_shape
    out = [r"\begin{align*}"]
    first = True
    for group in (symbolic, closed):
        for i, line in enumerate(lay.chain_lines(group)):
            lead = (lhs if first else "") + (" &= " if i == 0 else r" &\quad ")
            out.append(lead + line + r" \\")
            first = False
    reshape = (
        rf" &= {lay.underbrace(lhs, shape_text(row_inst))} \;\longmapsto\; "
        rf"\nabla_{{{d.wrt_latex}}} C \text{{, shaped like }} {d.wrt_latex}: "
        rf"{_tex.shape(row_shape)} \to {_tex.shape(d.param_shape)}"
    )
    if rows.gradient_shown(d):
        out.append(reshape + r" \\")
        out.append(rf" &= {lay.matrix(d.gradient, 6)}")
    else:
        out.append(reshape)
    if d.cases:
        cases = r" \\ ".join(
            rf"{c.formula_latex.split(' = ', 1)[1]} & {c.condition_latex}" for c in d.cases
        )
        lhs_case = d.cases[0].formula_latex.split(" = ", 1)[0]
        out.append(r" \\")
        out.append(rf"{lhs_case} &= \begin{{cases}} {cases} \end{{cases}}")
    out.append(r"\end{align*}")
    return out


@renders(Derivation, "latex")
def derivation_latex(
    d: Derivation, mathjax: bool = False, document: bool = False, floor: float | None = None
) -> str:
    """A derivation: the factors' table, the matrices if asked for, the product's table, the
    chain in ``align*``, and the checks with the multiply-adds."""
    out = []
    if not mathjax:
        out += [rf"\paragraph{{{d.title_latex}}}", ""]
    out += lay.table(
        rows.FACTOR_HEADERS,
        [
            [
                ("math", F.symbol_latex),
                ("math", F.closed_form_latex),
                ("math", _tex.shape(F.shape)),
                ("math", _tex.shape(shape_text(F.instance))),
                ("text", F.structure),
            ]
            for F in d.factors
        ],
        mathjax,
    )
    if d.show_matrices:
        mats = [rf"{F.symbol_latex} &= {lay.matrix(F.jacobian.matrix)}" for F in d.factors]
        out += [r"\begin{align*}", " \\\\\n".join(mats), r"\end{align*}"]
    row_shape, row_inst = d.row_shape
    products = [
        [
            ("math", rf"{lay.sym(s.left)} \, {lay.sym(s.right)} = {s.result_latex}"),
            ("math", _tex.shape(s.shape)),
            ("math", _tex.shape(shape_text(s.instance))),
        ]
        for s in d.steps
    ]
    reshape = [
        ("text", _tex.text(rows.reshape_label(d))),
        ("math", rf"{_tex.shape(row_shape)} \to {_tex.shape(d.param_shape)}"),
        (
            "math",
            rf"{_tex.shape(shape_text(row_inst))} \to {_tex.shape(rows.gradient_instance(d))}",
        ),
    ]
    out += lay.table(rows.STEP_HEADERS, [*products, reshape], mathjax)
    out += _align(d)
    orders = [
        [
            ("text", _tex.text(f"multiply-adds, {rows.ORDER_LABELS[k]}")),
            ("text", str(v)),
            ("text", ""),
            ("text", ""),
        ]
        for k, v in d.multiply_adds.items()
    ]
    out += lay.table(rows.CHECK_HEADERS, [*_check_rows(d, floor), *orders], mathjax)
    return lay.wrap_document(lay.header(mathjax) + out, document)


@renders(Catalog, "latex")
def catalog_latex(
    c: Catalog, mathjax: bool = False, document: bool = False, floor: float | None = None
) -> str:
    """The catalogue as one table (``floor`` unused: the catalogue has no numbers)."""
    body = [
        [
            ("text", _tex.text(r.operation) if first else ""),
            ("math", r.formula_latex if first else ""),
            ("math", r.symbol_latex),
            ("math", r.closed_form_latex),
            ("math", _tex.shape(r.shape)),
            ("text", _tex.text(rows.structure_cell(r))),
        ]
        for first, r in rows.catalog_groups(c)
    ]
    return lay.wrap_document(
        lay.header(mathjax) + lay.table(rows.CATALOG_HEADERS, body, mathjax), document
    )


def _check_rows(
    t: Derivation | ExpressionTable, floor: float | None
) -> list[list[tuple[str, str]]]:
    return [
        [
            ("text", c.latex or _tex.text(c.description)),
            ("text", _tex.text(rows.diff(c.value, floor))),
            ("text", _tex.text(rows.sci(None if c.value is None else c.tolerance))),
            ("text", _tex.text(rows.result(c))),
        ]
        for c in t.checks
    ]


def _expression_inputs(t: ExpressionTable) -> list[str]:
    shown = [i for i in t.inputs if i.value.size <= xrows.INPUT_SHOWN]
    if not shown:
        return []
    lines = [
        rf"{_tex.math(i.name)} &= {lay.matrix(i.value)} && \text{{{_tex.text(i.how)}}}"
        for i in shown
    ]
    return [r"\begin{align*}", " \\\\\n".join(lines), r"\end{align*}"]


def _update(u: xrows.Update) -> str:
    sign = r"\mathrel{+}=" if u.accumulates else "="
    product = rf"{lay.sym(u.target)} {sign} {lay.sym(u.left)} \, {lay.sym(u.right)}"
    return rf"\text{{eliminate }} {_tex.math(u.vertex)}\!: {product}"


@renders(ExpressionTable, "latex")
def expression_latex(
    t: ExpressionTable, mathjax: bool = False, document: bool = False, floor: float | None = None
) -> str:
    """An expression's table: inputs, nodes, local Jacobians, paths, eliminations, the result
    (closed forms in typewriter type: text of the language), the checks and multiply-adds."""
    # \mbox{} ends the run-in heading, so the inputs start a paragraph of their own
    out = [] if mathjax else [rf"\paragraph{{{t.title_latex}}}\mbox{{}}", ""]
    out.append(_tex.text(f"Inputs (seed {t.seed}; a size left open is {t.default_size}):"))
    out += _expression_inputs(t)
    nodes = [
        [
            ("math", n.symbol_latex),
            ("code" if n.operation else "text", lay.code(n.definition)),
            ("text", _tex.text(n.operation)),
            ("math", _tex.shape(n.shape)),
            ("math", _tex.shape(xrows._here(n.instance))),
        ]
        for n in t.nodes
    ]
    out += lay.table(xrows.NODE_HEADERS, nodes, mathjax)
    local = [
        [
            (
                "math",
                L.symbol_latex
                + (
                    rf"\ \text{{{_tex.text(L.symbol.split(' ', 1)[1])}}}" if " " in L.symbol else ""
                ),
            ),
            ("math", L.rule_latex),
            ("code", lay.code(L.closed_form or "-")),
            ("math", _tex.shape(L.shape)),
            ("math", _tex.shape(shape_text(L.instance))),
            ("text", L.structure),
            ("text", _tex.text(rows.diff(L.check, floor))),
        ]
        for L in t.locals
    ]
    out += lay.table(xrows.LOCAL_HEADERS, local, mathjax)
    if t.show_matrices:
        mats = [rf"{L.symbol_latex} &= {lay.matrix(L.jacobian.matrix)}" for L in t.locals]
        out += [r"\begin{align*}", " \\\\\n".join(mats), r"\end{align*}"]
    path_body = [
        [
            ("math", r" \to ".join(_tex.math(s) for s in p.nodes)),
            ("math", r" \, ".join(lay.sym(f) for f in p.factors)),
            ("text", str(p.count)),
        ]
        for p in t.paths
    ]
    out += lay.table(xrows.PATH_HEADERS, path_body, mathjax)
    updates = [
        [
            ("math", _update(u)),
            ("math", _tex.shape(u.shape)),
            ("math", _tex.shape(shape_text(u.instance))),
        ]
        for u in t.updates
    ]
    if t.gradient is not None:
        *_, last = xrows.update_rows(t, str)
        updates.append(
            [
                ("text", _tex.text(last[0])),
                ("math", _tex.shape(last[1])),
                ("math", _tex.shape(last[2])),
            ]
        )
    if updates:
        out += lay.table(xrows.update_headers(t), updates, mathjax)
    elif not mathjax:
        out += ["", _tex.text(xrows.NO_UPDATE), ""]
    _, label, numbers = xrows.result_lines(t)
    out += [
        r"\begin{align*}",
        rf"&\text{{{_tex.text(label)}:}} \\",
        rf"{_tex.frac_symbol(t.output, t.wrt)} &= \texttt{{{lay.code(t.closed_form)}}}",
    ]
    if t.shown is not None:
        out[-1] += r" \\"
        out += [rf"&\text{{{_tex.text(numbers)}:}} \\", rf"&= {lay.matrix(t.shown, 6)}"]
    out.append(r"\end{align*}")
    orders = [
        [("text", _tex.text(f"multiply-adds, {k}")), ("text", v), ("text", ""), ("text", "")]
        for k, v in xrows.order_rows(t)
    ]
    out += lay.table(rows.CHECK_HEADERS, [*_check_rows(t, floor), *orders], mathjax)
    if t.notes:
        out += ["", *(_tex.text(n) for n in t.notes)]
    return lay.wrap_document(lay.header(mathjax) + out, document)
