"""The arguments of net's smaller functions: names, flags, streams, compare's methods, factors."""

from __future__ import annotations

import io

import numpy as np
import pytest

from net import MLP, NonFiniteLossError, compare, param_name, parse_param, sine_demo, train
from reshape import InputError, InputTypeError, dense_limit


def test_param_name_and_parse_param_are_inverse_and_refuse_what_is_no_name():
    assert param_name("b", 12) == "b12" and parse_param(param_name("W", 3)) == ("W", 3)
    assert parse_param("W0") is None and parse_param("x") is None  # text that is no name
    for kind in ("w", "", "W1"):
        with pytest.raises(InputError, match="'kind'"):
            param_name(kind, 1)
    with pytest.raises(InputTypeError, match="'kind'"):
        param_name(None, 1)
    for k in (0, -1, 2.0, "2", True, float("nan"), dense_limit()):
        with pytest.raises(InputError, match="'k'"):
            param_name("W", k)
    assert param_name("W", np.int64(2)) == "W2"
    for name in (None, 2, ["W1"], b"W1"):
        with pytest.raises(InputTypeError, match="parse_param: bad argument 'name'"):
            parse_param(name)


def test_train_and_sine_demo_take_true_or_false_and_a_stream():
    net, X, T = MLP([1, 1], ["identity"]), np.ones((1, 2)), np.zeros((1, 2))
    for quiet in ("yes", 1, None):
        with pytest.raises(InputTypeError, match="'quiet'"):
            train(net, X, T, lr=0.1, epochs=1, quiet=quiet)
        with pytest.raises(InputTypeError, match="sine_demo: bad argument 'quiet'"):
            sine_demo(epochs=1, quiet=quiet)
    with pytest.raises(InputTypeError, match="'stream'"):
        train(net, X, T, lr=0.1, epochs=1, stream="out")
    assert len(train(net, X, T, lr=0.1, epochs=1, quiet=np.bool_(True), stream=io.StringIO())) == 2


def test_a_step_that_leaves_floating_point_range_names_lr():
    with pytest.raises(NonFiniteLossError, match=r"^train: bad argument 'lr'") as info:
        sine_demo(epochs=3, lr=1e308, quiet=True)
    assert info.value.epoch == 1 and info.value.cause is not None


def test_compare_checks_the_network_and_the_methods():
    net = MLP([2, 2, 1], ["tanh", "identity"])
    x, t = np.ones(2), np.zeros(1)
    with pytest.raises(InputTypeError, match="'mlp'"):
        compare("net", x, t)
    for methods in (None, "jacobian", object()):
        with pytest.raises(InputTypeError, match="'methods'"):
            compare(net, x, t, methods)
    for methods in (["jacobian"], ["jacobian", "jacobian"], ["jacobian", ["shortcut"]]):
        with pytest.raises(InputError, match="'methods'"):
            compare(net, x, t, methods)


def test_factors_names_its_own_arguments():
    net = MLP([2, 3, 1], ["tanh", "identity"])
    with pytest.raises(InputError, match=r"MLP\.factors: bad argument 'x'"):
        net.factors(np.ones(3), np.zeros(1), "W1")
    with pytest.raises(InputError, match=r"MLP\.factors: bad argument 't'"):
        net.factors(np.ones(2), np.zeros(2), "W1")
    with pytest.raises(InputError, match=r"MLP\.factors: bad argument 'x'"):  # the point
        net.factors(np.ones(2), np.full(1, 1e308), "W1")
    with pytest.raises(InputTypeError, match="'wrt'"):
        net.factors(np.ones(2), np.zeros(1), ["W1"])
