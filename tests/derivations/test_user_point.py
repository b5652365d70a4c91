"""The tables at the user's own point: W, x, b, y (mlp: params, x, t) given in Python, sizes read
off them, every array checked; the inputs and intermediate values shown; a short repr."""

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from derivations import mlp, single_layer, softmax_cross_entropy
from derivations._rows import VALUES_COLUMNS, VALUES_SHOWN
from reshape import InputError

# ----- worked examples, computed by hand -----


def test_identity_layer_by_hand():
    """z = Wx + b = [−0.5, −1], a = z, δ = a − y = [−0.5, −2]: ∂C/∂W = δxᵀ, ∂C/∂b = δ,
    ∂C/∂x = Wᵀδ, C = ½(0.25 + 4)."""
    point = {"W": [[1, 2], [3, 4]], "x": [1, -1], "b": [0.5, 0], "y": [0, 1]}
    d = single_layer(activation="identity", **point)
    assert d.sizes == {"n": 2, "m": 2}
    np.testing.assert_array_equal(d.gradient, [[-0.5, 0.5], [-2.0, 2.0]])
    b = single_layer(activation="identity", wrt="b", **point).gradient
    x = single_layer(activation="identity", wrt="x", **point).gradient
    np.testing.assert_array_equal(b, [-0.5, -2.0])
    np.testing.assert_array_equal(x, [-6.5, -9.0])
    values = {v.name: v.value for v in d.values}
    np.testing.assert_array_equal(values["z"], [-0.5, -1.0])
    assert values["C"] == 2.125
    np.testing.assert_array_equal(values["∂C/∂a"], [-0.5, -2.0])
    np.testing.assert_array_equal(values["∂C/∂z"], [-0.5, -2.0])
    assert d.passed and not d.degenerate


def test_sigmoid_layer_by_hand():
    """z = 0, a = ½, σ′(0) = ¼: δ = (½ − 1)·¼ = −⅛, and ∂C/∂W = δ·x = −⅛ (exact in binary)."""
    d = single_layer(W=[[0.0]], x=[1.0], b=[0.0], y=[1.0])
    assert d.gradient.tolist() == [[-0.125]]
    assert [v.name for v in d.values if v.role == "backward"] == ["∂C/∂a", "∂C/∂z"]


def test_relu_layer_by_hand():
    """z = 2 − 1 − ½ = ½ > 0: a = ½, δ = ½, ∂C/∂W = δxᵀ = [1, ½]."""
    d = single_layer(activation="relu", W=[[1.0, -1.0]], x=[2.0, 1.0], b=[-0.5], y=[0.0])
    assert d.gradient.tolist() == [[1.0, 0.5]]


def test_softmax_by_hand():
    """z = 0: a = (½, ½), δ = a − y = (−½, ½), ∂C/∂W = δxᵀ, C = log 2."""
    d = softmax_cross_entropy(W=np.zeros((2, 1)), x=[1.0], b=[0.0, 0.0], y=[1.0, 0.0])
    assert d.gradient.tolist() == [[-0.5], [0.5]]
    assert math.isclose(next(v.value for v in d.values if v.name == "C"), math.log(2))
    assert d.passed


def test_mlp_by_hand():
    """Identity layers: y⁽¹⁾ = x = (1, 2), y⁽²⁾ = 3, δ⁽²⁾ = 3, ∂C/∂W⁽²⁾ = δ⁽²⁾y⁽¹⁾ᵀ = (3, 6),
    δ⁽¹⁾ = W⁽²⁾ᵀδ⁽²⁾ = (3, 3), ∂C/∂W⁽¹⁾ = δ⁽¹⁾xᵀ; sizes read off the arrays."""
    params = {"W1": np.eye(2), "b1": [0.0, 0.0], "W2": [[1.0, 1.0]], "b2": [0.0]}
    kw = {"activations": ["identity", "identity"], "params": params, "x": [1.0, 2.0], "t": [0.0]}
    d1, d2 = mlp(**kw, wrt="W1"), mlp(**kw, wrt="W2")
    assert d1.sizes == {"l₀": 2, "l₁": 2, "l₂": 1}
    assert d2.gradient.tolist() == [[3.0, 6.0]]
    assert d1.gradient.tolist() == [[3.0, 6.0], [3.0, 6.0]]
    assert next(v.value for v in d1.values if v.name == "C") == 4.5
    rows = {v.name: v.value.tolist() for v in d1.values if v.role == "backward"}
    assert rows["∂C/∂z⁽¹⁾"] == [3.0, 3.0] and rows["∂C/∂y⁽²⁾"] == [3.0]


# ----- what every format shows -----


def test_every_format_shows_the_inputs_and_intermediate_values():
    d = single_layer(activation="identity", W=[[1, 2], [3, 4]], x=[1, -1], b=[0.5, 0], y=[0, 1])
    text, markdown = d.render("text"), d.render("markdown")
    for out in (text, markdown):
        assert "inputs (given)" in out and "W (2×2, given) =" in out
        assert "x (2, given) = [  1  -1 ]ᵀ" in out
        assert "∂C/∂z = ∂C/∂a · ∂a/∂z = [ -0.5    -2 ]" in out
        assert "C = ½‖a − y‖²" in out and "= 2.125" in out
    doc = json.loads(d.render("json"))
    names = [(v["name"], v["role"]) for v in doc["values"]]
    assert names == [
        ("W", "input"),
        ("x", "input"),
        ("b", "input"),
        ("y", "input"),
        ("z", "forward"),
        ("a", "forward"),
        ("C", "forward"),
        ("∂C/∂a", "backward"),
        ("∂C/∂z", "backward"),
    ]
    assert doc["values"][0]["value"] == [[1.0, 2.0], [3.0, 4.0]]
    assert doc["values"][0]["origin"] == "given" and doc["values"][0]["argument"] == "W"
    assert doc["degenerate"] == []


def test_drawn_and_given_are_told_apart():
    d = single_layer(W=np.ones((3, 4)), y=[0.1, 0.2, 0.3])
    text = d.render("text")
    assert "inputs (W, y given; x, b drawn with seed 0):" in text
    assert "x (4, drawn)" in text and "W (3×4, given)" in text


def test_large_values_are_summarised():
    """Over VALUES_SHOWN entries or VALUES_COLUMNS columns: summarised (min, max, norm)."""
    d = single_layer(6, VALUES_COLUMNS + 1, seed=3)
    W = next(v for v in d.values if v.name == "W")
    text = d.render("text")
    low, high, norm = W.value.min(), W.value.max(), np.linalg.norm(W.value)
    assert (
        f"W ({6}×{VALUES_COLUMNS + 1}, drawn): min {low:.4g}, max {high:.4g}, norm {norm:.4g}"
        in (text)
    )
    doc = json.loads(d.render("json"))
    w = doc["values"][0]
    assert "value" not in w and math.isclose(w["norm"], norm)
    assert VALUES_SHOWN < 6 * (VALUES_COLUMNS + 1)  # too many entries as well
    small = json.loads(single_layer(2, 2).render("json"))["values"][0]
    assert len(small["value"]) == 2  # small ones are listed


def test_rows_of_the_product_are_rows():
    """∂C/∂a and ∂C/∂z are 1×n rows (numerator layout), printed without a transpose."""
    d = single_layer(40, 30)
    text = d.render("text")
    assert "∂C/∂z = ∂C/∂a · ∂a/∂z (1×40): min" in text
    assert "z = Wx + b (40): min" in text


# ----- properties -----

_finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=64)


@st.composite
def layer_points(draw):
    n, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    full = {
        "W": draw(hnp.arrays(np.float64, (n, m), elements=_finite)),
        "x": draw(hnp.arrays(np.float64, (m,), elements=_finite)),
        "b": draw(hnp.arrays(np.float64, (n,), elements=_finite)),
        "y": draw(hnp.arrays(np.float64, (n,), elements=_finite)),
    }
    subset = draw(st.sets(st.sampled_from(sorted(full))))
    return n, m, {k: full[k] for k in subset}


@given(
    point=layer_points(),
    activation=st.sampled_from(["sigmoid", "tanh", "relu", "identity"]),
    wrt=st.sampled_from(["W", "b", "x"]),
    seed=st.integers(0, 2**16),
)
def test_any_subset_is_the_seed_draw_with_those_replaced(point, activation, wrt, seed):
    n, m, given_ = point
    drawn = single_layer(n, m, activation, wrt=wrt, seed=seed)
    d = single_layer(n, m, activation, wrt=wrt, seed=seed, **given_)
    full = {v.argument: v.value for v in drawn.values if v.role == "input"}
    for v in d.values:
        if v.role == "input":
            want = given_.get(v.argument, full[v.argument])
            np.testing.assert_array_equal(v.value, want)  # given arrays round-trip exactly
            assert v.origin == ("given" if v.argument in given_ else "drawn")
    everything = single_layer(activation=activation, wrt=wrt, **{**full, **given_})
    np.testing.assert_array_equal(d.gradient, everything.gradient)
    shown = {v["argument"]: v["value"] for v in json.loads(d.render("json"))["values"][:4]}
    for k, a in given_.items():
        assert shown[k] == np.asarray(a).tolist()  # and into the JSON document


@given(point=layer_points())
def test_sizes_are_read_off_the_arrays(point):
    n, m, given_ = point
    d = single_layer(**given_)
    fixed_n = any(k in given_ for k in "Wby")
    fixed_m = any(k in given_ for k in "Wx")
    assert d.sizes == {"n": n if fixed_n else 3, "m": m if fixed_m else 4}


def test_vectors_may_be_columns():
    a = single_layer(W=np.ones((2, 3)), x=[[1.0], [2.0], [3.0]], b=[[0.0], [1.0]], y=[[0.0], [0.5]])
    b = single_layer(W=np.ones((2, 3)), x=[1.0, 2.0, 3.0], b=[0.0, 1.0], y=[0.0, 0.5])
    np.testing.assert_array_equal(a.gradient, b.gradient)


def test_todays_calls_are_unchanged():
    """Positional sizes and the defaults draw what they drew (the README's tour)."""
    rng = np.random.default_rng(0)
    W, x, b, y = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3), rng.random(3)
    for d in (single_layer(), single_layer(3, 4), single_layer(3, 4, "sigmoid", "squared_error")):
        inputs = [v.value for v in d.values if v.role == "input"]
        for got, want in zip(inputs, (W, x, b, y), strict=True):
            np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(
        mlp().gradient, mlp([2, 3, 3, 1], ["tanh", "tanh", "identity"]).gradient
    )
    assert softmax_cross_entropy().sizes == {"n": 4, "m": 3}


# ----- bad arrays: the function and the argument named -----


@pytest.mark.parametrize(
    "call, op, arg, needle",
    [
        (lambda: single_layer(W=[1.0, 2.0]), "single_layer", "W", "a matrix"),
        (lambda: single_layer(x=[[1.0, 2.0, 3.0, 4.0]]), "single_layer", "x", "a vector"),
        (lambda: single_layer(W=[[np.nan]]), "single_layer", "W", "NaN"),
        (lambda: single_layer(W=[["a"]]), "single_layer", "W", "numeric"),
        (lambda: single_layer(W=[[True]]), "single_layer", "W", "numeric"),
        (lambda: single_layer(W=[[1j]]), "single_layer", "W", "real numbers"),
        (lambda: single_layer(b=[]), "single_layer", "b", "non-empty"),
        (
            lambda: single_layer(n=3, W=np.ones((2, 4))),
            "single_layer",
            "n",
            "the number of rows of W",
        ),
        (lambda: single_layer(m=5, x=np.ones(4)), "single_layer", "m", "entries of x"),
        (
            lambda: single_layer(W=np.ones((2, 4)), x=np.ones(3)),
            "single_layer",
            "x",
            "4 entries, as W",
        ),
        (
            lambda: single_layer(W=np.ones((2, 4)), y=np.ones(3)),
            "single_layer",
            "y",
            "2 entries, as W",
        ),
        (lambda: single_layer(W=np.ones((5000, 1))), "single_layer", "W", "at most 4096 rows"),
        (
            lambda: single_layer(cost="binary_cross_entropy", y=[0.5, 2.0, 0.0]),
            "single_layer",
            "y",
            "between 0 and 1",
        ),
        (
            lambda: softmax_cross_entropy(y=[0.5, 0.6, 0, 0]),
            "softmax_cross_entropy",
            "y",
            "summing to 1",
        ),
        (lambda: softmax_cross_entropy(n=2, b=[1.0]), "softmax_cross_entropy", "n", "entries of b"),
        (lambda: mlp(params=[1]), "mlp", "params", "a dict"),
        (lambda: mlp(params={"V1": [[1.0]]}), "mlp", "params", "names W1, b1"),
        (lambda: mlp([2, 3, 1], params={"W3": [[1.0]]}), "mlp", "params", "W1, b1, W2, b2"),
        (lambda: mlp([2, 3, 1], params={"W1": np.ones((4, 2))}), "mlp", "sizes[1]", "W1"),
        (
            lambda: mlp(params={"W1": np.ones((3, 2)), "b1": [1.0]}),
            "mlp",
            "params['b1']",
            "3 entries",
        ),
        (
            lambda: mlp(x=np.ones(3), params={"W1": np.ones((3, 2))}),
            "mlp",
            "params['W1']",
            "3 columns",
        ),
        (lambda: mlp(loss="cross_entropy", t=[0.5]), "mlp", "t", "summing to 1"),
        (lambda: mlp([2, 3, 1], ["tanh"]), "mlp", "activations", "2 activation names"),
    ],
)
def test_bad_arrays_name_the_function_and_the_argument(call, op, arg, needle):
    with pytest.raises(InputError) as info:
        call()
    assert (info.value.op, info.value.arg) == (op, arg)
    assert needle in str(info.value)


def test_a_size_and_an_array_that_disagree_are_both_named():
    with pytest.raises(InputError) as info:
        single_layer(n=3, W=np.ones((2, 4)))
    message = str(info.value)
    assert "n = 2, the number of rows of W (shape (2, 4))" in message and "n = 3" in message


def test_mlp_reads_its_depth_off_the_activations_or_the_parameters():
    """No sizes: one layer per activation, else as deep as the deepest parameter given."""
    assert mlp(activations=["tanh", "identity"]).sizes == {"l₀": 2, "l₁": 3, "l₂": 1}
    params = {"W1": np.ones((4, 2)), "W2": np.ones((1, 4))}
    assert mlp(params=params).sizes == {"l₀": 2, "l₁": 4, "l₂": 1}
    deep = mlp(activations=["tanh"] * 3, params={"W1": np.ones((4, 2))})
    assert deep.sizes == {"l₀": 2, "l₁": 4, "l₂": 3, "l₃": 1}


def test_mlp_takes_any_subset_of_parameters():
    drawn = mlp([2, 3, 1], ["tanh", "identity"], seed=5)
    W1 = np.arange(6.0).reshape(3, 2) / 10
    d = mlp([2, 3, 1], ["tanh", "identity"], seed=5, params={"W1": W1})
    values = {v.argument: v for v in d.values if v.role == "input"}
    np.testing.assert_array_equal(values["W1"].value, W1)
    assert values["W1"].origin == "given" and values["b1"].origin == "drawn"
    for k, v in {v.argument: v for v in drawn.values if v.role == "input"}.items():
        if k != "W1":
            np.testing.assert_array_equal(values[k].value, v.value)
    assert d.passed
