"""Every renderer against its golden file, and the properties each format must keep."""

import json
import re

import pytest

from derivations import FORMATS, catalog, mlp, single_layer, softmax_cross_entropy

from ._golden import check_json, check_text

FLOOR = 1e-12  # differences below it render as "< 1e-12": goldens do not depend on the machine

TABLES = {
    "layer": lambda: single_layer(),
    "layer_matrices": lambda: single_layer(2, 3, activation="tanh", wrt="b", show_matrices=True),
    "softmax": lambda: softmax_cross_entropy(),
    "mlp": lambda: mlp([2, 3, 3, 1], wrt="W1"),
    "catalog": lambda: catalog(),
}
SUFFIX = {"text": "txt", "markdown": "md", "latex": "tex", "json": "json"}


@pytest.fixture(scope="module")
def tables():
    return {name: make() for name, make in TABLES.items()}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", TABLES)
def test_golden(tables, name, fmt):
    text = tables[name].render(fmt, floor=FLOOR)
    golden = f"{name}.{SUFFIX[fmt]}"
    if fmt == "json":
        check_json(golden, text)
    else:
        check_text(golden, text)


@pytest.mark.parametrize("name", TABLES)
def test_golden_notebook_and_document(tables, name):
    check_text(f"{name}.mathjax.tex", tables[name]._repr_latex_())
    check_text(f"{name}.document.tex", tables[name].render("latex", document=True, floor=FLOOR))


@pytest.mark.parametrize("name", TABLES)
def test_latex_is_ascii(tables, name):
    """∂, ⊗, ᵀ, −, ×, σ, superscripts: every symbol becomes a LaTeX command."""
    for text in (tables[name].render("latex"), tables[name]._repr_latex_()):
        bad = sorted({ch for ch in text if not ch.isascii()})
        assert not bad, f"Unicode left in LaTeX: {bad}"


@pytest.mark.parametrize("name", TABLES)
def test_markdown_tables_are_well_formed(tables, name):
    """Every row of a GitHub table has as many cells as its header (escaped pipes do not count)."""
    md = tables[name]._repr_markdown_()
    assert md == tables[name].render("markdown")
    block: list[int] = []
    for line in [*md.splitlines(), ""]:
        if line.startswith("|"):
            block.append(len(re.findall(r"(?<!\\)\|", line)))
        elif block:
            assert len(set(block)) == 1, block
            block = []


def test_text_columns_align(tables):
    d = tables["layer"]
    lines = d.render("text").splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("factor"))
    for column in ("closed form", "shape", "structure"):
        at = lines[head].index(column)
        for F, row in zip(d.factors, lines[head + 2 : head + 5], strict=True):
            value = {"closed form": F.closed_form, "shape": F.shape, "structure": F.structure}
            assert row.index(value[column]) == at, (column, row)


def test_json_is_stable_and_complete(tables):
    doc = json.loads(tables["layer"].render("json"))
    assert doc["schema"].endswith("derivations/schema.json") and doc["version"] == 1
    assert [f["instance"] for f in doc["factors"]] == [[1, 3], [3, 3], [3, 12]]
    assert doc["reshape"] == {
        "from": "1×nm",
        "to": "n×m",
        "from_instance": [1, 12],
        "to_instance": [3, 4],
    }
    assert doc["multiply_adds"] == {"left": 15, "right": 72, "cheapest": 15}
    assert doc["passed"] is True and len(doc["gradient"]) == 3
    assert "matrix" not in doc["factors"][0]  # numbers only when asked for
    doc = json.loads(tables["layer_matrices"].render("json"))
    assert doc["factors"][2]["matrix"] == [[1.0, 0.0], [0.0, 1.0]]  # ∂z/∂b = I_n


def test_floor_only_hides_rounding(tables):
    d = tables["layer"]
    assert "< 1e-12" in d.render("text", floor=1e-12)
    assert "< 1e" not in d.render("text")  # by default the measured difference is printed
    assert re.search(r"\d\.\de-1[5-9]|0\.0e\+00", d.render("text"))


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown format 'html'"):
        single_layer().render("html")
    assert single_layer().render("md") == single_layer().render("markdown")
