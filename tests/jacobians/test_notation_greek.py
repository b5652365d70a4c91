"""to_latex writes the layers' Greek parameters and hats (γ, β, μ, ε, ℓ, x̂), and a superscript
layer path inside a block (y⁽¹·²⁾), rather than refusing them."""

import pytest

from jacobians._notation import to_latex


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("∂y/∂γ", r"\partial y/\partial \gamma"),
        ("γ ⊙ x̂ + β", r"\gamma \odot \hat{x} + \beta"),
        ("(x − μ)/(var + ε)", r"(x - \mu )/(\mathit{var} + \varepsilon )"),
        ("∂ℓ/∂y⁽²⁾", r"\partial \ell /\partial y^{(2)}"),
        ("diag(x̂)", r"\operatorname{diag}(\hat{x})"),
        ("∂y⁽¹·²⁾/∂γ⁽¹·¹⁾", r"\partial y^{(1.2)}/\partial \gamma^{(1.1)}"),
        ("y⁽²⁾·W⁽²⁾", r"y^{(2)}\cdot W^{(2)}"),  # a product after a superscript stays one
    ],
)
def test_greek_hats_and_block_paths(text, latex):
    assert to_latex(text) == latex
    assert to_latex(text).isascii()


def test_a_character_without_a_command_is_still_refused():
    with pytest.raises(ValueError, match="no LaTeX command"):
        to_latex("ζ")
