"""Points where the network's numbers leave floating-point range (a layer's z, the loss, its
gradient or a backward step) are refused with one clear error, the same from every gradient
method, from ``train`` (as the NonFiniteLossError of the epoch) and, where the loss itself is not
finite, from ``MLP.cost``: never NaN gradients or a RuntimeWarning (filterwarnings = error)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jacobians import Elementwise, register_activation, unregister
from net import MLP, NonFiniteLossError, train
from reshape import InputError

METHODS = ("jacobian", "shortcut", "numeric")


def _net(sizes, activations, loss="squared_error", **params):
    net = MLP(sizes, activations, loss)
    for name, value in params.items():
        net[name] = value
    return net


ONE, ZERO = np.array([[1.0]]), np.array([[0.0]])
# (name, net, X, T, whether the loss itself is not finite there, words of the message)
POINTS = [
    ("softmax saturated to 0 under cross-entropy",
     _net([2, 3], ["softmax"], "cross_entropy", W1=[[1e3, 0], [-1e3, 0], [0, 0]]),
     np.array([1.0, 0.0]), np.array([0.0, 1.0, 0.0]), True,
     ["'cross_entropy'", "y⁽¹⁾", "log a would be −∞", "index (1, 0)", "'softmax_cross_entropy'"]),
    ("softmax subnormal under cross-entropy: t ⊘ a overflows",
     _net([2, 3], ["softmax"], "cross_entropy", W1=[[700.0, 0], [-13.0, 0], [0, 0]]),
     np.array([1.0, 0.0]), np.array([0.0, 1.0, 0.0]), False,
     ["'cross_entropy'", "−y ⊘ a", "overflows", "'softmax_cross_entropy'"]),
    ("a layer's z overflows",
     _net([1, 1], ["identity"], W1=[[1e300]]), np.array([[1e10]]), ZERO, True,
     ["z⁽¹⁾ = W⁽¹⁾y⁽⁰⁾ + b⁽¹⁾", "largest |W⁽¹⁾| = 1e+300", "largest |y⁽⁰⁾| = 1e+10"]),
    ("squared error overflows",
     _net([1, 1], ["identity"], W1=[[1e200]], b1=[0.0]), ONE, np.array([[-1e200]]), True,
     ["'squared_error'", "½‖a − y‖²", "1e+200"]),
    ("softmax cross-entropy of logits 2e308 apart",
     _net([2, 3], ["identity"], "softmax_cross_entropy", W1=[[1e308, 0], [-1e308, 0], [0, 0]]),
     np.array([1.0, 0.0]), np.array([0.0, 1.0, 0.0]), True,
     ["'softmax_cross_entropy'", "overflows", "1e+308"]),
    ("a weight gradient δyᵀ overflows while the loss is finite",
     _net([1, 2, 1], ["identity", "identity"], W1=[[1e250], [1e250]], b1=[0.0, 0.0],
          W2=[[1e-150, 1e-150]], b2=[0.0]), ONE, ZERO, False,
     ["∂C/∂W2", "overflowing", "largest |y⁽¹⁾| = 1e+250"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("net", "X", "T", "infinite_loss", "words"), [p[1:] for p in POINTS], ids=[p[0] for p in POINTS]
)
def test_every_method_and_train_give_the_same_error(net, X, T, infinite_loss, words):
    errors = {}
    for method in METHODS:
        with pytest.raises(InputError) as info:
            net.gradients(X, T, method)
        errors[method] = info.value
    first = errors["jacobian"]
    assert {str(e) for e in errors.values()} == {str(first)}, errors
    assert str(first).startswith("MLP.gradients: bad argument 'X'.")
    for word in words:
        assert word in str(first), str(first)
    with pytest.raises(InputError) as info:  # the shortcut's record of the backward pass too
        net.backprop(X, T)
    assert info.value.got == first.got
    before = net.params
    for method in ("shortcut", "jacobian"):
        with pytest.raises(NonFiniteLossError, match=r"initial loss.*nothing was changed") as info:
            train(net, X, T, lr=0.1, epochs=3, method=method, quiet=True)
        err = info.value
        assert isinstance(err, InputError) and err.epoch == 0 and err.cause is not None
        assert (err.arg, err.expected, err.got, err.hint) == (
            first.arg,
            first.expected,
            first.got,
            first.hint,
        )
    for k, v in before.items():
        np.testing.assert_array_equal(net[k], v)
    if infinite_loss:
        with pytest.raises(InputError) as info:
            net.cost(X, T)
        assert info.value.got == first.got and str(info.value).startswith("MLP.cost:")
    else:
        assert np.isfinite(net.cost(X, T))


def test_a_step_that_saturates_the_softmax_stops_training_with_the_point_error():
    net = MLP([2, 3], ["softmax"], "cross_entropy", seed=1)
    X, T = np.array([[1.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 0], [0, 1], [0, 0]])
    with pytest.raises(NonFiniteLossError, match=r"epoch (\d+)") as info:
        train(net, X, T, lr=1e5, epochs=20, quiet=True)
    err = info.value
    assert err.epoch >= 1 and len(err.history) == err.epoch and np.isfinite(err.history).all()
    assert "lower the learning rate" in err.hint and "'softmax_cross_entropy'" in err.hint
    with pytest.raises(InputError) as again:  # the restored parameters, stepped once more
        step = MLP([2, 3], ["softmax"], "cross_entropy", seed=1)
        train(step, X, T, lr=1e5, epochs=err.epoch - 1, quiet=True)
        g = step.gradients(X, T)
        step.params = {k: v - 1e5 * g[k] for k, v in step.params.items()}
        step.gradients(X, T, "jacobian")
    assert again.value.got == err.got and again.value.expected == err.expected


SCALES = [1e-300, 1e-150, 1.0, 1e100, 1e150, 1e200, 1e300]


@given(
    sizes=st.lists(st.integers(1, 3), min_size=2, max_size=4),
    act=st.sampled_from(["tanh", "identity", "relu", "sigmoid", "softplus"]),
    loss=st.sampled_from(["squared_error", "softmax_cross_entropy", "cross_entropy"]),
    scales=st.lists(st.sampled_from(SCALES), min_size=8, max_size=8),
    seed=st.integers(0, 100),
)
def test_huge_or_tiny_points_are_finite_or_refused_alike(sizes, act, loss, scales, seed):
    """Parameters, inputs and targets scaled to extremes: the chain and the shortcut both give
    finite gradients (and agree), or both give the same error, and the numeric one gives it too.
    """
    acts = [act] * (len(sizes) - 1)
    acts[-1] = "softmax" if loss == "cross_entropy" else "identity"
    net = MLP(sizes, acts, loss, seed=seed)
    rng = np.random.default_rng(seed)
    net.params = {k: v * scales[i % 6] for i, (k, v) in enumerate(net.params.items())}
    X = rng.normal(size=(sizes[0], 2)) * scales[6]
    T = rng.normal(size=(sizes[-1], 2)) * scales[7]
    if loss != "squared_error":  # probability columns
        T = rng.random((sizes[-1], 2)) + 0.01
        T /= T.sum(axis=0)
    outcome = {}
    for method in ("jacobian", "shortcut"):
        try:
            outcome[method] = net.gradients(X, T, method)
        except InputError as err:
            outcome[method] = str(err)
    a, b = outcome["jacobian"], outcome["shortcut"]
    if isinstance(a, str) or isinstance(b, str):
        assert a == b
        with pytest.raises(InputError) as info:
            net.gradients(X, T, "numeric")
        assert str(info.value) == a
    else:
        for k in a:
            assert np.isfinite(a[k]).all()
            np.testing.assert_allclose(a[k], b[k], rtol=1e-9, atol=1e-300)


CBRT = Elementwise(  # a = ∛z: finite everywhere, σ′ = 1/(3∛z²) infinite at z = 0
    "cbrt_test",
    np.cbrt,
    lambda z, a: 1 / (3 * a * a),
    "∛z",
    "1/(3 ∛$z²)",
    "The cube root, whose slope is infinite at 0.",
)


def test_an_infinite_slope_is_refused_alike_by_both_methods_and_by_name_alone():
    """The jacobian gradient leaves σ′ untested (a NaN or infinity in σ′ reaches δ, which it
    tests as the shortcut does), so both methods give one error; the operation on its own still
    refuses its derivative by name."""
    cbrt = register_activation(CBRT)
    try:
        net = _net([1, 1, 1], ["cbrt_test", "identity"], W1=[[1.0]], b1=[0.0])
        errors = []
        for method in ("jacobian", "shortcut"):
            with pytest.raises(InputError) as info:
                net.gradients(np.array([[0.0]]), ONE, method)
            errors.append(str(info.value))
        assert errors[0] == errors[1] and "∂C/∂" in errors[0], errors
        with pytest.raises(InputError, match=r"derivative cbrt_test′\(z\)"):
            cbrt(np.zeros(1)).jacobians["z"]
        assert np.isfinite(net.gradients(np.array([[1.0]]), ONE, "jacobian")["W1"]).all()
    finally:
        unregister("cbrt_test")
