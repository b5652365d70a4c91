"""The LaTeX renderer, in two flavours: for a paper and for a notebook.

For a paper: ``longtable`` tables and ``align*`` blocks (the packages are named in the first line
it writes, :data:`._latex_layout.PACKAGES`), optionally wrapped in a complete document. With
``mathjax=True``, for a notebook: ``array`` inside \\[ \\], which MathJax renders. The cells,
tables and matrices of both are built by ``_latex_layout``; an expression's table is rendered by
``_latex_expression``. Every string is pure ASCII: notation goes through ``_tex``.

A derivation reads top to bottom: its title, the factors' table, their matrices if asked for,
the products' table, the chain written out (symbols, then closed forms, with the parentheses a
product needs), the reshape of the row into the gradient (a map, not an equality) and its
numbers, and the checks with the multiply-adds.
"""

from __future__ import annotations

from jacobians._labels import factors as product_factors

from . import _latex_expression as _latex_expression  # registers the expression renderer
from . import _latex_layout as lay
from . import _rows as rows
from . import _tex
from ._latex_values import point_latex
from ._model import Catalog, Derivation, renders, shape_text

__all__ = ["catalog_latex", "derivation_latex"]

# The catalogue's columns that wrap on a paper (fractions of the line): all but the symbol. It is
# set a size smaller: the longest definitions and closed forms cannot break.
_CATALOG_WIDTHS = {0: 0.10, 1: 0.275, 3: 0.31, 4: 0.08, 5: 0.095}


def _factors_table(d: Derivation, mathjax: bool) -> list[str]:
    body = [
        [
            ("math", F.symbol_latex),
            ("math", F.closed_form_latex),
            ("math", _tex.shape(F.shape)),
            ("math", _tex.shape(shape_text(F.instance))),
            ("text", F.structure),
        ]
        for F in d.factors
    ]
    return lay.table(rows.FACTOR_HEADERS, body, mathjax)


def _factor_matrices(d: Derivation, mathjax: bool) -> list[str]:
    lines = []
    for F in d.factors:
        lines += lay.matrix_lines(F.symbol_latex, F.jacobian.matrix, mathjax=mathjax)
    return [_tex.text("The factors here, entry by entry:"), *lay.display(lines, mathjax)]


def _products_table(d: Derivation, mathjax: bool) -> list[str]:
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
    return lay.table(rows.STEP_HEADERS, [*products, reshape], mathjax)


def _chain(d: Derivation, mathjax: bool) -> list[str]:
    """The chain written out twice, symbols then closed forms (each factor parenthesised as a
    product needs, by the rule every label of a product follows), and the cases."""
    lhs = _tex.frac_symbol("C", d.wrt)
    symbolic = [lay.underbrace(F.symbol_latex, F.shape) for F in d.factors]
    forms = product_factors([F.closed_form_latex for F in d.factors], latex=True)
    closed = [
        lay.underbrace(f, shape_text(F.instance)) for f, F in zip(forms, d.factors, strict=True)
    ]
    lines: list[str] = []
    for group in (symbolic, closed):
        for i, line in enumerate(lay.chain_lines(group)):
            lead = (lhs if not lines else "") + (" &= " if i == 0 else r" &\quad ")
            lines.append(lead + line)
    if d.cases:
        cases = r" \\ ".join(
            rf"{c.formula_latex.split(' = ', 1)[1]} & {c.condition_latex}" for c in d.cases
        )
        lhs_case = d.cases[0].formula_latex.split(" = ", 1)[0]
        lines.append(rf"{lhs_case} &= \begin{{cases}} {cases} \end{{cases}}")
    intro = "The chain, in symbols and in closed forms (each shape under its brace):"
    return [_tex.text(intro), *lay.display(lines, mathjax)]


def _reshape(d: Derivation, mathjax: bool) -> list[str]:
    """The 1×N row folded back, row-major, into the gradient shaped like the parameter: a map
    from the row to the gradient, then the gradient's numbers."""
    row_shape, row_inst = d.row_shape
    gradient = rf"\nabla_{{{d.wrt_latex}}} C"
    # one column pair, as the matrix lines below have: a second pair would widen them all
    lines = [
        rf"{lay.underbrace(_tex.frac_symbol('C', d.wrt), shape_text(row_inst))} &\longmapsto "
        rf"{lay.underbrace(gradient, rows.gradient_instance(d))} \qquad \text{{(row-major, }} "
        rf"{_tex.shape(row_shape)} \to {_tex.shape(d.param_shape)}\text{{)}}"
    ]
    if rows.gradient_shown(d):
        lines += lay.matrix_lines(gradient, d.gradient, 6, mathjax)
    intro = _tex.text("The row folds back, row-major, into the gradient, shaped like ")
    return [rf"{intro}${d.wrt_latex}$:", *lay.display(lines, mathjax)]


def _checks_table(d: Derivation, floor: float | None, mathjax: bool) -> list[str]:
    orders = [
        [
            ("text", _tex.text(f"multiply-adds, {rows.ORDER_LABELS[k]}")),
            ("text", str(v)),
            ("text", ""),
            ("text", ""),
        ]
        for k, v in d.multiply_adds.items()
    ]
    return lay.table(
        rows.CHECK_HEADERS,
        [*lay.check_cells(d.checks, floor), *orders],
        mathjax,
        fill=lay.CHECK_FILL,
    )


@renders(Derivation, "latex")
def derivation_latex(
    d: Derivation, mathjax: bool = False, document: bool = False, floor: float | None = None
) -> str:
    """A derivation: the factors' table, the matrices if asked for, the product's table, the
    chain in ``align*``, the reshape to the gradient, and the checks with the multiply-adds."""
    out = [] if mathjax else _tex.heading(d.title_latex)
    out += point_latex(d, mathjax)  # the inputs and the values computed at them
    out += _factors_table(d, mathjax)
    if d.show_matrices:
        out += _factor_matrices(d, mathjax)
    out += _products_table(d, mathjax)
    out += _chain(d, mathjax)
    out += _reshape(d, mathjax)
    out += _checks_table(d, floor, mathjax)
    if d.notes:  # what the tables cannot say (how attention's Q, K and V enter), as the text says
        out += [line for n in d.notes for line in ("", _tex.text(n))]  # a paragraph each
    return lay.wrap_document(lay.header(mathjax) + out, document, mathjax)


@renders(Catalog, "latex")
def catalog_latex(
    c: Catalog, mathjax: bool = False, document: bool = False, floor: float | None = None
) -> str:
    """The catalogue as one table (``floor`` unused: the catalogue has no numbers)."""

    def name(operation: str) -> str:  # a long name may break after an underscore on a paper
        return _tex.text(operation).replace(r"\_", r"\_\allowbreak{}" if not mathjax else r"\_")

    groups = list(rows.catalog_groups(c))
    body = [
        [
            ("text", name(r.operation) if first else ""),
            ("math", r.formula_latex if first else ""),
            ("math", r.symbol_latex),
            ("math", r.closed_form_latex),
            ("math", _tex.shape(r.shape)),
            ("text", _tex.text(rows.structure_cell(r))),
        ]
        for first, r in groups
    ]
    # an operation's rows stay on one page
    keep = {i for i, (first, _) in enumerate(groups[1:]) if not first}
    table = lay.table(rows.CATALOG_HEADERS, body, mathjax, _CATALOG_WIDTHS, small=True, keep=keep)
    return lay.wrap_document(lay.header(mathjax) + table, document, mathjax)
