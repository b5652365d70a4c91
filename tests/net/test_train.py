"""Training: the sine demo, jacobian vs shortcut histories, clipping, non-finite loss, the bar."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

import net._train as train_module
from jacobians import DenseLimitError, set_dense_limit
from net import MLP, LossGrowthWarning, NonFiniteLossError, sine_data, sine_demo, train
from reshape import InputError, InputTypeError


def test_sine_demo_reaches_mse_below_1e_3():
    mlp, history = sine_demo(quiet=True)
    X, T = sine_data()
    mse = float(np.mean((mlp.forward(X) - T) ** 2))
    assert mse < 1e-3
    assert 2 * history[-1] == pytest.approx(mse, rel=1e-12)  # C = MSE / 2
    fine = np.linspace(-np.pi, np.pi, 401).reshape(1, -1)
    assert float(np.mean((mlp.forward(fine) - np.sin(fine)) ** 2)) < 1e-3  # between the samples too


def test_jacobian_follows_the_shortcut_loss_history():
    _, short = sine_demo(epochs=300, quiet=True)
    _, jac = sine_demo(epochs=300, method="jacobian", quiet=True)
    np.testing.assert_allclose(jac, short, rtol=1e-10, atol=0)
    assert short[-1] < short[0]


def test_jacobian_follows_the_shortcut_on_a_classifier():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 12))
    T = np.eye(4)[:, rng.integers(0, 4, size=12)]
    hist = {}
    for method in ("shortcut", "jacobian"):
        mlp = MLP([3, 6, 4], ["leaky_relu", "identity"], "softmax_cross_entropy", seed=2)
        hist[method] = train(mlp, X, T, lr=0.5, epochs=60, method=method, quiet=True)
    np.testing.assert_allclose(hist["jacobian"], hist["shortcut"], rtol=1e-10, atol=0)
    assert hist["shortcut"][-1] < 0.8 * hist["shortcut"][0]


def test_numeric_training_takes_the_same_steps():
    X, T = sine_data(8)
    h = {}
    for method in ("shortcut", "numeric"):
        mlp = MLP([1, 3, 1], ["tanh", "identity"])
        h[method] = train(mlp, X, T, lr=0.1, epochs=5, method=method, quiet=True)
    np.testing.assert_allclose(h["numeric"], h["shortcut"], rtol=1e-12)


def test_non_finite_loss_stops_and_keeps_the_parameters_before_the_bad_step():
    X = np.linspace(-3, 3, 10).reshape(1, -1)
    T = 1e3 * X
    mlp = MLP([1, 4, 1], ["identity", "identity"], seed=0)
    with pytest.raises(NonFiniteLossError, match=r"epoch (\d+)") as info:
        train(mlp, X, T, lr=10.0, epochs=1000, quiet=True)
    err = info.value
    assert err.epoch >= 1 and not np.isfinite(err.loss)
    assert len(err.history) == err.epoch and np.isfinite(err.history).all()
    assert "lower the learning rate" in str(err)
    # the same run stopped one epoch earlier gives exactly these parameters
    again = MLP([1, 4, 1], ["identity", "identity"], seed=0)
    with pytest.warns(LossGrowthWarning, match="lower the learning rate"):  # finite, but 1e168×
        h = train(again, X, T, lr=10.0, epochs=err.epoch - 1, quiet=True)
    np.testing.assert_array_equal(h, err.history)
    for k, v in again.params.items():
        np.testing.assert_array_equal(mlp[k], v)


def test_non_finite_initial_loss():
    mlp = MLP([1, 1], ["identity"])
    mlp["W1"] = np.array([[1e300]])
    with pytest.raises(NonFiniteLossError, match=r"initial loss.*nothing was changed"):
        train(mlp, np.array([[1e10]]), np.array([[0.0]]), lr=0.1, epochs=3, quiet=True)
    assert mlp["W1"][0, 0] == 1e300


def test_clipping_bounds_every_step():
    X, T = sine_data(16)
    T = 50 * T  # large residuals, large gradients
    mlp = MLP([1, 5, 1], ["tanh", "identity"])
    before = mlp.params
    grads = mlp.gradients(X, T)
    assert max(np.linalg.norm(g) for g in grads.values()) > 1.0
    train(mlp, X, T, lr=0.1, epochs=1, clip=0.5, quiet=True)
    for k, g in grads.items():
        step = (before[k] - mlp[k]) / 0.1
        norm = np.linalg.norm(g)
        want = g * (0.5 / norm) if norm > 0.5 else g
        np.testing.assert_allclose(step, want, rtol=1e-9, atol=1e-15)
        assert np.linalg.norm(step) <= 0.5 * (1 + 1e-12)
    # a bound no gradient reaches changes nothing
    a, b = MLP([1, 5, 1], ["tanh", "identity"]), MLP([1, 5, 1], ["tanh", "identity"])
    ha = train(a, X, T, lr=0.01, epochs=5, quiet=True)
    hb = train(b, X, T, lr=0.01, epochs=5, clip=1e9, quiet=True)
    np.testing.assert_array_equal(ha, hb)


def test_history_starts_before_the_first_step():
    mlp = MLP([1, 1], ["identity"])
    X, T = np.ones((1, 2)), np.zeros((1, 2))
    c0 = mlp.cost(X, T)
    h = train(mlp, X, T, lr=0.1, epochs=0)
    assert h.shape == (1,) and h[0] == c0
    h = train(mlp, X, T, lr=0.1, epochs=2, quiet=True)
    assert h[0] == c0 and h[-1] == mlp.cost(X, T)


@pytest.mark.parametrize(
    "kw, pattern",
    [
        ({"lr": 0.0}, r"'lr'.*\n.*> 0.*\n.*0.0"),
        ({"lr": -0.1}, r"'lr'.*\n.*> 0"),
        ({"lr": float("nan")}, r"'lr'.*\n.*finite"),
        ({"lr": "0.1"}, r"'lr'"),
        ({"epochs": -1}, r"'epochs'.*\n.*≥ 0"),
        ({"epochs": 2.0}, r"'epochs'"),
        ({"method": "adam"}, r"'method'.*\n.*'shortcut'.*\n.*'adam'"),
        ({"clip": 0}, r"'clip'.*\n.*> 0"),
        ({"X": np.array([[np.nan, 0.0]])}, r"'X'.*\n.*finite"),
        ({"T": np.ones((1, 3))}, r"'T'.*\n.*\(1, 2\)"),
        ({"mlp": "net"}, r"'mlp'"),
    ],
)
def test_bad_training_arguments(kw, pattern):
    args = {
        "mlp": MLP([1, 2, 1], ["tanh", "identity"]),
        "X": np.ones((1, 2)),
        "T": np.zeros((1, 2)),
        "lr": 0.1,
        "epochs": 2,
    }
    args.update(kw)
    with pytest.raises(InputError, match=pattern):
        train(**args, quiet=True)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_only(monkeypatch):
    monkeypatch.setattr(train_module, "_DELAY", 0.0)
    monkeypatch.setattr(train_module, "_EVERY", 0.0)
    X, T = sine_data(8)
    args = (X, T, 0.05, 20)
    tty = _Terminal()
    train(MLP([1, 3, 1], ["tanh", "identity"]), *args, stream=tty)
    out = tty.getvalue()
    assert out.startswith("\rtrain [") and out.endswith("\n") and "20/20" in out and "loss" in out
    quiet = _Terminal()
    train(MLP([1, 3, 1], ["tanh", "identity"]), *args, stream=quiet, quiet=True)
    assert quiet.getvalue() == ""
    pipe = io.StringIO()
    train(MLP([1, 3, 1], ["tanh", "identity"]), *args, stream=pipe)
    assert pipe.getvalue() == ""


def test_short_runs_stay_silent_even_on_a_terminal():
    tty = _Terminal()
    X, T = sine_data(8)
    train(MLP([1, 3, 1], ["tanh", "identity"]), X, T, 0.05, 3, stream=tty)
    assert tty.getvalue() == ""


def test_sine_demo_arguments():
    with pytest.raises(InputError, match="'sizes'"):
        sine_demo(sizes=(2, 4, 1), epochs=1)
    with pytest.raises(InputError, match="'d'"):
        sine_data(1)


def _run(**kw):
    args = {"lr": 0.1, "epochs": 2, "quiet": True}
    args.update(kw)
    mlp = MLP([1, 4, 1], ["tanh", "identity"])
    X = np.linspace(-1, 1, 5).reshape(1, -1)
    return mlp, lambda: train(mlp, X, np.sin(X), **args)


def test_an_epoch_count_whose_history_passes_the_memory_limit_is_refused_before_any_work():
    mlp, run = _run(epochs=10**10)  # the history alone: 74.5 GiB
    before = mlp.params
    with pytest.raises(DenseLimitError, match=r"^train: .*epochs = 10,000,000,000") as err:
        run()
    assert err.value.needed == 8 * (10**10 + 1)
    assert all(np.array_equal(before[k], v) for k, v in mlp.params.items())  # no step taken
    limit = set_dense_limit(8 * 100)  # the session's limit is the one weighed: 99 epochs fit
    try:
        assert len(_run(epochs=99)[1]()) == 100
        with pytest.raises(DenseLimitError, match="epochs = 100 "):
            _run(epochs=100)[1]()
    finally:
        set_dense_limit(limit)


_NOT_REAL = [0.1 + 0j, np.complex128(0.1), 1j, True, np.bool_(True), "0.1", [0.1]]


@pytest.mark.parametrize(
    ("arg", "bad"), [(a, b) for a in ("lr", "clip") for b in _NOT_REAL] + [("lr", None)]
)
def test_lr_and_clip_must_be_real_numbers(arg, bad):
    """A complex number is refused by name even with 0j imaginary (it was a TypeError from <=,
    or a ComplexWarning and its real part); so are booleans and text (clip=None: no clip)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputTypeError, match=rf"^train: bad argument '{arg}'") as err:
            _run(**{arg: bad})[1]()
    assert "real number > 0" in err.value.expected


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(10**400, id="10**400"),
        pytest.param(-(10**400), id="-10**400"),
        float("inf"),
        -1,
        0,
    ],
)
def test_lr_out_of_range_is_refused_by_name(bad):
    with pytest.raises(InputError, match=r"^train: bad argument 'lr'") as err:
        _run(lr=bad)[1]()
    assert len(err.value.got) < 60  # an int of 400 digits is described, not printed


@pytest.mark.parametrize("good", [1, np.float32(0.1), np.int64(1), np.float64(0.1)])
def test_lr_and_clip_take_every_real_type(good):
    assert len(_run(lr=good, clip=good)[1]()) == 3


@pytest.mark.parametrize("bad", [2.0, True, np.bool_(False), "2", None, float("inf"), 2 + 0j])
def test_epochs_must_be_a_whole_number(bad):
    with pytest.raises(InputTypeError, match=r"^train: bad argument 'epochs'"):
        _run(epochs=bad)[1]()
