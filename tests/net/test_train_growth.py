"""train warns when the loss grows far past its start without leaving floating-point range."""

import warnings

import numpy as np
import pytest

from net import MLP, LossGrowthWarning, sine_data, sine_demo, train


def test_a_loss_that_grows_past_100_times_its_start_is_warned_about():
    X, T = sine_data()
    mlp = MLP([1, 8, 8, 1], ["tanh", "tanh", "identity"], seed=0)
    with pytest.warns(LossGrowthWarning) as caught:
        h = train(mlp, X, T, lr=2.0, epochs=60, clip=1.0, quiet=True)
    assert len(caught) == 1  # once, when the run ends
    w = caught[0].message
    assert caught[0].filename == __file__  # it points at the caller's line
    assert w.start == h[0] and w.peak == h.max() and w.end == h[-1]
    assert w.epoch == int(np.argmax(h)) and w.peak > LossGrowthWarning.FACTOR * w.start
    assert (w.lr, w.clip) == (2.0, 1.0)
    text = str(w)
    assert text.startswith("train: the loss grew to 192× its start (0.0695 → 13.4 at epoch 8")
    assert text.endswith("lower the learning rate (lr = 2) or the clip (1)")


def test_without_a_clip_the_hint_suggests_one():
    X = np.linspace(-1, 1, 8).reshape(1, -1)
    mlp = MLP([1, 1], ["identity"], seed=0)
    mlp["W1"], mlp["b1"] = np.array([[0.9]]), np.array([0.0])
    with pytest.warns(LossGrowthWarning, match=r"clip the gradients \(clip=…\)"):
        h = train(mlp, X, np.zeros((1, 8)), lr=9.0, epochs=8, quiet=True)
    assert np.isfinite(h).all() and h[-1] > 100 * h[0]


@pytest.mark.parametrize("lr", [0.05, 1.0])  # at lr 1 the loss rises to 6.6× and comes back
def test_a_run_that_rises_a_little_or_not_at_all_is_silent(lr):
    with warnings.catch_warnings():
        warnings.simplefilter("error", LossGrowthWarning)
        _, h = sine_demo(epochs=300, lr=lr, quiet=True)
    assert h.max() < LossGrowthWarning.FACTOR * h[0]


def test_a_start_at_zero_loss_is_not_a_growth():
    mlp = MLP([1, 1], ["identity"], seed=0)
    mlp["W1"], mlp["b1"] = np.array([[0.0]]), np.array([0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", LossGrowthWarning)
        h = train(mlp, np.ones((1, 2)), np.zeros((1, 2)), lr=0.1, epochs=3, quiet=True)
    assert (h == 0).all()
