"""Network: the same numbers as MLP on an MLP's layers, its parameters and data checked as MLP's,
the memory limit, factors, compare and train."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from jacobians import set_dense_limit
from jacobians._limit import DenseLimitError, dense_limit
from net import MLP, Activation, Dense, Layer, Network, Residual, compare, train
from net._checks import PointError
from reshape import InputError, InputTypeError, ShapeError

from .strategies import networks


def _as_network(mlp: MLP) -> Network:
    layers = [Dense(n, a) for n, a in zip(mlp.sizes[1:], mlp.activations, strict=True)]
    return Network(layers, mlp.sizes[0], mlp.loss, seed=mlp.seed)


@settings(max_examples=30)
@given(networks(max_depth=3, max_width=5, max_batch=4))
def test_network_of_dense_layers_is_the_mlp(case):
    mlp, X, T = case
    net = _as_network(mlp)
    assert net.shapes == mlp.shapes
    net.params = mlp.params
    np.testing.assert_array_equal(net.forward(X), mlp.forward(X))
    assert net.cost(X, T) == mlp.cost(X, T)
    for method in ("jacobian", "shortcut"):
        a, b = net.gradients(X, T, method), mlp.gradients(X, T, method)
        for p in b:
            np.testing.assert_array_equal(a[p], b[p], err_msg=f"{method} {p}")
    for p in mlp.shapes:
        f, g = net.factors(X, T, p), mlp.factors(X, T, p)
        assert [J.shape for J in f] == [J.shape for J in g]
        head = 1 if np.ndim(X) == 1 or X.shape[1] == 1 else 2  # the cost's row (after 1/d)
        assert [J.closed_form for J in f][:head] == [J.closed_form for J in g][:head]
        np.testing.assert_allclose(f.gradient(), g.gradient(), rtol=1e-13, atol=1e-15)


def test_same_seed_draws_the_mlps_parameters():
    mlp = MLP([3, 4, 2], ["tanh", "identity"], seed=7)
    net = Network([Dense(4, "tanh"), Dense(2)], (3,), seed=7)
    for p, v in mlp.params.items():
        np.testing.assert_array_equal(net[p], v)
    assert repr(net) == (
        "Network([Dense(4, 'tanh'), Dense(2)], input_shape=(3,), loss='squared_error', seed=7)"
    )


def test_numeric_refuses_the_same_points_as_mlp():
    mlp = MLP([2, 3, 1], ["tanh", "identity"], seed=1)
    mlp["W1"] = np.full((3, 2), 10.0)
    net = _as_network(mlp)
    net.params = mlp.params
    X, T = np.full((2, 1), 1e308), np.zeros((1, 1))
    with pytest.raises(PointError) as mlps:
        mlp.gradients(X, T)
    for method in ("jacobian", "shortcut", "numeric"):
        with pytest.raises(PointError) as err:
            net.gradients(X, T, method)
        assert err.value.op == "Network.gradients" and "Dense(layer 1)" in err.value.got
        assert err.value.expected == mlps.value.expected and err.value.hint == mlps.value.hint


def test_complex_step_refused_with_a_relu_layer():
    net = Network([Residual([Dense(2, "relu")]), Dense(1)], 2)
    assert not net.analytic
    with pytest.raises(InputError) as err:
        net.gradients(np.ones(2), np.zeros(1), "complex")
    assert "Residual(layer 1)" in err.value.got
    g = net.gradients(np.ones(2), np.zeros(1), "numeric")  # central differences
    np.testing.assert_allclose(
        g["W1.1"], net.gradients(np.ones(2), np.zeros(1))["W1.1"], rtol=1e-6, atol=1e-10
    )


# ----- parameters -----
def test_params_are_copies_and_validated():
    net = Network([Dense(3, "tanh"), Dense(1)], 2)
    p = net.params
    p["W1"][:] = 0
    assert np.any(net["W1"] != 0)
    net["b1"] = np.ones((3, 1))  # a column is taken as the vector
    assert net.shapes["b1"] == (3,) and np.all(net["b1"] == 1)
    with pytest.raises(ShapeError, match="W1"):
        net["W1"] = np.ones((2, 3))
    with pytest.raises(InputError, match="missing"):
        net.params = {"W1": np.ones((3, 2))}
    with pytest.raises(InputTypeError):
        net.params = [1, 2]
    with pytest.raises(InputTypeError):
        net["W2"] = np.ones((1, 3)) * 1j
    with pytest.raises(KeyError, match="W1"):
        net["W9"]


def test_inputs_and_targets_are_checked():
    net = Network([Dense(2, "tanh"), Dense(1)], 3)
    with pytest.raises(ShapeError) as err:
        net.cost(np.ones((2, 4)), np.zeros((1, 4)))
    assert (err.value.op, err.value.arg) == ("Network.cost", "X")
    with pytest.raises(ShapeError) as err:
        net.gradients(np.ones((3, 4)), np.zeros((1, 3)))
    assert (err.value.op, err.value.arg) == ("Network.gradients", "T")
    from net import Flatten

    flat = Network([Flatten(), Dense(1)], (2, 3))
    assert flat.forward(np.ones((2, 3))).shape == (1,)
    assert flat.forward(np.ones((2, 3, 5))).shape == (1, 5)
    with pytest.raises(ShapeError) as err:
        flat.forward(np.ones((3, 2, 5)))
    assert "(2, 3, d)" in err.value.expected


@pytest.mark.parametrize(
    ("args", "arg"),
    [
        (([Dense(1)], (0,)), "input_shape"),
        (([Dense(1)], "3"), "input_shape"),
        (([], 3), "layers"),
        (([Dense(1), 3], 3), "layers"),
        (([Dense(1)], 3, "hinge"), "loss"),
        (([Dense(1)], 3, "squared_error", -1), "seed"),
        (([Dense(2)], 3, "cross_entropy"), "loss"),
        (([Dense(2, "softmax")], 3, "softmax_cross_entropy"), "loss"),
    ],
)
def test_bad_arguments_name_network(args, arg):
    with pytest.raises(InputError) as err:
        Network(*args)
    assert (err.value.op, err.value.arg) == ("Network", arg)


def test_output_must_be_a_vector():

    with pytest.raises(ShapeError, match="Flatten") as err:
        Network([Activation("tanh")], (2, 3))
    assert (err.value.op, err.value.arg) == ("Network", "layers")
    assert "Activation(layer 1)" in err.value.got
    Network([Dense(2, "softmax")], 3, "cross_entropy")  # paired as MLP pairs them


class _Named(Layer):
    """A layer whose local name ends in a digit: W1 of layer 1 meets W of layer 11."""

    def init(self, rng, in_shape, where):
        return {"W1": np.ones(1)}, in_shape


def test_clashing_parameter_names_are_refused():
    layers = [_Named(), *[Dense(1) for _ in range(10)]]
    with pytest.raises(InputError) as err:
        Network(layers, 1)
    assert "'W11'" in err.value.got and "Dense(layer 11)" in err.value.got


def test_memory_limit_refuses_before_drawing():
    before = dense_limit()
    set_dense_limit(10**6)
    try:
        with pytest.raises(DenseLimitError, match=r"Dense\(layer 2\) draws 1,000,000"):
            Network([Dense(1000), Dense(1000)], 100)
    finally:
        set_dense_limit(before)


# ----- compare and train take a Network -----
def test_compare_takes_a_network():
    net = Network([Dense(3, "tanh"), Residual([Dense(3, "sigmoid")]), Dense(1)], 2, seed=2)
    X = np.random.default_rng(0).normal(size=(2, 5))
    c = compare(net, X, np.sin(X[:1]))
    assert c.worst("jacobian", "shortcut") < 1e-12 and c.worst("jacobian", "numeric") < 1e-8
    assert set(c.to_dict()) == set(net.shapes)
    with pytest.raises(InputTypeError):
        compare("net", X, X)


@pytest.mark.parametrize("method", ["shortcut", "jacobian", "numeric"])
def test_train_decreases_the_cost(method):
    net = Network("dense:6:tanh,residual(dense:6:tanh,dense:6),dense:1", 1, seed=0)
    X = np.linspace(-2, 2, 12).reshape(1, -1)
    T = np.sin(X)
    h = train(net, X, T, lr=0.1, epochs=30, method=method, quiet=True)
    assert h.shape == (31,) and h[-1] < 0.5 * h[0]
    assert h[-1] == pytest.approx(net.cost(X, T), rel=1e-12)
