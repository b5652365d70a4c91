"""Every Markdown output reads right under a CommonMark renderer (markdown-it-py, with GitHub's
tables): the three worked documents and ``--format markdown`` of every documented command.

The mathematics is plain text (σ_k, [d/dW]_ij, I_n ⊗ xᵀ), so what can go wrong is Markdown taking
it for markup: a pair of underscores for emphasis, a ``|`` for a cell's end, a backslash shown.
"""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from derivations import worked
from derivations.cli import main
from tests.derivations._documented import COMMANDS, EXIT

RENDERER = MarkdownIt("commonmark").enable("table")
_TAG = re.compile(r"<[^>]+>")
_SEPARATOR = re.compile(r"^\|(?:\s*:?-{3,}:?\s*\|)+\s*$")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The Markdown of every documented command and of the three worked documents."""
    where = tmp_path_factory.mktemp("markdown")
    out = {}
    for name, argv in COMMANDS.items():
        path = where / f"{name}.md"
        assert main([*argv, "--format", "markdown", "--output", str(path)]) == EXIT.get(name, 0)
        out[name] = path.read_text(encoding="utf-8")
    out.update(worked.documents())
    return out


def _text(rendered: str) -> str:
    """The text a reader sees: the HTML without its tags, entities decoded."""
    return html.unescape(_TAG.sub("", rendered))


NAMES = [*COMMANDS, *worked.FILES]


def _emphasis(source: str) -> list[tuple[str, str]]:
    """Each emphasis the renderer makes: (its delimiter, the text it covers)."""
    found = []
    for block in RENDERER.parse(source):
        children = block.children or []
        for i, token in enumerate(children):
            if token.type in ("em_open", "strong_open"):
                found.append(
                    (token.markup, children[i + 1].content if i + 1 < len(children) else "")
                )
    return found


@pytest.mark.parametrize("name", NAMES)
def test_no_formula_turns_into_emphasis(outputs, name):
    """Every output emphasises with asterisks only: an emphasis made of underscores is a
    formula read as markup."""
    for markup, text in _emphasis(outputs[name]):
        assert "_" not in markup, f"{name}: {markup}{text}… taken for emphasis"


@pytest.mark.parametrize("name", NAMES)
def test_underscores_survive_and_no_backslash_shows(outputs, name):
    """Every underscore of the source, escaped or not, is one the reader sees; no escaping
    backslash is left visible."""
    source, seen = outputs[name], _text(RENDERER.render(outputs[name]))
    shown = re.sub(r"<!--.*?-->", "", source, flags=re.S)  # a comment is not shown
    assert seen.count("_") == shown.count("_"), name
    assert "\\" not in seen, f"{name}: {seen[max(0, seen.find(chr(92)) - 40) :][:80]!r}"


@pytest.mark.parametrize("name", NAMES)
def test_tables_render_as_tables_with_every_cell(outputs, name):
    source = outputs[name]
    rendered = RENDERER.render(source)
    separators = [i for i, line in enumerate(source.splitlines()) if _SEPARATOR.match(line)]
    assert rendered.count("<table>") == len(separators), name
    assert separators or name.startswith("verify"), f"{name}: no table"
    # each row has the header's number of cells (an unescaped | would add one)
    for table in re.findall(r"<table>.*?</table>", rendered, re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
        counts = {len(re.findall(r"<t[hd][ >]", r)) for r in rows}
        assert len(counts) == 1, f"{name}: rows of {sorted(counts)} cells"


@pytest.mark.parametrize("name", worked.FILES)
def test_worked_documents_keep_their_mathematics(outputs, name):
    """Subscripts written with underscores read as written: σ_k, l_{k−1}, [d/dW]_ij, I_n."""
    seen = _text(RENDERER.render(outputs[name]))
    assert "I_n ⊗ xᵀ" in seen
    if name == "three_layer.md":
        for formula in ("∇σ_k", "l_{k−1}", "[d/dW]_ij = ∂/∂W_ji", "σ_{k+1}"):
            assert formula in seen, formula


def test_the_checks_can_fail():
    """A formula with underscores beside punctuation becomes emphasis in CommonMark, and loses
    them: the checks above see both."""
    source = "[d/dW]_ij = ∂/∂W_ji). W is l_k×l_{k−1}, a *row*"
    assert [m for m, _ in _emphasis(source)] == ["_", "*"]
    assert _text(RENDERER.render(source)).count("_") < source.count("_")
