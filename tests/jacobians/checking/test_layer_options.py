"""Layer checks what it is given when it is made: its activation (one verify can use) and its
options (known to the activation, finite numbers), as the operations check their own."""

import numpy as np
import pytest

from jacobians import Layer, verify
from tests.jacobians.checking.test_numeric_steps import refused


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"alpah": 0.1}, ["'options'", "'alpah'", "alpha"]),
        ({"alpha": "0.1"}, ["'options'", "'0.1'", "finite number"]),
        ({"alpha": float("nan")}, ["'options'", "nan"]),
        ({"alpha": True}, ["'options'", "True"]),
        ({"alpha": [0.1]}, ["'options'"]),
    ],
)
def test_layer_options_are_checked_when_it_is_made(options, words):
    refused(
        lambda: Layer("leaky_relu", pre=lambda W: W, post=np.sum, options=options),
        "Layer",
        *words,
    )


def test_an_activation_without_options_takes_none():
    refused(lambda: Layer("sigmoid", pre=lambda W: W, options={"alpha": 0.1}), "'options'", "none")


def test_a_layer_verify_cannot_use_is_refused_when_made():
    refused(lambda: Layer("softmax", pre=lambda W: W), "Layer", "'activation'", "elementwise")


def test_good_options_reach_the_activation():
    rng = np.random.default_rng(1)
    W, x, y = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3)

    def leaky(z):
        return np.where(z > 0, z, 0.2 * z)

    def f(W):
        return 0.5 * np.sum((leaky(W @ x) - y) ** 2)

    z = W @ x
    right = np.outer((leaky(z) - y) * np.where(z > 0, 1.0, 0.2), x)
    layer = Layer(
        "leaky_relu",
        pre=lambda W: W @ x,
        post=lambda a: 0.5 * np.sum((a - y) ** 2),
        options={"alpha": np.float64(0.2)},  # a numpy number is a number
    )
    assert verify(f, W, right, layer=layer).matches
    slip = np.outer((leaky(z) - y), x)  # σ′ left out
    assert verify(f, W, slip, layer=layer).diagnosis.kind == "activation-derivative"
