"""Dense, Activation, Residual and Flatten in a Network: the three gradients agree, the
residual's Jacobian is I + J_f, flatten's is the identity, and bad layers are refused by name."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings

from jacobians import DenseLimitError, numeric
from net import Activation, Dense, Flatten, Network, Residual
from net._compare import differences
from net._network_run import run
from reshape import InputError, ShapeError

from .network_strategies import kink_distance, layer_networks


def _agree(a: dict, b: dict, rtol: float, what: str, atol: float = 1e-14) -> None:
    assert a.keys() == b.keys()
    for p in a:
        assert a[p].shape == b[p].shape, (what, p)
        diff, rel = differences(a[p], b[p])
        assert rel <= rtol or diff <= atol, f"{what}, {p}: abs {diff:.3e}, rel {rel:.3e}"


@settings(max_examples=40)
@given(layer_networks())
def test_jacobian_equals_shortcut(case):
    net, X, T = case
    _agree(net.gradients(X, T, "jacobian"), net.gradients(X, T, "shortcut"), 1e-10, "jac/short")


@settings(max_examples=30)
@given(layer_networks(max_width=4, max_batch=3))
def test_both_equal_numeric(case):
    net, X, T = case
    assume(kink_distance(net, X) > 1e-3)  # central differences stay off relu's kink
    num = net.gradients(X, T, "numeric")
    atol = 1e-9 * max(1.0, abs(net.cost(X, T)))
    _agree(net.gradients(X, T, "jacobian"), num, 1e-6, "jacobian/numeric", atol)
    _agree(net.gradients(X, T, "shortcut"), num, 1e-6, "shortcut/numeric", atol)


@settings(max_examples=20)
@given(layer_networks(max_width=4, max_batch=3))
def test_factors_multiply_to_the_gradient(case):
    net, X, T = case
    grads = net.gradients(X, T, "jacobian")
    for name in net.shapes:
        _agree({name: net.factors(X, T, name).gradient()}, {name: grads[name]}, 1e-10, name)


def test_one_sample_is_a_batch_of_one():
    net = Network([Flatten(), Dense(3, "tanh"), Residual([Dense(3, "sigmoid")]), Dense(2)], (2, 3))
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(2, 3)), rng.normal(size=2)
    assert net.forward(x).shape == (2,)
    np.testing.assert_array_equal(net.forward(x), net.forward(x[..., None])[:, 0])
    for method in ("jacobian", "shortcut", "complex"):
        one, batch = net.gradients(x, t, method), net.gradients(x[..., None], t[:, None], method)
        _agree(one, batch, 0.0, method, atol=0.0)


# ----- the residual block: x + f(x), Jacobian I + J_f -----
def _residual_case(d: int) -> tuple[Network, np.ndarray, list, np.ndarray]:
    block = Residual([Dense(5, "tanh"), Dense(3, "sigmoid")])
    net = Network([block, Dense(1)], (3,), seed=3)
    X = np.random.default_rng(d).normal(size=(3, d))
    caches, _ = run(net, net._params, X, "test")
    P = {local: net[name] for local, name in net._names[0].items()}
    return net, X, caches, P


@pytest.mark.parametrize("d", [1, 3])
def test_residual_jacobian_is_identity_plus_f(d):
    net, X, caches, P = _residual_case(d)
    block = net.layers[0]
    ((name, J),) = block.chain(P, caches[0], None)
    assert name == "∂y/∂x" and J.kind == "sum" and J.closed_form == f"I_{3 * d} + ∂f/∂x"

    def f(x):  # f alone, the block's sub-layers
        y = x
        for layer, local in zip(
            block.layers,
            ({"W": P["W.1"], "b": P["b.1"]}, {"W": P["W.2"], "b": P["b.2"]}),
            strict=True,
        ):
            y = layer.forward(local, y).value
        return y

    J_f = numeric(f, X, method="complex").matrix
    np.testing.assert_allclose(J.matrix - np.eye(3 * d), J_f, rtol=1e-12, atol=1e-14)
    # and the block's value is x + f(x)
    np.testing.assert_allclose(caches[0].value, X + f(X), rtol=0, atol=1e-15)


def test_residual_backward_adds_the_identity_path():
    net, _, caches, P = _residual_case(2)
    block, G = net.layers[0], np.random.default_rng(9).normal(size=(3, 2))
    for step in (block.jacobian_backward, block.shortcut_backward):
        _, dx = step(P, caches[0], G)
        inner = {"W": P["W.2"], "b": P["b.2"]}
        _, through = block.layers[1].shortcut_backward(inner, caches[0].caches[1], G)
        _, through = block.layers[0].shortcut_backward(
            {"W": P["W.1"], "b": P["b.1"]}, caches[0].caches[0], through
        )
        np.testing.assert_allclose(dx, G + through, rtol=1e-13, atol=1e-15)


def test_residual_parameters_are_named_by_position():
    inner = Residual([Dense(2, "tanh"), Residual([Dense(4, "relu"), Dense(2)])])
    net = Network([Dense(2), inner, Dense(1)], 3)
    assert list(net.shapes) == [
        "W1",
        "b1",
        "W2.1",
        "b2.1",
        "W2.2.1",
        "b2.2.1",
        "W2.2.2",
        "b2.2.2",
        "W3",
        "b3",
    ]
    assert net.shapes["W2.2.1"] == (4, 2)
    names = net.factors(np.ones(3), np.zeros(1), "W2.2.1").names
    assert names[-2:] == ("∇σ [2.2.1]", "∂z/∂W [2.2.1]")


def test_residual_refuses_f_of_another_shape():
    with pytest.raises(ShapeError) as err:
        Network([Dense(3), Residual([Dense(4, "tanh")]), Dense(1)], 2)
    e = err.value
    assert (e.op, e.arg) == ("Residual(layer 2)", "layers")
    assert "(3,)" in e.expected and "(4,)" in e.got and "Dense(3)" in e.hint


def test_residual_sub_layer_errors_name_their_place():
    with pytest.raises(ShapeError) as err:
        Network([Flatten(), Residual([Flatten(), Dense(2)])], (2, 3))
    assert err.value.op == "Residual(layer 2)"  # (6,) in, (2,) out
    with pytest.raises(ShapeError) as err:
        Network([Residual([Activation("tanh"), Dense(2)]), Flatten(), Dense(1)], (2, 3))
    assert err.value.op == "Dense(layer 1.2)" and err.value.arg == "in_shape"


# ----- flatten and activation on (C, L) samples -----
@pytest.mark.parametrize("d", [1, 4])
def test_flatten_is_a_reshape_with_identity_jacobian(d):
    net = Network([Activation("tanh"), Flatten(), Dense(2)], (2, 3))
    X = np.random.default_rng(0).normal(size=(2, 3, d))
    caches, _ = run(net, net._params, X, "test")
    np.testing.assert_array_equal(caches[1].value, np.tanh(X).reshape(6, d))
    ((_, J),) = net.layers[1].factors({}, caches[1])
    assert J.kind == "identity" and J.in_shape == (2, 3, d) and J.out_shape == (6, d)
    G = np.arange(6.0 * d).reshape(6, d)
    for step in (net.layers[1].jacobian_backward, net.layers[1].shortcut_backward):
        np.testing.assert_array_equal(step({}, caches[1], G)[1], G.reshape(2, 3, d))


def test_activation_acts_entrywise_on_any_shape():
    net = Network([Activation("sigmoid"), Flatten(), Dense(1)], (2, 2, 2))
    X = np.random.default_rng(1).normal(size=(2, 2, 2, 3))
    caches, _ = run(net, net._params, X, "test")
    np.testing.assert_allclose(caches[0].value, 1 / (1 + np.exp(-X)), rtol=1e-15)


def test_softmax_needs_a_vector_per_sample():
    with pytest.raises(ShapeError) as err:
        Network([Activation("softmax"), Flatten(), Dense(1)], (2, 3))
    assert (err.value.op, err.value.arg) == ("Activation(layer 1)", "in_shape")


def test_dense_needs_a_vector_per_sample():
    with pytest.raises(ShapeError) as err:
        Network([Dense(2)], (2, 3))
    assert (err.value.op, err.value.arg) == ("Dense(layer 1)", "in_shape")
    assert "Flatten()" in err.value.hint


@pytest.mark.parametrize(
    ("make", "arg"),
    [
        (lambda: Dense(0), "n"),
        (lambda: Dense(2.5), "n"),
        (lambda: Dense(True), "n"),
        (lambda: Dense(2, "swish"), "activation"),
        (lambda: Activation("swish"), "activation"),
        (lambda: Activation(3), "activation"),
        (lambda: Residual([]), "layers"),
        (lambda: Residual(Dense(2)), "layers"),
        (lambda: Residual([Dense(2), "relu"]), "layers"),
    ],
)
def test_bad_layer_arguments(make, arg):
    with pytest.raises(InputError) as err:
        make()
    assert err.value.arg == arg
    assert err.value.op in ("Dense", "Activation", "Residual")


def test_reprs():
    block = Residual([Dense(3, "relu"), Dense(2)])
    assert repr(block) == "Residual([Dense(3, 'relu'), Dense(2)])"
    assert repr(Activation("tanh")) == "Activation('tanh')" and repr(Flatten()) == "Flatten()"


def test_a_width_past_int64_is_refused_by_the_draws_limit_naming_the_layer():
    """The draw's scale 1/√m is taken of a float: numpy's sqrt fails on an int past int64."""
    with pytest.raises(DenseLimitError, match=r"Dense\(layer 1\)"):
        Network([Dense(2)], (10**20,))
