"""The layer spec: exact parses, errors that name the item, its column and what was expected,
and networks built from it."""

from __future__ import annotations

import numpy as np
import pytest

from net import Activation, Dense, Flatten, Network, Residual, SpecError, parse_layers
from reshape import InputError, InputTypeError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dense:2", [Dense(2)]),
        ("dense:4:tanh,dense:1", [Dense(4, "tanh"), Dense(1)]),
        (" dense:3 , relu ,softmax", [Dense(3), Activation("relu"), Activation("softmax")]),
        ("flatten,dense:2:identity", [Flatten(), Dense(2)]),
        (
            "residual(dense:8:relu,dense:4),dense:1",
            [Residual([Dense(8, "relu"), Dense(4)]), Dense(1)],
        ),
        (
            "residual(tanh, residual(dense:2)), leaky_relu",
            [Residual([Activation("tanh"), Residual([Dense(2)])]), Activation("leaky_relu")],
        ),
    ],
)
def test_parses(text, expected):
    assert repr(parse_layers(text)) == repr(expected)


@pytest.mark.parametrize(
    ("text", "column", "expected", "got"),
    [
        ("dense:4,,dense:2", 9, "an item", "nothing"),
        ("dense:4,", 9, "an item", "nothing"),
        ("dense:0", 1, "dense:N", "'dense:0'"),
        ("dense:4, dense:x", 10, "dense:N", "'dense:x'"),
        ("dense:4:swish", 1, "the activation one of", "'dense:4:swish'"),
        ("dense:4:tanh:relu", 1, "dense:N or dense:N:activation", "'dense:4:tanh:relu'"),
        ("dense:2,conv9:3", 9, "a layer kind", "'conv9:3'"),
        ("relu:2", 1, "the activation relu without arguments", "'relu:2'"),
        ("flatten:1", 1, "flatten without arguments", "'flatten:1'"),
        ("dense:2,residual(dense:2", 17, "a ')' closing this '('", "'residual(dense:2'"),
        ("dense:2)", 8, "closes nothing", "')'"),
        ("residual[dense:2]", 1, "residual(items)", "'residual[dense:2]'"),
        ("residual( )", 1, "at least one item", "'residual( )'"),
        ("residual(dense:2,,dense:2)", 18, "an item", "nothing"),
        ("residual(dense:2, dense:0)", 19, "dense:N", "'dense:0'"),
    ],
)
def test_errors_name_item_column_and_expected(text, column, expected, got):
    with pytest.raises(SpecError) as err:
        parse_layers(text)
    e = err.value
    assert (e.op, e.arg, e.column) == ("parse_layers", "text", column)
    assert expected in e.expected and e.got.startswith(got) and f"column {column}" in e.got
    caret = str(e).splitlines()[-1]
    assert caret.rstrip().endswith("^") and len(caret) - 5 == column  # under the column


def test_not_text():
    with pytest.raises(InputTypeError):
        parse_layers(["dense:2"])


def test_network_from_spec_is_the_network_of_its_layers():
    spec = "dense:4:tanh,residual(dense:6:sigmoid,dense:4),dense:2"
    a = Network.from_spec(spec, 3, "softmax_cross_entropy", seed=4)
    b = Network(parse_layers(spec), (3,), "softmax_cross_entropy", seed=4)
    c = Network(spec, 3, "softmax_cross_entropy", seed=4)
    assert list(a.shapes) == ["W1", "b1", "W2.1", "b2.1", "W2.2", "b2.2", "W3", "b3"]
    X = np.random.default_rng(0).normal(size=(3, 5))
    T = np.eye(2)[:, [0, 1, 1, 0, 1]]
    assert a.cost(X, T) == b.cost(X, T) == c.cost(X, T)


def test_a_spec_network_checks_its_shapes():
    with pytest.raises(Exception) as err:
        Network.from_spec("residual(dense:3)", 2)
    assert "Residual(layer 1)" in str(err.value)


# ----- the other layers, built from the spec in one network each -----
OTHER_LAYERS = [
    ("conv1d:3x3:p1,tanh,conv1d:2x2:s2,flatten,dense:2", (2, 6), ("w1", "b3")),
    (
        "conv2d:2x2x3:p1,sigmoid,flatten,residual(dense:4:tanh,dense:32),dense:1",
        (1, 3, 4),
        ("w1", "W4.1"),
    ),
    ("conv1d:3x2,rnn:4,dense:2", (2, 6), ("w1", "U2")),
    (
        "embedding:5x4,layernorm,dense:4:tanh,batchnorm,residual(dense:4),dense:2",
        (),
        ("E1", "beta4", "gamma2"),
    ),
    (
        "residual(layernorm,attention:2:causal),attention:1,dense:4:relu,dense:2",
        (4,),
        ("gamma1.1", "Wq2", "Wk2", "Wv2", "Wo2"),
    ),
]


def _inputs(rng: np.random.Generator, shape: tuple, d: int) -> np.ndarray:
    """Normal inputs; the integer ids of d tokens for an embedding (input_shape ())."""
    return rng.integers(0, 5, size=d).astype(float) if shape == () else rng.normal(size=(*shape, d))


@pytest.mark.parametrize(("spec", "shape", "chains"), OTHER_LAYERS)
@pytest.mark.parametrize("d", [1, 3])
def test_other_layers_in_a_spec_network(spec, shape, chains, d):
    net = Network.from_spec(spec, shape, seed=1)
    rng = np.random.default_rng(d)
    X, T = _inputs(rng, shape, d), rng.normal(size=(net.output_shape[0], d))
    if "batchnorm" in spec and d == 1:  # batch statistics of one sample: refused by name
        with pytest.raises(InputError, match=r"BatchNorm\(layer 4\)"):
            net.gradients(X, T)
        return
    jac, short = net.gradients(X, T, "jacobian"), net.gradients(X, T, "shortcut")
    num = net.gradients(X, T, "numeric")
    for p in net.shapes:
        scale = np.abs(short[p]).max()
        assert np.abs(jac[p] - short[p]).max() <= 1e-10 * scale + 1e-15, p
        assert np.abs(num[p] - short[p]).max() <= 1e-6 * scale + 1e-12, p
    for p in chains:  # each chain of factors multiplies to the gradient
        np.testing.assert_allclose(net.factors(X, T, p).gradient(), jac[p], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(
    ("make", "op", "arg"),
    [
        (lambda s: Network(s, 3), "Network", "layers"),
        (lambda s: Network.from_spec(s, 3), "Network.from_spec", "text"),
    ],
)
def test_a_spec_given_to_the_network_is_refused_for_its_argument(make, op, arg):
    """The caller named: Network's layers, not the parser's text; the column and caret kept."""
    with pytest.raises(SpecError) as err:
        make("dense:2,relu:3")
    e = err.value
    assert (e.op, e.arg, e.column) == (op, arg, 9)
    assert str(e).startswith(f"{op}: bad argument '{arg}'")
    assert len(str(e).splitlines()[-1]) - 5 == 9


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("", "list the layers"),
        ("   ", "list the layers"),
        ("dense:2,", "remove the extra comma"),
        (",dense:2", "remove the extra comma"),
        ("dense:2,,dense:1", "remove the extra comma"),
    ],
)
def test_an_empty_item_hints_at_what_is_missing(text, hint):
    """A blank spec has no comma to remove: its hint asks for the layers, at column 1."""
    with pytest.raises(SpecError) as err:
        Network(text, 3)
    assert err.value.hint is not None and err.value.hint.startswith(hint)
    assert ("comma" in err.value.hint) == bool(text.strip())
    if not text.strip():
        assert err.value.column == 1 and "at least one item" in err.value.expected


def test_every_spec_the_readme_shows_builds():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    specs = set(re.findall(r'`"((?:conv1d|residual|dense)[^"`]*)"`', readme))
    assert len(specs) >= 2  # the spec of the Network section and of net/_spec.py's row
    for spec in specs:
        shape = (1, 16) if spec.startswith("conv1d") else 4
        net = Network(spec, shape, seed=0)
        X = np.random.default_rng(0).normal(size=(*np.atleast_1d(shape), 3))
        assert net.forward(X).shape[-1] == 3, spec


def test_a_factors_matrix_is_no_handle_on_the_networks_weights():
    net = Network("dense:3:tanh,dense:2", (2,), seed=0)
    x, t = np.array([0.3, -0.7]), np.array([0.1, 0.2])
    W2, before = net["W2"], net.gradients(x, t)["W1"]
    factors = net.factors(x, t, "W1")
    with pytest.raises(ValueError, match="read-only"):
        factors[2].matrix[...] = 0.0  # ∂z/∂x [2] holds W2 itself
    np.testing.assert_array_equal(net["W2"], W2)
    np.testing.assert_array_equal(net.gradients(x, t)["W1"], before)


def test_a_batchs_activation_factor_names_its_size():
    net = Network("dense:3:softmax,identity,dense:2", (2,), seed=0)
    X, T = np.ones((2, 3)), np.zeros((2, 3))  # 3 samples
    closed = {J.closed_form: J.shape for J in net.factors(X, T, "W1")}
    assert closed["I_6"] == (6, 6)  # the last layer's identity over its 2·3 entries, not I_2
    assert closed["I_9"] == (9, 9)  # the identity layer's, over 3·3
    assert closed["diag(y) − y yᵀ, per sample (3 blocks)"] == (9, 9)


def test_an_embeddings_float_ids_must_be_whole():
    net = Network("embedding:5x3,dense:2", (), seed=0)
    assert net.forward(np.array([1.0, 2.0])).shape == (2, 2)  # whole floats are ids
    with pytest.raises(InputError, match=r"(?s)whole numbers as token ids.*X\[1\] = 2\.5"):
        net.forward(np.array([1.0, 2.5]))
