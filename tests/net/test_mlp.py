"""Building the network, its parameters, the forward pass, and every kind of bad input."""

from __future__ import annotations

import numpy as np
import pytest

from jacobians import ACTIVATIONS
from net import MLP
from reshape import InputError, InputTypeError, ShapeError


def _net(**kw):
    args = {"sizes": [2, 3, 2], "activations": ["tanh", "identity"], "loss": "squared_error"}
    args.update(kw)
    return MLP(args["sizes"], args["activations"], args["loss"])


# ----- construction and parameters -----


def test_parameters_are_named_shaped_and_seeded():
    net = MLP([1, 16, 16, 1], ["tanh", "tanh", "identity"])
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert net.shapes == {
        "W1": (16, 1),
        "b1": (16,),
        "W2": (16, 16),
        "b2": (16,),
        "W3": (1, 16),
        "b3": (1,),
    }
    again = MLP([1, 16, 16, 1], ["tanh", "tanh", "identity"], seed=0)
    other = MLP([1, 16, 16, 1], ["tanh", "tanh", "identity"], seed=1)
    for k, v in net.params.items():
        np.testing.assert_array_equal(v, again.params[k])
        assert not np.array_equal(v, other.params[k])
    assert net.depth == 3 and "tanh" in repr(net)


def test_params_read_copies_and_set_validated():
    net = _net()
    p = net.params
    p["W1"][:] = 7.0
    assert not np.all(net["W1"] == 7.0)  # reading gives copies
    new = {k: np.full(v.shape, 0.5) for k, v in p.items()}
    new["b1"] = np.zeros((3, 1))  # a column is a vector
    net.params = new
    assert net["b1"].shape == (3,) and np.all(net["W2"] == 0.5)
    net["W2"] = np.ones((2, 3), dtype=int)
    assert net["W2"].dtype == np.float64
    with pytest.raises(ShapeError, match=r"'W1'.*\n.*shape \(3, 2\).*\n.*shape \(2, 3\)"):
        net["W1"] = np.ones((2, 3))
    with pytest.raises(InputError, match="missing \\['b2'\\]"):
        net.params = {k: v for k, v in new.items() if k != "b2"}
    with pytest.raises(InputError, match="unknown \\['W9'\\]"):
        net.params = {**new, "W9": np.ones(1)}
    with pytest.raises(InputError, match="NaN"):
        net["b2"] = np.array([0.0, np.nan])
    with pytest.raises(InputTypeError, match="real numbers"):
        net["b2"] = np.ones(2) * 1j
    with pytest.raises(InputTypeError, match="dict"):
        net.params = [np.ones(1)]
    with pytest.raises(KeyError, match="W1"):
        net["W7"]


def test_forward_keeps_every_layer():
    net = MLP([3, 4, 2], ["relu", "softmax"], "cross_entropy")
    X = np.arange(12.0).reshape(3, 4) / 10
    out = net.forward(X)
    assert out.shape == (2, 4) and set(net.z) == {1, 2} and set(net.y) == {0, 1, 2}
    np.testing.assert_allclose(net.z[1], net["W1"] @ X + net["b1"][:, None])
    np.testing.assert_allclose(net.y[1], np.maximum(net.z[1], 0))
    np.testing.assert_allclose(out.sum(axis=0), 1.0)
    one = net.forward(X[:, 0])
    assert one.shape == (2,) and net.z[1].shape == (4,)
    np.testing.assert_allclose(one, out[:, 0])
    np.testing.assert_allclose(net.forward(net.y[1], start=1), one)
    np.testing.assert_allclose(net.forward(X[:, :1]), out[:, :1])


def test_cost_is_the_mean_over_samples():
    net = MLP([1, 2, 1], ["sigmoid", "identity"])
    X, T = np.array([[0.1, 0.5, -2.0]]), np.array([[1.0, 0.0, 0.3]])
    y = net.forward(X)
    assert net.cost(X, T) == pytest.approx(np.sum((T - y) ** 2) / (2 * 3), rel=1e-15)


# ----- bad input: a clear error naming the argument, expected and received -----


@pytest.mark.parametrize(
    "kw, err, pattern",
    [
        ({"activations": ["tanh"]}, InputError, r"'activations'.*\n.*2 names.*\n.*1: \['tanh'\]"),
        ({"activations": ["tanh"] * 3}, InputError, r"'activations'.*\n.*2 names"),
        ({"activations": "tanh"}, InputTypeError, r"\['tanh'\] \* 2"),
        ({"activations": ["tanh", "swish"]}, InputError, r"'relu'.*\n.*activations\[1\] = 'swish'"),
        ({"loss": "mse"}, InputError, r"'loss'.*\n.*'squared_error'.*\n.*'mse'"),
        ({"loss": "cross_entropy"}, InputError, r"'softmax' as the last.*\n.*'identity'"),
        (
            {"activations": ["tanh", "softmax"], "loss": "softmax_cross_entropy"},
            InputError,
            r"other than 'softmax'.*\n.*\n.*twice",
        ),
        ({"sizes": [2]}, InputError, "at least two widths"),
        ({"sizes": [2, 0, 2]}, InputError, r"sizes\[1\] = 0"),
        ({"sizes": [2, 2.5, 2]}, InputError, r"sizes\[1\] = 2.5"),
        ({"sizes": "23"}, InputTypeError, "'sizes'"),
    ],
)
def test_bad_architecture(kw, err, pattern):
    with pytest.raises(err, match=pattern):
        _net(**kw)


def test_unknown_activation_lists_every_known_one():
    with pytest.raises(InputError) as info:
        _net(activations=["tanh", "swish"])
    for name in ACTIVATIONS:
        assert repr(name) in str(info.value)


def test_bad_seed():
    with pytest.raises(InputError, match="seed"):
        MLP([1, 1], ["identity"], seed=-1)
    with pytest.raises(InputError, match="seed"):
        MLP([1, 1], ["identity"], seed=1.5)


@pytest.mark.parametrize(
    "X, T, err, pattern",
    [
        (
            np.ones((3, 4)),
            np.ones((2, 4)),
            ShapeError,
            r"'X'.*\n.*\(2,\) or \(2, d\).*\n.*\(3, 4\)",
        ),
        (np.ones((2, 4, 1)), np.ones((2, 4)), ShapeError, r"'X'"),
        (np.ones((2, 4)), np.ones((2, 3)), ShapeError, r"'T'.*\n.*\(2, 4\).*\n.*\(2, 3\)"),
        (np.ones((2, 4)), np.ones(2), ShapeError, r"'T'.*\n.*\(2, 4\)"),
        (np.ones(2), np.ones((3, 1)), ShapeError, r"'T'.*\n.*\(2,\) or \(2, 1\)"),
        (np.array([1.0, np.nan]), np.ones(2), InputError, r"'X'.*\n.*finite.*\n.*NaN"),
        (np.ones(2), np.array([np.inf, 0.0]), InputError, r"'T'.*\n.*finite"),
        (np.ones(2) * 1j, np.ones(2), InputTypeError, r"'X'.*\n.*real"),
        ("ab", np.ones(2), InputTypeError, r"'X'"),
    ],
)
def test_bad_data(X, T, err, pattern):
    net = _net()
    with pytest.raises(err, match=pattern):
        net.gradients(X, T)
    with pytest.raises(err, match=pattern):  # its operations assume finite data: net checks it
        net.gradients(X, T, "jacobian")
    with pytest.raises(err, match=pattern.replace("'X'", "'X'")):
        net.cost(X, T)


def test_one_feature_batch_as_a_vector_gets_a_hint():
    net = MLP([1, 3, 1], ["tanh", "identity"])
    with pytest.raises(ShapeError, match=r"X.reshape\(1, -1\)"):
        net.forward(np.linspace(0, 1, 5))


@pytest.mark.parametrize(
    "loss, last", [("cross_entropy", "softmax"), ("softmax_cross_entropy", "identity")]
)
def test_cross_entropy_targets_must_be_probability_vectors(loss, last):
    net = MLP([2, 3], [last], loss)
    X = np.ones((2, 2))
    net.gradients(X, np.array([[1.0, 0.2], [0.0, 0.3], [0.0, 0.5]]))  # fine
    with pytest.raises(InputError, match=r"'T'.*\n.*\[0, 1\].*\n.*T\[0, 0\] = 1.5\.$"):
        net.gradients(X, np.array([[1.5, 0.2], [-0.5, 0.3], [0.0, 0.5]]))
    with pytest.raises(
        InputError, match=r"'T'.*\n.*summing to 1.*\n.*column 1 summing to 0\.9\.\n"
    ):
        net.gradients(X, np.array([[1.0, 0.2], [0.0, 0.3], [0.0, 0.4]]))


def test_bad_method_and_parameter_names():
    net = _net()
    with pytest.raises(InputError, match=r"'method'.*\n.*'jacobian'.*\n.*'backprop'"):
        net.gradients(np.ones(2), np.ones(2), "backprop")
    with pytest.raises(InputError, match=r"'wrt'.*\n.*'W1'.*\n.*'W3'"):
        net.factors(np.ones(2), np.ones(2), "W3")
    with pytest.raises(InputError, match="start"):
        net.forward(np.ones(2), start=2)
