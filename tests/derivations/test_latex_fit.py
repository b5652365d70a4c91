"""An expression's tables fit the line and the page, on --document's page and in a reader's own
\\documentclass{article}: the widest and tallest local-Jacobian tables found so far (closed forms
of nested calls, rules that must wrap, many columns, a 3-layer network's 21 rows) compile with no
box more than 5 pt too wide or too high, so no cell prints over its neighbour and no row runs off
the page. Skipped, with the reason shown, only where no engine is installed.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from derivations import expression
from derivations._latex_layout import PACKAGES, wrap_document
from tests.derivations.test_latex_pages import pdflatex_log

ENGINE = shutil.which("pdflatex")
pytestmark = pytest.mark.skipif(
    ENGINE is None,
    reason="no LaTeX engine: pdflatex is not installed (apt-get install texlive-latex-base)",
)
SLACK_PT = 5.0  # as test_latex_pages: a box may stick out by this much, invisible on the page

LAYER = "sigmoid(W_3*tanh(W_2*tanh(W_1*x_in + b_1) + b_2) + b_3)"
WORST = {
    # closed forms of nested calls: diag(vec(softmax(sigmoid(tanh(exp(X_t)))))) ran 108 pt over
    "nested": ("sum(softmax(sigmoid(tanh(exp(X_t)))))", "X_t", ["X_t=2x2"]),
    # rules that must wrap: a power with a constant exponent, leaky relu's indicators
    "power": ("sum(X.^matrix(1, 2, 3))", "X", ["X=2x3"]),
    "leaky": ("sum(leaky_relu(W_out, 0.1))", "W_out", ["W_out=2x3"]),
    # seven columns wider than the line: 12×12, diagonal-plus-low-rank, a symbol (as A)
    "wide": ("softmax((E*eye*(T + sigmoid(T)))', 1)", "T", ["E=1x4", "T=4x3"]),
    "readme": (
        "norm2(W_out*tanh(W_in*x1 + b_1) - y_hat)^2",
        "W_in",
        ["W_out=2x3", "W_in=3x4", "x1=4", "b_1=3", "y_hat=2"],
    ),
    # taller than a page: 21 local Jacobians, most of several lines
    "three-layer": (
        f"sum({LAYER} .* log({LAYER}))",
        "W_1",
        ["W_1=3x3", "W_2=3x3", "W_3=3x3", "x_in=3", "b_1=3", "b_2=3", "b_3=3"],
    ),
}
PREAMBLES = {
    "document": None,  # --document's own page: letter, 1.5 cm margins
    "article": "\\documentclass{article}\n" + "".join(f"\\usepackage{{{p}}}\n" for p in PACKAGES),
}
_OVERFULL = re.compile(r"^Overfull \\[hv]box \(([\d.]+)pt too (?:wide|high)\)(.*)$", re.M)


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    return {name: expression(*args).render("latex") for name, args in WORST.items()}


def _compile(where: Path, name: str, source: str) -> str:
    (where / f"{name}.tex").write_text(source, encoding="ascii")
    return pdflatex_log(where, name)


@pytest.mark.parametrize("page", PREAMBLES)
def test_the_worst_tables_fit_the_line_and_the_page(sources, page, tmp_path):
    body = "\n\\clearpage\n".join(sources.values())
    preamble = PREAMBLES[page]
    if preamble is None:
        source = wrap_document(body.splitlines(), document=True)
    else:
        source = preamble + "\\begin{document}\n" + body + "\\end{document}\n"
    log = _compile(tmp_path, page, source)
    errors = [line for line in log.splitlines() if line.startswith("!")]
    assert not errors, "\n".join(errors)
    over = [m[0] for m in _OVERFULL.finditer(log) if float(m[1]) > SLACK_PT]
    assert not over, "\n".join(over)


def test_a_table_taller_than_a_page_breaks_across_pages_with_its_header(sources):
    """21 rows of several lines each: a longtable, its header repeated on every page."""
    latex = sources["three-layer"]
    start = latex.index("local Jacobian & rule")
    assert latex.rindex(r"\begin{longtable}", 0, start) > latex.rindex(r"\end{", 0, start)
    assert latex[start:].split("\n", 3)[2] == r"\endhead"


def test_the_local_jacobians_share_what_is_left_of_the_line(sources):
    """Rules and closed forms get what the other columns leave of the line, on any page; the
    closed forms may break after a bracket, the rules after an operator."""
    latex = sources["nested"]
    lines = latex.splitlines()
    header = next(i for i, s in enumerate(lines) if s.startswith("local Jacobian & rule"))
    table = "\n".join(
        lines[header : next(i for i in range(header, len(lines)) if "\\end{" in lines[i])]
    )
    shares = re.findall(
        r"p\{\\dimexpr\(\\linewidth-[\d.]+pt\)\*(\d+)/1000\\relax\}", lines[header - 2]
    )
    assert len(shares) == 2 and sum(map(int, shares)) == 1000
    assert r"softmax(\allowbreak{}sigmoid(\allowbreak{}tanh(\allowbreak{}" in table
    assert r"\odot\allowbreak{} (1 -\allowbreak{} \sigma(" in table  # no \left( … \right) box
    assert r"\left(" not in table
