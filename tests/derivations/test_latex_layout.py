"""The LaTeX layout: matrices cut into blocks that fit the page, tables that wrap and break, the
text a check not run prints. (test_latex_pages compiles what these build.)"""

from __future__ import annotations

import re

import numpy as np
import pytest

from derivations import _latex_layout as lay
from derivations import _tex, single_layer
from derivations._tex import shape, text


def test_a_check_not_run_prints_a_dash():
    """derive --n 120 --m 200 skips the numeric check: its — once had no LaTeX command."""
    d = single_layer(n=120, m=200)
    assert any(c.value is None for c in d.checks)
    latex = d.render("latex")
    assert latex.isascii() and "--- & --- & skipped:" in latex
    assert text("a — b – c") == "a --- b -- c"


def test_a_shape_with_alternatives_keeps_its_words_upright():
    assert shape("n×n or n×1") == r"n\times n \text{ or } n\times 1"


def test_a_small_matrix_is_one_bracketed_array():
    lines = lay.matrix_lines("J", np.eye(3))
    assert lines == [
        r"J &= \left[\begin{array}{rrr} 1 & 0 & 0 \\ 0 & 1 & 0 \\ 0 & 0 & 1 \end{array}\right]"
    ]


def test_a_wide_matrix_is_cut_into_tagged_blocks_of_columns():
    M = np.kron(np.eye(4), np.linspace(-0.61, 1.49, 8))  # I_4 ⊗ xᵀ, 4×32, entries like −0.1592
    lines = lay.matrix_lines("J", M)
    tags = [re.search(r"\\tag\*\{(.*)\}", line).group(1) for line in lines]
    assert tags == ["columns 1--8", "columns 9--16", "columns 17--24", "columns 25--32"]
    assert lines[0].startswith(r"J &= \left[") and r"\right." in lines[0]
    assert lines[-1].startswith(r"&\hphantom{{}={}} \left.") and r"\right]" in lines[-1]
    # every entry is printed once, in order
    entries = [e for line in lines for e in re.findall(r"-?\d+\.?\d*", line.split("array}")[1])]
    assert len(entries) == M.size


def test_a_long_column_is_written_as_a_transposed_row():
    lines = lay.matrix_lines(r"\nabla_W C", np.arange(100.0).reshape(100, 1) / 7)
    assert lines[-1].rstrip().split(r" \tag*")[0].endswith(r"\right]^{\top}")
    assert all("rows" not in line for line in lines) and "entries 1--" in lines[0]


def test_a_notebook_gets_the_whole_matrix():
    (line,) = lay.matrix_lines("J", np.ones((4, 32)), mathjax=True)
    assert line.count("&") == 4 * 31 + 1 and r"\tag" not in line


def test_small_and_large_numbers_read_as_powers_of_ten():
    lines = lay.matrix_lines("g", np.array([[4.73844e-05, -1.2e12, 0.5]]), digits=6)
    assert r"4.73844\times 10^{-5}" in lines[0] and r"-1.2\times 10^{12}" in lines[0]
    assert "e-05" not in lines[0]


def test_a_wrapping_column_lets_math_break_after_its_words():
    rows = [[("math", r"I_n \text{, or } 1_n \text{ for a scalar } u"), ("math", "")]]
    out = lay.table(["closed form", "empty"], rows, mathjax=False, widths={0: 0.3})
    body = next(line for line in out if "scalar" in line)
    assert body == (
        r"$I_n \text{, or }\allowbreak{} 1_n "
        r"\text{ for }\allowbreak{}\text{a }\allowbreak{}\text{scalar }\allowbreak{} u$ &  \\"
    )
    column = r">{\raggedright\arraybackslash}p{0.3\linewidth}l"
    assert rf"\begin{{tabular}}{{{column}}}" in out  # one page: a tabular, right at once
    long = lay.table(["closed form", "empty"], rows * 30, mathjax=False, widths={0: 0.3})
    assert rf"\begin{{longtable}}{{{column}}}" in long and r"\endhead" in long


def test_a_notebook_table_is_an_array_that_never_wraps():
    rows = [[("math", r"I_n \text{, or } 1_n"), ("text", "row")]]
    out = lay.table(["closed form", "structure"], rows, mathjax=True, widths={0: 0.3})
    assert out[:2] == [r"\[", r"\begin{array}{ll}"] and r"\allowbreak" not in "".join(out)


@pytest.mark.parametrize("mathjax", [False, True])
def test_rows_kept_together_break_no_page(mathjax):
    rows = [[("text", "a")], [("text", "b")], [("text", "c")]] + [[("text", "d")]] * 30
    out = lay.table(["x"], rows, mathjax=mathjax, keep={0})
    marks = [line.split(" ")[-1] for line in out if re.match(r"(\\text\{)?[abc]\b", line)]
    assert marks == ([r"\\", r"\\", r"\\"] if mathjax else [r"\\*", r"\\", r"\\"])
    short = lay.table(["x"], rows[:3], mathjax=mathjax, keep={0})  # a tabular never breaks
    assert not any(line.endswith(r"\\*") for line in short)


def test_the_document_loads_what_the_fragments_need():
    document = lay.wrap_document(lay.header(False), document=True)
    for package in lay.PACKAGES:
        assert rf"\usepackage{{{package}}}" in document
        assert package in lay.header(False)[0]


def test_a_rule_in_a_wrapping_column_may_break_inside_its_brackets():
    """\\left( … \\right) and braces are boxes TeX never breaks: a wrapping column drops them
    and lets the rule break after its binary operators (not after a sign, not inside a shape)."""
    rule = r"{\operatorname{diag}\left(\sigma({u_{2}}) \odot (1 - \sigma({u_{2}}))\right)}"
    assert _tex.math_breaks(rule) == (
        r"\operatorname{diag}(\sigma(u_{2}) \odot\allowbreak{} (1 -\allowbreak{} \sigma(u_{2})))"
    )
    assert _tex.math_breaks(r"\left(\frac{1}{x} - y\right)") == (
        r"\bigl(\frac{1}{x} -\allowbreak{} y\bigr)"
    )
    assert (
        _tex.math_breaks(r"{-I_n} \otimes x, {u}^{2}")
        == r"-I_n \otimes\allowbreak{} x,\allowbreak{} {u}^{2}"
    )
    assert _tex.math_breaks(r"4\times 4") == r"4\times 4"


def test_code_breaks_after_a_bracket_and_in_a_name_only_when_it_must():
    assert _tex.code_breaks(r"diag(vec(X\_t))") == (
        r"diag(\allowbreak{}vec(\allowbreak{}X\_\penalty300{}t))"
    )


def test_a_table_too_wide_for_the_line_shares_what_its_other_columns_leave():
    code = "diag(vec(softmax(sigmoid(tanh(exp(X_t)))))) - vec(softmax(X_t))*vec(softmax(X_t))'"
    rows = [[("math", r"\frac{\partial u_1}{\partial X}"), ("code", code), ("text", "diagonal")]]
    wide = lay.table(["local Jacobian", "closed form", "structure"], rows, False, fill={1: 1.0})
    columns = next(line for line in wide if line.startswith(r"\begin{tabular}"))
    assert r"p{\dimexpr(\linewidth-" in columns and r"*1000/1000\relax}" in columns
    assert columns.count("p{") == 3  # every column wraps, the others at their widest piece
    narrow = lay.table(
        ["node", "definition"], [[("math", "u_1"), ("code", "exp(X)")]], False, fill={1: 1.0}
    )
    assert (
        r"\begin{tabular}{ll}" in narrow
    )  # one that fits the narrowest line is as wide as its cells


def test_a_table_taller_than_a_page_is_a_longtable_whatever_its_rows():
    """Ten rows of long code, each several lines high: longer than a page, so a longtable."""
    code = "sigmoid(W_third*tanh(W_second*tanh(W_first*x_input + b_first) + b_second) + b_third)"
    rows = [[("math", f"u_{{{i}}}"), ("code", f"{code} .* {code}")] for i in range(10)]
    out = lay.table(["node", "definition"], rows, False, widths={1: 0.3})
    assert r"\begin{longtable}{l>{\raggedright\arraybackslash}p{0.3\linewidth}}" in out
    assert r"\endhead" in out
    assert r"\begin{tabular}" in "".join(
        lay.table(["node", "definition"], rows[:1], False, widths={1: 0.3})
    )


def test_a_notebook_cell_holds_no_text_mode_escape():
    assert lay.cell("code", r"x.\textasciicircum{}2", mathjax=True) == (
        r"\texttt{x.}\mathtt{\hat{\phantom{x}}}\texttt{2}"
    )
    assert (
        lay.cell("text", r"shaped like W\_in", mathjax=True) == r"\text{shaped like W}\_\text{in}"
    )
