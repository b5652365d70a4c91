"""Degenerate points are said, not hidden: a gradient that vanishes, a relu layer with no active
unit, a one-entry softmax, in every format and as a JSON field; and the default points are not
degenerate (a dead first draw is replaced by the generator's next)."""

import json

import jsonschema
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from derivations import mlp, schema, single_layer, softmax_cross_entropy
from derivations._latex_values import point_latex
from derivations._network import sample
from derivations._point import DRAWS

DEAD = {"W": [[-1.0, -2.0, 0.5], [0.5, -1.0, -1.0]], "x": [1.0, 1.0, 1.0], "b": [0.0, 0.0]}


def _relu(z):
    return np.maximum(z, 0)


def test_the_documented_relu_point_is_not_degenerate():
    """`jacobians derive --activation relu --n 2 --m 3`: seed 0's first draw has no active unit,
    so the table is at the generator's second draw: δxᵀ with δ = (a − y) ⊙ 1[z > 0]."""
    rng = np.random.default_rng(0)
    draws = []
    for _ in range(2):
        W, x, b, y = rng.normal(size=(2, 3)), rng.normal(size=3), rng.normal(size=2), rng.random(2)
        draws.append((W, x, b, y))
    W, x, b, _ = draws[0]
    assert not np.any(W @ x + b > 0)  # the first draw is dead
    W, x, b, y = draws[1]
    z = W @ x + b
    delta = (_relu(z) - y) * (z > 0)
    d = single_layer(2, 3, "relu")
    np.testing.assert_allclose(d.gradient, np.outer(delta, x), rtol=1e-15)
    assert np.any(d.gradient) and d.degenerate == ()
    assert "Degenerate" not in d.render("text")


@given(
    n=st.integers(1, 5),
    m=st.integers(1, 5),
    wrt=st.sampled_from(["W", "b", "x"]),
    seed=st.integers(0, 2**16),
)
def test_default_relu_points_are_live(n, m, wrt, seed):
    d = single_layer(n, m, "relu", wrt=wrt, seed=seed)
    assert d.degenerate == () and np.any(d.gradient)


def test_a_live_first_draw_is_kept():
    """Only a dead draw is replaced: sigmoid, tanh and a live relu draw keep the first."""
    rng = np.random.default_rng(4)
    W, x, b = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3)
    assert np.any(W @ x + b > 0)
    got = next(v.value for v in single_layer(3, 4, "relu", seed=4).values if v.name == "W")
    np.testing.assert_array_equal(got, W)


def test_a_given_point_is_never_changed_but_said():
    d = single_layer(activation="relu", **DEAD)
    np.testing.assert_array_equal(d.values[0].value, DEAD["W"])
    assert not np.any(d.gradient)
    assert [g.kind for g in d.degenerate] == ["inactive_layer", "zero_gradient"]
    assert d.degenerate[0].layer == 1 and d.degenerate[1].layer is None
    assert "σ′(z) = 0 at each of its 2 units" in d.degenerate[0].text


def test_degenerate_points_are_said_in_every_format():
    d = single_layer(activation="relu", **DEAD)
    text = d.render("text")
    assert text.splitlines()[2].startswith("Degenerate point. No unit of the layer (relu) is")
    assert "would not move W." in " ".join(text.splitlines()[2:6])
    markdown = d.render("markdown")
    assert "**Degenerate point.** No unit of the layer (relu) is active" in markdown
    doc = json.loads(d.render("json"))
    assert [g["kind"] for g in doc["degenerate"]] == ["inactive_layer", "zero_gradient"]
    assert doc["degenerate"][0]["layer"] == 1 and "layer" not in doc["degenerate"][1]
    jsonschema.validate(doc, schema())
    latex = "\n".join(point_latex(d))
    assert r"\textbf{Degenerate point.}" in latex and r"$\sigma'(z) = 0$" in latex
    assert latex.isascii()
    notebook = "\n".join(point_latex(d, mathjax=True))
    assert "Degenerate point." in notebook and r"\textbf" not in notebook


def test_a_vanishing_gradient_alone_is_said():
    """a = y exactly (identity, squared error): every unit is active, the gradient is zero."""
    d = single_layer(activation="identity", W=[[1.0]], x=[1.0], b=[0.0], y=[1.0])
    assert [g.kind for g in d.degenerate] == ["zero_gradient"]
    assert "The gradient ∂C/∂W is zero at this point (its one entry)" in d.render("text")


def test_a_one_entry_softmax_is_said():
    d = softmax_cross_entropy(1, 2)
    assert [g.kind for g in d.degenerate] == ["inactive_layer", "zero_gradient"]
    assert "a softmax of one entry is always 1" in d.degenerate[0].text
    assert d.passed  # the checks still hold: every computation agrees on zero


def test_a_dead_network_layer_is_said_with_its_number():
    d = mlp(
        [2, 3, 2],
        ["relu", "identity"],
        params={"W1": -np.ones((3, 2)), "b1": -np.ones(3)},
        x=[1.0, 1.0],
    )
    kinds = [(g.kind, g.layer) for g in d.degenerate]
    assert kinds == [("inactive_layer", 1), ("zero_gradient", None)]
    assert "No unit of layer 1 (relu) is active: σ′(z⁽¹⁾) = 0" in d.degenerate[0].text
    assert "the gradients of W⁽¹⁾ and b⁽¹⁾ are zero" in d.degenerate[0].text
    above = mlp(
        [2, 3, 2],
        ["relu", "identity"],
        wrt="b2",
        params={"W1": -np.ones((3, 2)), "b1": -np.ones(3)},
        x=[1.0, 1.0],
    )
    # the layer is dead, but the gradient of b⁽²⁾ above it is not zero: only the layer is said
    assert [g.kind for g in above.degenerate] == ["inactive_layer"]


def test_a_network_sample_is_redrawn_while_the_first_layer_is_dead():
    """The default sample is the first of seed + 1's draws at which the gradient of W⁽¹⁾ is not
    zero (seed 3's first is dead for [2, 2, 1] with relu); a network dead for every sample (an
    initialisation, not a draw) is kept, and said."""
    redrawn = 0
    for seed in range(10):
        d = mlp([2, 2, 1], ["relu", "identity"], seed=seed)
        assert d.degenerate == () and np.any(d.gradient)
        x = next(v.value for v in d.values if v.name == "x")
        redrawn += not np.array_equal(x, sample([2, 2, 1], "squared_error", seed)[0])
    assert redrawn >= 1
    assert DRAWS >= 32  # a one-unit relu layer is dead for half the samples


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_a_live_point_says_nothing(fmt):
    out = single_layer().render(fmt)
    assert "Degenerate" not in out and "degenerate" not in out.replace('"degenerate": []', "")
