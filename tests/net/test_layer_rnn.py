"""The RNN layer: backprop through time by explicit Jacobians against the hand-written BPTT and
numeric differentiation, single samples and batches, and its errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jacobians import DenseLimitError
from net import Dense, Network
from net._layer_rnn import RNN
from reshape import InputError, ShapeError


def drawn(n, m, T, d, seed):
    rng = np.random.default_rng(seed)
    layer = RNN(n)
    P, out = layer.init(rng, (m, T), "RNN(layer 1)")
    P["b"] = 0.3 * rng.normal(size=n)
    X = rng.normal(size=(m, T, d))
    R = rng.normal(size=(n, d))
    return layer, P, X, R, out


def cost(layer, P, X, R):
    return np.sum(R * layer.forward(P, X).value)


@settings(max_examples=20)
@given(n=st.integers(1, 5), m=st.integers(1, 4), T=st.integers(1, 6), d=st.integers(1, 3),
       seed=st.integers(0, 2**16))  # fmt: skip
def test_jacobian_shortcut_and_numeric_agree(n, m, T, d, seed):
    layer, P, X, R, out = drawn(n, m, T, d, seed)
    assert out == (n,)
    cache = layer.forward(P, X)
    gj, xj = layer.jacobian_backward(P, cache, R)
    gs, xs = layer.shortcut_backward(P, cache, R)
    for p in ("W", "U", "b"):
        assert gj[p].shape == P[p].shape
        scale = max(np.abs(gs[p]).max(), 1e-300)
        assert np.abs(gj[p] - gs[p]).max() <= 1e-10 * scale, p
        h = 1e-20
        num = np.zeros(P[p].size)
        for i in range(P[p].size):
            Pc = {k: v.astype(complex) for k, v in P.items()}
            Pc[p].reshape(-1)[i] += 1j * h
            num[i] = cost(layer, Pc, X, R).imag / h
        np.testing.assert_allclose(gj[p].reshape(-1), num, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(xj, xs, rtol=1e-10, atol=1e-12)
    eps = 1e-6
    i = (0, T - 1, d - 1)
    Xp, Xm = X.copy(), X.copy()
    Xp[i] += eps
    Xm[i] -= eps
    num = (cost(layer, P, Xp, R) - cost(layer, P, Xm, R)) / (2 * eps)
    assert abs(xj[i] - num) <= 1e-6 * max(1.0, abs(num))


def test_one_step_is_rnn_step():
    layer, P, X, _, _ = drawn(3, 2, 1, 1, 0)
    v = layer.forward(P, X).value
    np.testing.assert_allclose(v[:, 0], np.tanh(P["U"] @ X[:, 0, 0] + P["b"]))


def test_factors_are_the_last_steps_labelled_jacobians():
    layer, P, X, _, _ = drawn(3, 2, 4, 1, 1)
    f = dict(layer.factors(P, layer.forward(P, X)))
    assert list(f) == ["∂h_4/∂h_3", "∂h_4/∂W", "∂h_4/∂U", "∂h_4/∂b", "∂h_4/∂x_4"]
    assert f["∂h_4/∂h_3"].closed_form == "diag(1 − h_4²) W"


def test_in_shape_must_be_a_sequence():
    with pytest.raises(ShapeError) as info:
        RNN(3).init(np.random.default_rng(0), (4,), "RNN(layer 2)")
    assert "RNN(layer 2)" in str(info.value) and info.value.arg == "in_shape"


def test_feature_count_mismatch_names_the_layer():
    layer, P, _, _, _ = drawn(3, 2, 4, 1, 1)
    with pytest.raises(ShapeError) as info:
        layer.forward(P, np.ones((5, 4, 1)))
    assert "RNN(layer 1)" in str(info.value) and info.value.arg == "X"


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_hidden_must_be_a_positive_whole_number(bad):
    with pytest.raises(InputError, match="RNN"):
        RNN(bad)


def test_in_a_network_the_three_gradients_agree():
    from net._dense import Dense
    from net._network import Network

    net = Network([RNN(4), Dense(2)], (3, 5))
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(3, 5, 4)), rng.normal(size=(2, 4))
    gj, gs = net.gradients(X, T, "jacobian"), net.gradients(X, T, "shortcut")
    gn = net.gradients(X, T, "numeric")
    for k in gs:
        assert np.abs(gj[k] - gs[k]).max() <= 1e-10 * np.abs(gs[k]).max()
        np.testing.assert_allclose(gn[k], gs[k], rtol=1e-6, atol=1e-10)
    f = net.factors(X[:, :, 0], T[:, 0], "W1")
    np.testing.assert_allclose(
        f.gradient(), net.gradients(X[:, :, :1], T[:, :1], "shortcut")["W1"], atol=1e-14
    )


@pytest.mark.parametrize(("hidden", "shape"), [(10**20, (2, 3)), (2, (10**20, 3))])
def test_sizes_past_int64_are_refused_by_the_draws_limit_naming_the_layer(hidden, shape):
    """The draws' scales 1/√n and 1/√m are taken of floats: numpy's sqrt fails on an int past
    int64, before the limit could refuse the draw."""
    with pytest.raises(DenseLimitError, match=r"RNN\(layer 1\)"):
        Network([RNN(hidden), Dense(1)], shape)


def test_the_shape_hint_is_true_an_rnn_reads_looked_up_vectors_not_an_embedding():
    """An Embedding's tokens are its samples, (dim,) each, so an RNN after it is refused; the
    hint's way round, the ids' columns of E looked up beforehand as one (dim, T) sample, runs."""
    with pytest.raises(ShapeError, match=r"RNN\(layer 2\)") as err:
        Network("embedding:9x3,rnn:4,dense:2", ())
    hint = err.value.hint or ""
    assert "cannot follow an embedding" in hint and "E[:, ids]" in hint and "(n, T)" not in hint
    E, ids = np.random.default_rng(0).normal(size=(3, 9)), np.array([4, 0, 8, 2, 2])
    net = Network("rnn:4,dense:2", (3, len(ids)), seed=0)
    assert net.forward(E[:, ids]).shape == (2,)
