"""The LaTeX of a table's point (derivations._latex_values): ASCII, the same values as the other
formats, and it compiles on the --document page with no overfull line and no error."""

import re
import shutil
import subprocess

import numpy as np
import pytest

from derivations import _latex_layout as lay
from derivations import mlp, single_layer, softmax_cross_entropy
from derivations._latex_values import point_latex
from derivations._rows import VALUES_COLUMNS

ENGINE = shutil.which("pdflatex")
# the widest numbers a shown value can hold, in the most columns it may have
WIDE = {"W": np.full((4, VALUES_COLUMNS), -0.004454), "x": np.full(VALUES_COLUMNS, -0.004454)}


def _tables():
    return [
        single_layer(),
        single_layer(40, 30),
        single_layer(4, VALUES_COLUMNS, **WIDE),
        single_layer(activation="relu", W=[[-1.0, 2.0]], x=[1.0, 0.0], b=[0.0], y=[1.0]),
        softmax_cross_entropy(1, 2),
        mlp(),
    ]


def test_every_line_is_ascii_and_says_what_the_text_says():
    for d in _tables():
        for mathjax in (False, True):
            latex = "\n".join(point_latex(d, mathjax))
            assert latex.isascii()
            assert latex.count(r"\begin{align*}") == 2
            names = [v.name_latex for v in d.values]
            rows = re.findall(r"^(.+?) &", latex, flags=re.MULTILINE)
            assert rows == names


def test_small_values_are_printed_and_large_ones_summarised():
    latex = "\n".join(point_latex(single_layer(W=[[1.5, -2.0]], x=[1.0, 2.0], b=[0.0], y=[0.0])))
    assert r"W &= \left[\begin{array}{rr} 1.5 & -2 \end{array}\right]" in latex
    assert r"x &= \left[\begin{array}{rr} 1 & 2 \end{array}\right]^{\top}" in latex
    assert r"C &= \tfrac{1}{2}\lVert a - y \rVert^2 = " in latex
    big = "\n".join(point_latex(single_layer(40, 30)))
    assert r"W &\in \mathbb{R}^{40\times 30} \quad (\text{drawn},\ \min = " in big
    assert r"\frac{\partial C}{\partial z} &= " in big and r"\in \mathbb{R}^{1\times 40}" in big


def test_a_table_without_a_point_has_no_block():
    d = single_layer()
    bare = type(d)(**{**d.__dict__, "values": (), "degenerate": ()})
    assert point_latex(bare) == []


@pytest.mark.skipif(ENGINE is None, reason="no LaTeX engine: pdflatex is not installed")
def test_the_blocks_compile_without_overfull_lines(tmp_path):
    body = []
    for d in _tables():
        body += [r"\paragraph{" + d.title_latex + r"}\mbox{}", "", *point_latex(d), r"\clearpage"]
    (tmp_path / "point.tex").write_text(lay.wrap_document(body, True), encoding="ascii")
    run = subprocess.run(
        [ENGINE, "-interaction=nonstopmode", "-halt-on-error", "point.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = (tmp_path / "point.log").read_text(errors="replace")
    assert run.returncode == 0, [line for line in log.splitlines() if line.startswith("!")]
    overfull = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide", log)]
    assert all(w < 3 for w in overfull), overfull
