"""Random networks of the dense layers (Dense, Activation, Residual, Flatten) for the Network
tests: hypothesis draws the architecture, the batch and a seed; numpy draws the values."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from jacobians import ACTIVATIONS, OPERATIONS
from net import LOSSES, Activation, Dense, Flatten, Network, Residual
from net._network_run import run

from .strategies import targets

ELEMENTWISE = sorted(a for a in ACTIVATIONS if a != "softmax")


@st.composite
def layer_networks(draw: st.DrawFn, max_width: int = 5, max_batch: int = 4) -> tuple:
    """(net, X, T): a dense, activation or residual block or two, after an optional Flatten of
    a (C, L) input, ending with a Dense layer paired with a random loss."""
    act = st.sampled_from(ELEMENTWISE)
    width = st.integers(1, max_width)
    layers: list[Any] = []
    if draw(st.booleans()):
        shape: tuple[int, ...] = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
        if draw(st.booleans()):
            layers.append(Activation(draw(act)))  # entrywise on (C, L) per sample
        layers.append(Flatten())
        m = shape[0] * shape[1]
    else:
        m = draw(width)
        shape = (m,)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["dense", "activation", "residual"]))
        if kind == "dense":
            m = draw(width)
            layers.append(Dense(m, draw(act)))
        elif kind == "activation":
            layers.append(Activation(draw(st.sampled_from([*ELEMENTWISE, "softmax"]))))
        else:
            inner = [Dense(draw(width), draw(act)), Dense(m, draw(act))]
            layers.append(Residual(inner[draw(st.integers(0, 1)) :]))  # f of one or two layers
    loss = draw(st.sampled_from(sorted(LOSSES)))
    last = LOSSES[loss].needs_last or draw(st.sampled_from(["identity", "tanh", "sigmoid"]))
    n = draw(width)
    layers.append(Dense(n, last))
    d = draw(st.integers(1, max_batch))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    net = Network(layers, shape, loss, seed=seed % 1000)
    net.params = {k: rng.normal(size=v.shape) for k, v in net.params.items()}
    X = rng.normal(size=(*shape, d))
    T = targets(rng, loss, n, d)
    if d == 1 and draw(st.booleans()):
        X, T = X[..., 0], T[:, 0]  # one sample, without the samples axis
    return net, X, T


def _kinks(layer: Any, cache: Any) -> list[float]:
    """|z| at the inputs of the layer's non-analytic activations (relu's kink at 0)."""
    if isinstance(layer, Residual):
        return [
            v for sub, c in zip(layer.layers, cache.caches, strict=True) for v in _kinks(sub, c)
        ]
    name = getattr(layer, "activation", None) or getattr(layer, "name", None)
    if name is None or OPERATIONS[name].rules["z"].analytic:
        return []
    z = cache.lin.value if isinstance(layer, Dense) else cache.act.given["z"]
    return [float(np.abs(z).min())]


def kink_distance(net: Network, X: np.ndarray) -> float:
    """The smallest |z| entering a relu or leaky_relu (inf if there is none)."""
    X2 = net._inputs("test", X)
    caches, _ = run(net, net._params, X2, "test")
    kinks = [v for layer, c in zip(net.layers, caches, strict=True) for v in _kinks(layer, c)]
    return min(kinks, default=np.inf)
