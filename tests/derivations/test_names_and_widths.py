"""A user's names in LaTeX, titles and code that break, and text columns as a terminal shows them.

The expression language takes names of letters, digits and underscores (W_in, x_a_b, x_): each
is set by one function, ``_tex.name``, wherever a name is typeset, so none reaches LaTeX as a
double subscript or a subscript of one letter. The documents of such names, of the README's
network and of a long expression are compiled by test_latex_pages (they are in _documented).
"""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from derivations import _rows, _tex, catalog, expression
from derivations._report_latex import report_latex
from derivations._text import text_table
from jacobians import verify


@pytest.mark.parametrize(
    ("name", "latex"),
    [
        ("W_in", "W_{in}"),
        ("W_1", "W_{1}"),  # looks as W_1 did
        ("x_a_b", r"x_{a\_b}"),
        ("W_1_2", r"W_{1\_2}"),
        ("x_", r"x\_"),
        ("x__", r"x\_\_"),
        ("x_a_", r"x_{a\_}"),
        ("W1", "W1"),
        ("foo", r"\mathit{foo}"),  # one symbol, not f times o times o
        ("Wq_h", r"\mathit{Wq}_{h}"),
        ("alpha", r"{\alpha}"),  # the Greek letter it names
        ("alpha_1", r"{\alpha}_{1}"),
    ],
)
def test_a_name_has_one_subscript_at_most(name, latex):
    assert _tex.name(name) == latex
    one = name == "W_1"  # stays as it was
    assert _tex.math(name) == (name if one else latex)


def test_names_inside_notation_are_set_by_the_same_function():
    assert _tex.math("∂f/∂x_a_b") == r"\partial f/\partial x_{a\_b}"
    assert _tex.math("W_inᵀ") == r"W_{in}^{\top}"
    assert _tex.math("x_log") == "x_{log}"  # no \log inside a name
    assert _tex.frac_symbol("f", "h_prev") == r"\frac{\partial f}{\partial h_{prev}}"
    assert _tex.math("u₁ → y⁽²⁾") == r"u_{1} \to y^{(2)}"  # the notation's own, unchanged
    assert _tex.math("(I_p ⊗ K_{r,q})(I_{pq})") == r"(I_p \otimes K_{r,q})(I_{pq})"


@pytest.mark.parametrize(
    ("text", "wrt", "names"),
    [
        ("x_a_b'*x_a_b", "x_a_b", {"x_a_b": r"x_{a\_b}"}),
        ("norm2(W_in*h_prev - y_target)^2", "h_prev", {"W_in": "W_{in}", "h_prev": "h_{prev}"}),
        ("x_'*x_", "x_", {"x_": r"x\_"}),
    ],
)
def test_every_place_a_name_is_typeset_uses_it(text, wrt, names):
    """Inputs, node table, rule column, ∂f/∂x and the ∇ line: no name as the user typed it
    (in typewriter type and text it is escaped, x\\_a\\_b)."""
    latex = expression(text, wrt=wrt).render("latex")
    for typed, typeset in names.items():
        assert re.search(rf"(?<![\\\w]){re.escape(typed)}(?![\w{{])", latex) is None, typed
        assert typeset in latex
    wrt_tex = _tex.name(wrt)
    assert rf"\nabla_{{{wrt_tex}}} f" in latex
    assert rf"\partial {wrt_tex}}}" in latex
    assert rf"{wrt_tex} &= \left[" in latex  # the inputs' block


def test_the_rule_column_and_node_table_use_the_name():
    latex = expression("x_a_b'*x_a_b", wrt="x_a_b").render("latex")
    assert r"{x_{a\_b}}^{\top}" in latex  # the rule, its slot filled
    assert r"$x_{a\_b}$ & variable" in latex  # the node table


def test_verify_report_sets_the_name():
    latex = report_latex(verify("x_a_b'*x_a_b", None, "x_a_b", wrt="x_a_b"))
    assert r"$\partial f/\partial x_{a\_b}$" in latex  # the headline
    assert r"\partial f/\partial x_{a\_b}[0, 0]" in latex  # the entries' table
    assert "x_a_b" not in latex


def test_a_title_breaks_after_the_commas_of_its_layers_and_in_its_code():
    title = r"$x \to \text{residual(layernorm,dense:16:relu)}$ for \texttt{A*B}"
    (head, blank) = _tex.heading(title)
    assert blank == ""
    assert head.startswith(r"{\raggedright\paragraph{") and head.endswith(r"\mbox{}\par}")
    assert r"\text{residual(layernorm,}\allowbreak{}\text{dense:16:relu)}" in head
    assert r"\texttt{A*\allowbreak{}B}" in head


def test_long_code_breaks_in_its_column_and_in_the_result():
    latex = expression("norm2(W_in*h_prev - y_target)^2", wrt="h_prev").render("latex")
    # after an operator or a bracket; inside a name only where nothing else fits (a penalty)
    assert (
        r"\texttt{(\allowbreak{}W\_\penalty300{}in*\allowbreak{}h\_\penalty300{}prev - "
        r"y\_\penalty300{}target)'/\allowbreak{}norm2(\allowbreak{}"
    ) in latex
    long = "tr(A*X'*B*X*C*D*X'*E*X*F) + log(det(X'*G*X)) + norm2(A*X*h - y)^2"
    result = expression(long, wrt="X").render("latex")
    assert r"\nabla_{X} f &= \parbox[t]{0.75\linewidth}{\raggedright\ttfamily " in result
    # a notebook's array keeps the one line: MathJax has no paragraphs to break
    assert r"\parbox" not in expression(long, wrt="X")._repr_latex_()


def _columns(latex: str, header: str) -> str:
    """The column specification of the table under ``header``."""
    lines = latex.splitlines()
    return lines[lines.index(header) - 2]


def test_a_long_path_table_wraps_and_a_short_one_does_not():
    long = expression("tr(A*X'*B*X*C*D*X*E*X'*F)", wrt="X").render("latex")
    # the path and its factors share what the third column leaves of the line, on any page
    columns = _columns(long, r"path & product summed & times \\")
    assert columns.count(r"p{\dimexpr(\linewidth-") == 2
    assert r"\, \allowbreak \frac" in long
    short = expression("x'*A*x", wrt="x").render("latex")
    assert r"\allowbreak \frac" not in short


# ----- text: columns counted as a terminal shows them -----


def test_display_width_counts_combining_marks_none_and_wide_characters_two():
    assert _rows.display_width("x̂") == 1
    assert _rows.display_width("diag(vec x̂)") == 11
    assert _rows.display_width("σ′(z) ⊙ x") == 9
    assert _rows.display_width("行列") == 4
    assert _rows.ljust("x̂", 3) == "x̂  "


def test_a_text_table_pads_by_display_width():
    lines = text_table(["a", "b"], [["x̂", "1"], ["xx", "2"], ["行", "3"]])
    starts = {_rows.display_width(line[: line.rindex(" ") + 1]) for line in lines[2:]}
    assert starts == {_rows.display_width(lines[0][: lines[0].index("b")])}


def test_catalog_columns_line_up_after_a_hat():
    """layernorm's and batchnorm's rows hold x̂ (x and a combining circumflex)."""
    lines = catalog().render("text").splitlines()
    header = next(line for line in lines if line.startswith("operation"))
    column = _rows.display_width(header[: header.index("shape")])
    hatted = [line for line in lines if "x̂" in line]
    assert len(hatted) >= 4
    for line in hatted:  # the shape's cell starts right under its header: n×n, nd×n
        at = next(i for i in range(len(line)) if _rows.display_width(line[:i]) == column)
        assert line[at - 2 : at] == "  " and re.match(r"n\w*×", line[at:]), line


# ----- verify's report: made in jacobians/checking/_report.py, not by the renderers -----

SLIP = ("tr(A*X'*B*X*C)", None, "B*X*A'*C' + B*X*C*A")


def test_verify_markdown_has_no_emphasis():
    source = verify(*SLIP, wrt="X")._repr_markdown_()
    assert "<em>" not in MarkdownIt("commonmark").enable("table").render(source)


def test_verify_text_entries_are_aligned():
    lines = str(verify(*SLIP, wrt="X")).splitlines()
    entries = [line for line in lines if line.startswith("    ∂f/∂X[")]
    assert len(entries) == 5
    assert len({line.index("numeric") for line in entries}) == 1
    assert len({len(line) for line in entries}) == 1
