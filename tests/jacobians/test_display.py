"""A Jacobian in a notebook (`_repr_html_`, `_repr_latex_`): its closed form and structure always,
its matrix up to `Jacobian.display_max` rows and columns, and never a dense matrix past that."""

import re
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobians as J
from jacobians import (
    BlockDiagonal,
    Dense,
    Diagonal,
    DiagonalPlusLowRank,
    Identity,
    Jacobian,
    Kronecker,
    Permutation,
    Product,
    Sum,
    Toeplitz,
    linear,
)
from jacobians._display import DISPLAY_MAX
from jacobians._planner import STRUCTURES

REPRS = ("_repr_html_", "_repr_latex_")


def builders(n):
    """Every structure, each with an n×n matrix (a Kronecker I_k ⊗ R with k·R's sides = n)."""
    rng = np.random.default_rng(1)
    return {
        "identity": lambda: Identity((n,)),
        "diagonal": lambda: Diagonal(rng.normal(size=n)),
        "kronecker": lambda: Kronecker(n, np.ones((1, 1))),
        "block-diagonal": lambda: BlockDiagonal(rng.normal(size=(n, 1, 1))),
        "diagonal-plus-low-rank": lambda: DiagonalPlusLowRank(
            rng.normal(size=n), rng.normal(size=(n, 1)), rng.normal(size=(n, 1))
        ),
        "permutation": lambda: Permutation(np.arange(n)[::-1]),
        "sum": lambda: Sum([Identity((n,)), Diagonal(rng.normal(size=n))]),
        "dense": lambda: Dense(rng.normal(size=(n, n))),
        "toeplitz": lambda: Toeplitz(rng.normal(size=(1, 1, 3)), n, padding=1),
        "product": lambda: Product(Diagonal(rng.normal(size=n)), Kronecker(n, np.ones((1, 1)))),
    }


def test_every_structure_has_a_builder():
    assert set(builders(2)) == set(STRUCTURES) - {"row"}  # a row is Dense with one row


@pytest.fixture
def no_dense(monkeypatch):
    """Any dense matrix built during the test fails it."""

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"the display built the dense matrix of {self!r}")

    for cls in {*STRUCTURES.values(), Jacobian}:
        monkeypatch.setattr(cls, "_dense", refuse)
    monkeypatch.setattr(Jacobian, "dense", refuse)
    monkeypatch.setattr(Jacobian, "__array__", refuse)


def test_single_layer_shows_its_matrix_and_closed_form():
    W, x, b = np.ones((3, 4)), np.array([1.0, -2.0, 0.5, 0.0]), np.zeros(3)
    dz_dW = linear(W, x, b).jacobians["W"]  # 3×12: I_3 ⊗ xᵀ
    html = dz_dW._repr_html_()
    assert "<b>∂z/∂W</b> = I_n ⊗ xᵀ" in html
    assert "kronecker I₃ ⊗ (1×4); 3×12 (3 by 3×4); float64" in html
    rows = re.findall(r"<tr>(.*?)</tr>", html)
    cells = [re.findall(r">([^<]*)</td>", r) for r in rows]
    assert cells[1] == ["0"] * 4 + ["1", "−2", "0.5", "0"] + ["0"] * 4
    assert len(cells) == 3 and all(len(r) == 12 for r in cells)
    latex = dz_dW._repr_latex_()
    assert latex.startswith(r"\[\begin{gathered} \frac{\partial z}{\partial W} = I_n \otimes")
    assert r"1 & -2 & 0.5 & 0" in latex and latex.count(r" \\ ") >= 2
    assert "matrix not shown" not in html + latex


def test_small_and_at_the_threshold_are_shown():
    for n in (1, DISPLAY_MAX):
        for name, build in builders(n).items():
            Jn = build()
            for rep in REPRS:
                text = getattr(Jn, rep)()
                assert "matrix not shown" not in text, (name, n, rep)
            assert Jn._repr_html_().count("<tr>") == n, name


@pytest.mark.usefixtures("no_dense")
def test_the_guard_catches_a_dense_matrix():
    """The fixture below is what the next tests rely on: a small display, which builds its
    matrix, fails under it."""
    with pytest.raises(AssertionError, match="built the dense matrix"):
        Identity((2,))._repr_html_()


@pytest.mark.usefixtures("no_dense")
@pytest.mark.parametrize("name", list(builders(1)))
def test_past_the_threshold_no_dense_matrix_is_built(name):
    Jn = builders(DISPLAY_MAX + 1)[name]()
    for rep in REPRS:
        assert f"matrix not shown: more than {DISPLAY_MAX} rows or columns" in getattr(Jn, rep)()
    n = DISPLAY_MAX + 1
    assert f"; {n}×{n} (" in Jn._repr_html_()
    assert "<table" not in Jn._repr_html_()


@pytest.mark.usefixtures("no_dense")
def test_a_huge_jacobian_shows_symbol_structure_shape_and_closed_form():
    """∂z/∂W of a 3000-by-4000 layer: a dense matrix of 3000×12e6 (288 GB) is never made."""
    big = linear(np.ones((3000, 4000)), np.ones(4000), np.ones(3000)).jacobians["W"]
    html, latex = big._repr_html_(), big._repr_latex_()
    assert "<b>∂z/∂W</b> = I_n ⊗ xᵀ" in html
    assert "kronecker I₃₀₀₀ ⊗ (1×4000); 3000×12000000 (3000 by 3000×4000); float64" in html
    assert r"I_n \otimes x^{\top}" in latex and r"I$_{3000}$" in latex


@given(rows=st.integers(1, 16), cols=st.integers(1, 16))
def test_the_table_is_the_matrix_up_to_display_max(rows, cols):
    M = np.arange(rows * cols, dtype=float).reshape(rows, cols) - 3
    html = Dense(M)._repr_html_()
    if max(rows, cols) > DISPLAY_MAX:
        assert "<table" not in html
        return
    cells = [re.findall(r">([^<]*)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", html)]
    assert [[float(c.replace("−", "-")) for c in r] for r in cells] == M.tolist()


@pytest.mark.usefixtures("no_dense")
def test_new_structures_say_what_they_are_made_of():
    """A convolution's kernel, stride, padding and channels; a product's factors; rectangular
    blocks: read off the structure (and the kernel's shape), never off a dense matrix."""
    T = Toeplitz(np.ones((4, 2, 3)), 20, stride=2, padding=1, d=3)
    assert "toeplitz, kernel 3, stride 2, padding 1, 2→4 channels, 3 samples; 120×120" in (
        T._repr_html_()
    )
    Tt = T.T._repr_html_()
    assert "toeplitz (transposed), kernel 3, stride 2, padding 1, 4→2 channels" in Tt
    T2 = Toeplitz(np.ones((1, 1, 3, 2)), (5, 6), stride=(2, 1), padding=(1, 0))
    assert "kernel 3×2, stride 2×1, padding 1×0, 1→1 channels;" in T2._repr_html_()
    P = Product(Diagonal(np.ones(20)), Kronecker(20, np.ones((1, 3))))
    assert "product diagonal · kronecker; 20×60" in P._repr_html_()
    B = BlockDiagonal(np.ones((7, 2, 3)))
    assert "block-diagonal, 7 blocks of 2×3; 14×21" in B._repr_html_()
    assert r"7 blocks of 2$\times$3" in B._repr_latex_()


def test_display_max_is_a_setting(monkeypatch):
    Jn = Identity((20,))
    assert "<table" not in Jn._repr_html_()
    monkeypatch.setattr(Jacobian, "display_max", 20)
    assert Jn._repr_html_().count("<tr>") == 20


def test_without_a_closed_form_the_symbol_is_not_repeated():
    html = Diagonal(np.ones(2))._repr_html_()
    assert "<b>∂f/∂x</b></p>" in html
    assert r"\frac{\partial f}{\partial x} = \left[" in Diagonal(np.ones(2))._repr_latex_()


def test_html_escapes_names_and_complex_entries_show():
    Jn = Dense(np.array([[1 + 2j, -0.0]])).label("<f>", "x&y", "A < B")
    html = Jn._repr_html_()
    assert "<b>∂&lt;f&gt;/∂x&amp;y</b> = A &lt; B" in html
    assert ">1+2i<" in html and 'color:#aaa">0<' in html


def test_a_product_shows_its_factors_closed_forms():
    rng = np.random.default_rng(0)
    z = linear(rng.normal(size=(2, 3)), rng.normal(size=3), rng.normal(size=2))
    a = J.sigmoid(z.value)
    C = J.squared_error(a.value, np.zeros(2))
    row = J.chain(C.jacobian, a.jacobian, z.jacobians["W"])
    assert "(a − y)ᵀ · diag(σ(z) ⊙ (1 − σ(z))) · (I_n ⊗ xᵀ)" in row._repr_html_()


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no pdflatex")
def test_the_latex_compiles(tmp_path):
    rng = np.random.default_rng(0)
    z = linear(rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3))
    shown = [z.jacobians["W"], z.jacobians["b"], J.softmax(rng.normal(size=(3, 2))).jacobian]
    big = linear(np.ones((30, 40)), np.ones(40), np.ones(30)).jacobians["W"]
    named = Dense(np.eye(2)).label("y⁽²⁾", "W⁽¹⁾", "odd_name{} ⊗ ε")  # ε: no LaTeX command
    # captions with an arrow, a centred dot and ×: a convolution, a product, rectangular blocks
    new = [
        Toeplitz(np.ones((2, 1, 3)), 20, padding=1, d=2),
        Product(Diagonal(np.ones(20)), Kronecker(20, np.ones((1, 3)))),
        BlockDiagonal(np.ones((7, 2, 3))),
    ]
    body = "\n\n".join(j._repr_latex_() for j in [*shown, big, named, *new])
    source = (
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n"
        f"\\begin{{document}}\n{body}\n\\end{{document}}\n"
    )
    (tmp_path / "d.tex").write_text(source, encoding="ascii")
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "d.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    errors = [ln for ln in (tmp_path / "d.log").read_text().splitlines() if ln.startswith("!")]
    assert run.returncode == 0 and not errors, errors


def test_a_name_with_underscores_is_one_subscript_in_a_notebook():
    from jacobians import parse

    values = {"x_a_b": [1.0, 2.0], "W_in": np.eye(2)}
    J = parse("x_a_b'*W_in*x_a_b", ["W_in=2x2"]).jacobian("x_a_b", values)
    tex = J._repr_latex_()
    assert r"\partial x_{a\_b}" in tex and "W_{in}" in tex and "x_a_b" not in tex


def test_tex_specials_in_a_users_labels_are_escaped():
    from jacobians import Diagonal

    tex = Diagonal(np.ones(2)).label("C", "W#1", "diag(1) & more 50%")._repr_latex_()
    assert r"W\#1" in tex and r"\& \mathit{more} 50\%" in tex  # not a parameter, a tab, a comment
