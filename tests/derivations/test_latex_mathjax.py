"""A notebook's LaTeX (``_repr_latex_``) reads the same under MathJax 3 with and without its
textmacros extension, and under MathJax 2 (which has none): no text in math holds a text-mode
escape, which one shows as typed (W\\_in) and the other refuses (\\textasciicircum); no control
space, which MathJax expands as a macro and refuses in a formula longer than its buffer (the
catalogue); and the text between displays, which MathJax shows as typed, holds none either.

These checks read the LaTeX; where node can load mathjax-full (NODE_PATH), the last test also
has MathJax 3 read it, with every TeX package and with base and ams only. pdflatex compiles the
same LaTeX in test_latex_compile.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from derivations import catalog, expression, mlp, network, single_layer, softmax_cross_entropy
from derivations._tex import group_end

NET = "norm2(W_out*tanh(W_in*x1 + b_1) - y_hat)^2"
NET_SHAPES = ["W_out=2x3", "W_in=3x4", "x1=4", "b_1=3", "y_hat=2"]
TABLES = {
    "tanh": lambda: expression("sum(tanh(x))", "x", ["x=3"]),  # tanh' holds a caret
    "net": lambda: expression(NET, "W_in", NET_SHAPES),  # names with underscores
    "names": lambda: expression("x_a_b'*M_ab_c*x_a_b", "x_a_b", ["M_ab_c=3x3"]),
    "not-run": lambda: single_layer(n=120, m=200),  # a check not run prints a dash
    "softmax": lambda: softmax_cross_entropy(),  # a note with a_i
    "mlp": lambda: mlp([2, 3, 3, 1], wrt="W1"),  # a note with σ_j
    "catalog": lambda: catalog(),  # control spaces in a long array
    "attention": lambda: network("residual(layernorm,attention:2:causal),dense:3"),
}
_DISPLAY = re.compile(r"\\\[(.*?)\\\]|\\begin\{align\*\}(.*?)\\end\{align\*\}", re.S)
_TEXT = re.compile(r"\\(?:text|texttt)\{")


@pytest.fixture(scope="module")
def notebooks() -> dict[str, str]:
    return {name: make()._repr_latex_() for name, make in TABLES.items()}


def _group(s: str, i: int) -> tuple[str, int]:
    """The content of the group opened just before s[i], and where it ends."""
    j = group_end(s, i)
    return s[i : j - 1], j


def _unsafe_in_math(math: str) -> list[str]:
    """What MathJax without textmacros shows as typed, or with it refuses, in a formula."""
    problems = []
    if re.search(r"(?<!\\)(?:\\\\)*\\ ", math):
        problems.append("a control space \\  (a macro to MathJax)")
    for m in _TEXT.finditer(math):
        content, _ = _group(math, m.end())
        text = re.sub(r"(?<!\\)\$(.*?)(?<!\\)\$", " ", content)  # math inside the text is math
        problems += [f"{m[0]}{content}}}" for _ in re.findall(r"\\(?!\$)|[_^~]", text)[:1]]
        problems += [
            p
            for inner in re.findall(r"(?<!\\)\$(.*?)(?<!\\)\$", content)
            for p in _unsafe_in_math(inner)
        ]
    return problems


def _unsafe(latex: str) -> list[str]:
    problems = []
    for m in _DISPLAY.finditer(latex):
        problems += _unsafe_in_math(m[1] or m[2])
    prose = _DISPLAY.sub("", latex)
    for line in prose.splitlines():
        text = re.sub(r"(?<!\\)\$(.*?)(?<!\\)\$", " ", line)
        if re.search(r"\\|[_^]", text):
            problems.append(f"between displays: {line[:80]}")
        for inner in re.findall(r"(?<!\\)\$(.*?)(?<!\\)\$", line):
            problems += _unsafe_in_math(inner)
    return problems


@pytest.mark.parametrize("name", TABLES)
def test_no_text_mode_escape_reaches_mathjax(notebooks, name):
    assert not _unsafe(notebooks[name]), "\n".join(_unsafe(notebooks[name])[:5])
    assert r"\textasciicircum" not in notebooks[name]


def test_code_shows_its_underscores_and_carets_as_characters(notebooks):
    """tanh' is 1 - tanh(x).^2: the caret a circumflex over a character's width, in type."""
    caret = r"\mathtt{\hat{\phantom{x}}}"
    assert rf"\texttt{{1 - tanh(x).}}{caret}\texttt{{2}}" in notebooks["tanh"]
    assert (
        r"\texttt{diag(1 - tanh(W}\mathtt{\_}\texttt{in*x1 + b}\mathtt{\_}\texttt{1)."
        in notebooks["net"]
    )
    assert r"\text{closed form of the gradient, shaped like W}\_\text{in:}" in notebooks["net"]


def test_the_checker_sees_what_mathjax_cannot_read():
    assert _unsafe(r"\[ \texttt{x.\textasciicircum{}2} \]")
    assert _unsafe(r"\[ \text{W\_in} \]") and _unsafe(r"\[ a,\ b \]")
    assert _unsafe("the terms a\\_i a\\_j")
    assert not _unsafe(r"\[ \text{W}\_\text{in $\max_i x$} \,\mathtt{\_} \\ a \]")


# MathJax 3 in node, where mathjax-full can be loaded (NODE_PATH): every formula of the notebook's
# LaTeX converted with all TeX packages (textmacros among them) and with base and ams only.
_MATHJAX = r"""
const {mathjax} = require('mathjax-full/js/mathjax.js');
const {TeX} = require('mathjax-full/js/input/tex.js');
const {liteAdaptor} = require('mathjax-full/js/adaptors/liteAdaptor.js');
const {RegisterHTMLHandler} = require('mathjax-full/js/handlers/html.js');
const {AllPackages} = require('mathjax-full/js/input/tex/AllPackages.js');
const {SerializedMmlVisitor} = require('mathjax-full/js/core/MmlTree/SerializedMmlVisitor.js');
RegisterHTMLHandler(liteAdaptor());
const visitor = new SerializedMmlVisitor();
const formulas = JSON.parse(require('fs').readFileSync(0, 'utf8'));
for (const packages of [AllPackages.filter(p => p !== 'bussproofs'), ['base', 'ams']]) {
  const tex = new TeX({packages, formatError: (jax, err) => { throw err; }});
  const doc = mathjax.document('', {InputJax: tex});
  for (const f of formulas) {
    try {
      const mml = visitor.visitTree(doc.convert(f, {display: true}));
      for (const t of mml.matchAll(/<mtext[^>]*>([^<]*)<\/mtext>/g))
        if (t[1].includes('\\')) console.log(packages.length, 'shown as typed:', t[1].slice(0, 80));
    } catch (e) { console.log(packages.length, 'error:', e.message.slice(0, 80)); }
  }
}
"""


def _node_with_mathjax() -> str | None:
    node = shutil.which("node")
    if node is None:
        return None
    probe = subprocess.run(
        [node, "-e", "require('mathjax-full/js/mathjax.js')"], capture_output=True, timeout=60
    )
    return node if probe.returncode == 0 else None


@pytest.mark.skipif(
    _node_with_mathjax() is None,
    reason="node cannot load mathjax-full (npm install mathjax-full; NODE_PATH=its node_modules)",
)
def test_mathjax_reads_every_formula_with_and_without_textmacros(notebooks):
    formulas = [m[1] or m[0] for s in notebooks.values() for m in _DISPLAY.finditer(s)]
    run = subprocess.run(
        [_node_with_mathjax(), "-e", _MATHJAX],
        input=json.dumps(formulas),
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout == "", run.stdout[:2000]
