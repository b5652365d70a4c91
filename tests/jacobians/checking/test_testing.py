"""jacobians.testing: the pytest assertion, and strategies that check their arguments at once."""

import numpy as np
import pytest
from hypothesis import given, settings

import jacobians.testing as jt
from jacobians import Layer, numeric
from jacobians.testing import arrays, assert_jacobian_close, forward, networks, shapes
from reshape import InputError


def test_public_names():
    assert set(jt.__all__) == {"arrays", "assert_jacobian_close", "forward", "networks", "shapes"}


def test_assert_passes_silently_and_fails_with_the_report():
    W, x = np.arange(6.0).reshape(2, 3) / 6, np.array([1.0, -2.0, 0.5])

    def f(W):
        return 0.5 * np.sum(np.tanh(W @ x) ** 2)

    t = np.tanh(W @ x)
    grad = np.outer(t * (1 - t**2), x)
    assert assert_jacobian_close(f, W, grad) is None
    with pytest.raises(AssertionError) as e:
        assert_jacobian_close(f, W, grad.T)
    msg = str(e.value)
    assert "does NOT match" in msg and "diagnosis (transposed)" in msg and "claimed" in msg
    layer = Layer("tanh", pre=lambda W: W @ x, post=lambda a: 0.5 * np.sum(a**2))
    with pytest.raises(AssertionError, match="of tanh is missing"):
        assert_jacobian_close(f, W, np.outer(t, x), layer=layer)


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: shapes(min_side=3, max_side=2), ["min_side=3 is larger", "max_side=2"]),
        (lambda: shapes(min_dims=2, max_dims=1), ["min_dims=2"]),
        (lambda: shapes(max_side=0), ["≥ 1"]),
        (lambda: shapes(min_side=1.5), ["an int"]),
        (lambda: arrays((2, 0)), ["'shape'"]),
        (lambda: arrays((2,), scale=0), ["'scale'"]),
        (lambda: arrays((2,), scale=1.0, min_magnitude=2.0), ["min_magnitude=2.0 is larger"]),
        (lambda: arrays(3), ["tuple of sizes"]),
        (lambda: networks(min_layers=0), ["min_layers"]),
        (lambda: networks(min_width=5, max_width=4), ["min_width=5 is larger"]),
        (lambda: networks(activations=["softmax"]), ["elementwise", "'softmax'"]),
        (lambda: networks(activations="tanh"), ["sequence"]),
    ],
)
def test_strategies_check_arguments_when_built(build, words):
    with pytest.raises(InputError) as e:
        build()
    for w in words:
        assert w in str(e.value)


@settings(max_examples=25)
@given(shape=shapes(min_dims=2, max_dims=3, max_side=3), data=arrays((4,), min_magnitude=0.1))
def test_shapes_and_arrays_respect_their_bounds(shape, data):
    assert 2 <= len(shape) <= 3 and all(1 <= s <= 3 for s in shape)
    assert data.dtype == np.float64 and np.all((np.abs(data) >= 0.1) & (np.abs(data) <= 1.0))


@settings(max_examples=25)
@given(layers=networks(max_layers=3, max_width=3), x=arrays((3,), scale=2.0))
def test_a_users_property_test_backprop_of_the_last_layer(layers, x):
    """What a user writes: their hand-derived gradient of the last W, on random networks."""
    x = np.resize(x, layers[0][0].shape[1])
    *first, (W, b, act) = layers
    h = forward(first, x) if first else x
    from jacobians import OPERATIONS

    op = OPERATIONS[act]

    def cost(W_):
        return 0.5 * np.sum(forward([*first, (W_, b, act)], x) ** 2)

    zL = W @ h + b
    grad = np.outer(op.fn(zL) * op.deriv(zL), h)  # (a ⊙ σ′(z)) hᵀ
    assert_jacobian_close(cost, W, grad)


def test_forward_matches_a_chain_of_layers_and_is_complex_safe():
    layers = [(np.ones((2, 3)), np.zeros(2), "tanh"), (np.ones((1, 2)), np.ones(1), "sigmoid")]
    x = np.array([0.1, 0.2, 0.3])
    out = forward(layers, x)
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-(2 * np.tanh(0.6) + 1))))
    assert numeric(lambda v: forward(layers, v), x, "auto").method == "complex"
    assert forward(layers, np.ones((3, 5))).shape == (1, 5)
    with pytest.raises(InputError, match="layer 0"):
        forward(layers, np.ones(2))
