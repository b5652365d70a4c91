"""How closed forms read: a product's factors bracketed as precedence needs (one rule for text
and LaTeX), and LaTeX that prints the glyph meant (the indicator 1[z > 0])."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jacobians import OPERATIONS, compose, cross_entropy, linear, softmax
from jacobians._labels import at_top, factors, render, wrap, wrap_latex
from jacobians._notation import Form, to_latex

# ----- products: the one rule, in text and in LaTeX -----


@pytest.mark.parametrize(
    ("text", "first", "expected"),
    [
        ("I_n ⊗ xᵀ", False, "(I_n ⊗ xᵀ)"),
        ("diag(a) − a aᵀ", True, "(diag(a) − a aᵀ)"),  # a difference, even first
        ("−(y ⊘ a)ᵀ", True, "−(y ⊘ a)ᵀ"),  # a sign heads a product unbracketed
        ("−(y ⊘ a)ᵀ", False, "(−(y ⊘ a)ᵀ)"),  # … and is bracketed after a factor
        ("−X⁻¹ ⊗ X⁻ᵀ", True, "(−X⁻¹ ⊗ X⁻ᵀ)"),
        ("a ⊙ b", False, "(a ⊙ b)"),
        ("diag(σ(z) ⊙ (1 − σ(z)))", False, "diag(σ(z) ⊙ (1 − σ(z)))"),  # inside brackets
        ("W⁽²⁾", False, "W⁽²⁾"),
        ("vec(X⁻ᵀ)ᵀ", False, "vec(X⁻ᵀ)ᵀ"),
    ],
)
def test_a_factor_is_bracketed_where_precedence_needs(text, first, expected):
    assert wrap(text, first) == expected


@pytest.mark.parametrize(
    ("latex", "first", "expected"),
    [
        (r"I_n \otimes x^{\top}", False, r"\left(I_n \otimes x^{\top}\right)"),
        (r"-(y \oslash a)^{\top}", True, r"-(y \oslash a)^{\top}"),
        (r"-(y \oslash a)^{\top}", False, r"\left(-(y \oslash a)^{\top}\right)"),
        (r"\operatorname{diag}\left(1 - \tanh^2(z)\right)", False, None),  # inside \left( \right)
        (r"e^{-z}", False, None),  # inside braces
        (r"\frac{\partial C}{\partial a}", False, None),
    ],
)
def test_the_latex_follows_the_same_rule(latex, first, expected):
    assert wrap_latex(latex, first) == (latex if expected is None else expected)


def test_a_product_of_jacobians_reads_with_its_brackets_in_text_and_latex():
    """∂C/∂a · ∂a/∂z for the cross-entropy of a softmax: the difference diag(a) − a aᵀ is a
    factor, so it is bracketed, in the text and in the LaTeX alike."""
    a = softmax(np.array([0.1, 0.2, -0.3]))
    C = cross_entropy(a.value, np.array([0.0, 1.0, 0.0]))
    P = compose(C.jacobian, a.jacobian)
    assert P.closed_form == "−(y ⊘ a)ᵀ · (diag(a) − a aᵀ)"
    assert P.latex == r"-(y \oslash a)^{\top} \, \left(\operatorname{diag}(a) - a a^{\top}\right)"


def test_nested_products_are_flattened_before_bracketing():
    """A product is associative: ((A, B), C) reads A · B · C, each factor bracketed by itself."""
    assert render((("−W", "I_n ⊗ xᵀ"), "diag(a)"), " · ", wrap) == "−W · (I_n ⊗ xᵀ) · diag(a)"
    assert render(("W", ("−V", "U")), " · ", wrap) == "W · (−V) · U"


def test_a_chain_of_three_factors():
    z = linear(np.ones((2, 3)), np.arange(3.0), np.zeros(2))
    parts = ["−(y ⊘ a)ᵀ", "diag(a) − a aᵀ", z.jacobians["W"].closed_form]
    assert " · ".join(factors(parts)) == "−(y ⊘ a)ᵀ · (diag(a) − a aᵀ) · (I_n ⊗ xᵀ)"


_ATOMS = st.sampled_from(["a", "W", "xᵀ", "diag(a − b)", "(u + v)", "I_n", "σ(z)", "1[z > 0]"])
_OPS = st.sampled_from([" + ", " − ", " ⊗ ", " ⊙ ", " ⊘ ", " ", " · "])


@st.composite
def _closed_forms(draw: st.DrawFn) -> str:
    atoms = draw(st.lists(_ATOMS, min_size=1, max_size=4))
    text = atoms[0]
    for atom in atoms[1:]:
        text += draw(_OPS) + atom
    return ("−" if draw(st.booleans()) else "") + text


@given(_closed_forms(), st.booleans())
def test_a_bracketed_factor_has_no_loose_operator_outside_its_brackets(text, first):
    out = wrap(text, first)
    loose = "+−⊗⊙⊘"
    assert not at_top(out, loose) or (first and not at_top(out[1:], loose))
    assert wrap(out, first) == out  # bracketing once is enough


# ----- notation: the indicator prints as meant -----


def test_the_indicator_is_a_bold_one():
    """amssymb's \\mathbb has capitals only: \\mathbb{1} prints a wrong glyph."""
    assert to_latex("1[z > 0]") == r"\mathbf{1}[z > 0]"
    assert to_latex("α·1[z ≤ 0]") == r"\alpha \cdot \mathbf{1}[z \le 0]"
    assert to_latex("x1[0]") == "x1[0]" and to_latex("21[k]") == "21[k]"  # not an indicator


def test_an_override_with_a_blackboard_digit_prints_the_bold_one():
    f = Form("1[$z > 0]", r"\mathbb{1}[$z > 0]")
    assert f.latex(z="z^{(1)}") == r"\mathbf{1}[z^{(1)} > 0]"
    assert Form("a", r"\mathbb{R}^n").latex() == r"\mathbb{R}^n"  # a capital is fine


@pytest.mark.parametrize("name", ["relu", "leaky_relu"])
def test_the_rectifiers_latex_has_no_wrong_glyph(name):
    latex = OPERATIONS[name].rules["z"].latex
    assert r"\mathbf{1}[z > 0]" in latex and r"\mathbb{1}" not in latex


def test_no_registered_latex_asks_for_a_glyph_the_fonts_lack():
    for op in OPERATIONS.values():
        for rule in op.rules.values():
            assert r"\mathbb{1}" not in rule.latex, op.name
