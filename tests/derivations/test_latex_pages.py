"""Every documented command's LaTeX document compiles with pdflatex and fits its page.

Each command (README's examples, the commands' --help examples, and small and large sizes of
each source) writes its document with ``--format latex --document``; pdflatex compiles it (twice
where longtable asks for a second run), and its log must hold no error, no box wider or taller
than the page by more than 5 pt, and no missing glyph. Skipped, with the
reason shown, only where no engine is installed; CI installs one (.ci/run).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from derivations.cli import main
from tests.derivations._documented import COMMANDS, EXIT

ENGINE = shutil.which("pdflatex")
pytestmark = pytest.mark.skipif(
    ENGINE is None,
    reason="no LaTeX engine: pdflatex is not installed (apt-get install texlive-latex-base)",
)

SLACK_PT = 5.0  # a box may stick out by this much, invisible on the page

_OVERFULL = re.compile(r"^Overfull \\[hv]box \(([\d.]+)pt too (?:wide|high)\)(.*)$")


def pdflatex_log(where: Path, name: str) -> str:
    """pdflatex on where/name.tex, run a second time only where LaTeX asks for one; its log."""
    for _ in range(2):
        subprocess.run(
            [ENGINE, "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
            cwd=where,
            capture_output=True,
            timeout=120,
            check=False,
        )
        log = (where / f"{name}.log").read_text(errors="replace")
        if "Rerun LaTeX" not in log:
            break
    return log


def _problems(log: str) -> list[str]:
    """What the log says is wrong: errors, boxes past the slack, missing glyphs."""
    out = []
    for line in log.splitlines():
        m = _OVERFULL.match(line)
        if line.startswith("!") or "Missing character" in line:
            out.append(line)
        elif m and float(m.group(1)) > SLACK_PT:
            out.append(line)
    return out


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    """Each command's document and its pdflatex log, made once for the module."""
    where = tmp_path_factory.mktemp("latex_pages")
    out = {}
    for name, argv in COMMANDS.items():
        tex = where / f"{name}.tex"
        code = main([*argv, "--format", "latex", "--document", "--output", str(tex)])
        assert code == EXIT.get(name, 0), f"jacobians {' '.join(argv)} exited with {code}"
        log = pdflatex_log(where, name)
        out[name] = (tex.read_text(encoding="utf-8"), log)
        assert (where / f"{name}.pdf").exists(), f"{name}: no PDF\n" + "\n".join(_problems(log))
    return out


@pytest.mark.parametrize("name", COMMANDS)
def test_document_compiles_and_fits_the_page(compiled, name):
    source, log = compiled[name]
    assert source.isascii(), f"{name}: non-ASCII characters reach the LaTeX engine"
    problems = _problems(log)
    assert not problems, f"jacobians {' '.join(COMMANDS[name])}:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", COMMANDS)
def test_no_glyph_the_fonts_lack(compiled, name):
    """amssymb's blackboard bold has capitals only: \\mathbb{1} prints a wrong glyph, silently."""
    source, _ = compiled[name]
    assert not re.search(r"\\mathbb\{\s*[^A-Z\s]", source)


def test_the_wide_matrix_is_cut_into_blocks_of_whole_kronecker_blocks(compiled):
    """∂z/∂W = I_4 ⊗ xᵀ is 4×32: printed in four tagged blocks of 8 columns (one per xᵀ)."""
    source, _ = compiled["derive-wide-matrices"]
    tags = re.findall(r"\\tag\*\{columns (\d+)--(\d+)\}", source)
    assert ("1", "8") in tags and ("25", "32") in tags


def test_the_reshape_reads_as_a_map(compiled):
    """The 1×N row is mapped to the gradient, never equated with it."""
    source, _ = compiled["derive"]
    assert re.search(r"\\longmapsto \\underbrace\{\\nabla_\{W\} C\}_\{3\\times 4\}", source)
    assert r"\nabla_{W} C &= \left[" in source
    assert not re.search(r"\\frac\{\\partial C\}\{\\partial W\} &= \\left\[", source)


def test_the_catalogue_breaks_across_pages(compiled):
    source, log = compiled["catalog"]
    assert r"\begin{longtable}" in source and r"\endhead" in source
    pages = re.search(r"Output written on .*\((\d+) pages?", log)
    assert pages and int(pages.group(1)) >= 2


def test_product_of_closed_forms_is_bracketed(compiled):
    """−(y ⊘ a)ᵀ (diag(a) − a aᵀ) (I_n ⊗ xᵀ): a difference or a Kronecker product as a factor
    is in parentheses; the leading sign of the first factor is not."""
    source, _ = compiled["softmax"]
    assert (
        r"-(y \oslash a)^{\top}}_{1\times 4} \, "
        r"\underbrace{\left(\operatorname{diag}(a) - a a^{\top}\right)}_{4\times 4} \, "
        r"\underbrace{\left(I_n \otimes x^{\top}\right)}" in source
    )


def test_the_log_reader_sees_what_it_must(tmp_path: Path):
    """The reader of the log fails on an overfull box, a missing glyph and an error."""
    log = "\n".join(
        [
            r"Overfull \hbox (98.2pt too wide) in alignment at lines 9--75",
            r"Overfull \hbox (2.1pt too wide) in paragraph at lines 3--3",
            "Missing character: There is no ^^a0 in font cmr10!",
            "! Undefined control sequence.",
        ]
    )
    assert len(_problems(log)) == 3 and "2.1pt" not in "".join(_problems(log))
