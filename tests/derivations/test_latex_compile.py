"""The LaTeX output compiles with a real engine (pdflatex), for a paper and for a notebook.

Skipped, with the reason shown, only where no engine is installed; CI installs one (.ci/run).
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from derivations import catalog, mlp, single_layer, softmax_cross_entropy
from derivations._latex_layout import PACKAGES

ENGINE = shutil.which("pdflatex")
pytestmark = pytest.mark.skipif(
    ENGINE is None,
    reason="no LaTeX engine: pdflatex is not installed (apt-get install texlive-latex-base)",
)
# A reader's own document: the standard article, with the packages the fragments name.
PREAMBLE = "\\documentclass{article}\n" + "".join(f"\\usepackage{{{p}}}\n" for p in PACKAGES)


def _tables():
    return [
        single_layer(show_matrices=True),
        single_layer(2, 2, "relu", wrt="x"),
        softmax_cross_entropy(),
        mlp([2, 3, 3, 1], wrt="W1", show_matrices=True),
        mlp([2, 3, 2], ["tanh", "identity"], "softmax_cross_entropy", wrt="b1"),
        catalog(),
    ]


def _compile(tmp_path: Path, name: str, source: str) -> None:
    (tmp_path / f"{name}.tex").write_text(source, encoding="ascii")
    run = subprocess.run(
        [ENGINE, "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = (tmp_path / f"{name}.log").read_text(errors="replace")
    errors = [line for line in log.splitlines() if line.startswith("!")]
    assert run.returncode == 0 and not errors, "\n".join(errors) or run.stdout[-2000:]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 1000


def test_fragments_compile_with_the_packages_they_name(tmp_path):
    body = "\n\\clearpage\n".join(t.render("latex") for t in _tables())
    _compile(tmp_path, "paper", PREAMBLE + "\\begin{document}\n" + body + "\\end{document}\n")


def test_notebook_latex_compiles(tmp_path):
    """_repr_latex_ (array inside \\[ \\], for MathJax) is LaTeX too."""
    body = "\n\\clearpage\n".join(t._repr_latex_() for t in _tables())
    _compile(tmp_path, "notebook", PREAMBLE + "\\begin{document}\n" + body + "\\end{document}\n")


def test_complete_document_compiles(tmp_path):
    _compile(
        tmp_path,
        "document",
        softmax_cross_entropy(show_matrices=True).render("latex", document=True),
    )
