"""The LaTeX of an expression's table (:func:`derivations.expression`), for a paper or a notebook.

Its inputs, nodes, local Jacobians, paths, eliminations, the result (closed forms in typewriter
type: text of the language) and the checks, laid out by ``_latex_layout`` as a derivation's are.
"""

from __future__ import annotations

from . import _expression_model as xrows
from . import _latex_layout as lay
from . import _rows as rows
from . import _tex
from ._expression_model import ExpressionTable
from ._latex_widths import width_pt
from ._model import renders, shape_text

__all__ = ["expression_latex"]

# The columns that share, on a paper, what the others leave of the line (they wrap): the
# nodes' definitions; the local Jacobians' rules and closed forms; a long path and its factors.
_NODE_FILL = {1: 1.0}
_LOCAL_FILL = {1: 1.0, 2: 1.0}
_PATH_FILL = {0: 1.0, 1: 1.0}
_PATH_TIMES_PT = 50.0  # the path table's third column, "times", and the space between columns
_CODE_FITS = 70  # characters of typewriter type (5.25 pt each) beside the ∇ on a line


def _inputs(t: ExpressionTable, mathjax: bool) -> list[str]:
    shown = [i for i in t.inputs if rows.array_shown(i.value)]
    lines = []
    for i in shown:
        block = lay.matrix_lines(_tex.math(i.name), i.value, mathjax=mathjax)
        lines += [*block[:-1], rf"{block[-1]} && \text{{{_tex.text(i.how)}}}"]
    return lay.display(lines, mathjax)


def _operation(name: str, mathjax: bool) -> str:
    """An operation's name; on a paper, a long one (sigmoid_binary_cross_entropy) may break
    after an underscore."""
    return _tex.text(name).replace(r"\_", r"\_" if mathjax else r"\_\allowbreak{}")


def _update(u: xrows.Update) -> str:
    sign = r"\mathrel{+}=" if u.accumulates else "="
    product = rf"{lay.sym(u.target)} {sign} {lay.sym(u.left)} \, {lay.sym(u.right)}"
    return rf"\text{{eliminate }} {_tex.math(u.vertex)}\!: {product}"


def _locals(t: ExpressionTable, floor: float | None, mathjax: bool) -> list[str]:
    """The local Jacobians: on a paper set a size smaller, and where they would not fit the
    narrowest line as wide as the line, every column wrapping (the rules after their operators,
    the closed forms after their brackets, a symbol before its "(as A)"); a longtable when it may
    be taller than a page."""
    body = [
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
    return lay.table(xrows.LOCAL_HEADERS, body, mathjax, small=True, fill=_LOCAL_FILL)


def _paths(t: ExpressionTable, mathjax: bool) -> list[str]:
    """The paths, in columns that wrap on a paper when the longest would not fit the narrowest
    line: TeX breaks the nodes after an arrow, and the factors where a break is allowed between
    them."""
    paths = [
        (r" \to ".join(_tex.math(s) for s in p.nodes), [lay.sym(f) for f in p.factors], p.count)
        for p in t.paths
    ]
    widest = max((width_pt("math", n + r" \, ".join(f)) for n, f, _ in paths), default=0.0)
    wraps = not mathjax and widest + _PATH_TIMES_PT > lay.NARROWEST_PT
    between = r" \, \allowbreak " if wraps else r" \, "
    body = [
        [("math", nodes), ("math", between.join(factors)), ("text", str(count))]
        for nodes, factors, count in paths
    ]
    return lay.table(xrows.PATH_HEADERS, body, mathjax, fill=_PATH_FILL if wraps else None)


def _eliminations(t: ExpressionTable, mathjax: bool) -> list[str]:
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
        return lay.table(xrows.update_headers(t), updates, mathjax)
    return [] if mathjax else ["", _tex.text(xrows.NO_UPDATE), ""]


def _closed_form(text: str, mathjax: bool) -> str:
    """The result's closed form in typewriter type; on a paper, one longer than the line is set
    in a box of its own, where it breaks after its operators (a display line never breaks)."""
    if mathjax or len(text) <= _CODE_FITS:
        return rf"\texttt{{{lay.code(text)}}}"
    box = rf"\raggedright\ttfamily {_tex.code_breaks(lay.code(text))}"
    return rf"\parbox[t]{{0.75\linewidth}}{{{box}}}"


def _result(t: ExpressionTable, mathjax: bool) -> list[str]:
    """The closed form and the numbers: the gradient, shaped like the variable, where the output
    is a scalar (written as the gradient, not as the row it is folded from), else the Jacobian."""
    _, label, numbers = xrows.result_lines(t)
    if t.gradient is not None:
        lhs = rf"\nabla_{{{_tex.math(t.wrt)}}} {_tex.math(t.output)}"
    else:
        lhs = _tex.frac_symbol(t.output, t.wrt)
    lines = [
        rf"&\text{{{_tex.text(label)}:}}",
        rf"{lhs} &= {_closed_form(t.closed_form, mathjax)}",
    ]
    if t.shown is not None:
        lines.append(rf"&\text{{{_tex.text(numbers)}:}}")
        lines += lay.matrix_lines(lhs, t.shown, 6, mathjax)
    return lay.display(lines, mathjax)


@renders(ExpressionTable, "latex")
def expression_latex(
    t: ExpressionTable, mathjax: bool = False, document: bool = False, floor: float | None = None
) -> str:
    """An expression's table: inputs, nodes, local Jacobians, paths, eliminations, the result
    (closed forms in typewriter type: text of the language), the checks and multiply-adds."""
    out = [] if mathjax else _tex.heading(t.title_latex)
    out.append(_tex.text(f"Inputs (seed {t.seed}; a size left open is {t.default_size}):"))
    out += _inputs(t, mathjax)
    nodes = [
        [
            ("math", n.symbol_latex),
            ("code" if n.operation else "text", lay.code(n.definition)),
            ("text", _operation(n.operation, mathjax)),
            ("math", _tex.shape(n.shape)),
            ("math", _tex.shape(xrows._here(n.instance))),
        ]
        for n in t.nodes
    ]
    out += lay.table(xrows.NODE_HEADERS, nodes, mathjax, fill=_NODE_FILL)
    out += _locals(t, floor, mathjax)
    if t.show_matrices:
        lines = []
        for L in t.locals:
            lines += lay.matrix_lines(L.symbol_latex, L.jacobian.matrix, mathjax=mathjax)
        out += [
            _tex.text("The local Jacobians here, entry by entry:"),
            *lay.display(lines, mathjax),
        ]
    out += _paths(t, mathjax)
    out += _eliminations(t, mathjax)
    out += _result(t, mathjax)
    orders = [
        [("text", _tex.text(f"multiply-adds, {k}")), ("text", v), ("text", ""), ("text", "")]
        for k, v in xrows.order_rows(t)
    ]
    out += lay.table(
        rows.CHECK_HEADERS,
        [*lay.check_cells(t.checks, floor), *orders],
        mathjax,
        fill=lay.CHECK_FILL,
    )
    if t.notes:
        out += ["", *(_tex.text(n) for n in t.notes)]
    return lay.wrap_document(lay.header(mathjax) + out, document, mathjax)
