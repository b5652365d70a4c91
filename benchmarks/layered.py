"""Benchmarks for issue 18's networks beyond the MLP (cases 13, 14 and 15 of ``run.py``).

Each is a ``net.Network`` with ``squared_error`` against a random target of the output's shape,
the gradient of every parameter: ``"jacobian"`` ÷ ``"shortcut"`` timed as pairs within rounds
(target ≤ 1.5), both checked to agree first; and ``jax.jit(jax.grad)`` and torch autograd on the
same network with our parameters, each in its own process (peer_layered.py), checked against our
gradient before it is timed, as peer ÷ shortcut.

13. A transformer block: 32 tokens (the samples axis, as the layers take a sequence), model width
    64, 4 heads, pre-layer-norm residual blocks and a feed-forward of 128 then 64:
    ``residual(layernorm,attention:4),residual(layernorm,dense:128:relu,dense:64)``.
14. A 1-D convolutional network on a one-channel signal of length 256, three layers of 16 channels
    (kernel 3, padding 1), a batch of d = 8:
    ``conv1d:16x3:p1,relu,conv1d:16x3:p1,relu,conv1d:16x3:p1,flatten,dense:10``.
15. A recurrent network over T = 100 steps of 8 features, 32 units, a batch of d = 16:
    ``rnn:32,dense:1``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import peers
import report
from report import agree
from timing import rounds

from net import Activation, Network
from net._layer_base import Layer, qualified
from net._residual import _inside

TARGET = 1.5
PEERS = (("torch", "torch autograd"), ("jax", "jax.jit(jax.grad)"))


@dataclass(frozen=True)
class Layered:
    """One case: its network (spec, per-sample input shape, d samples), and the tiny one of
    ``--quick``."""

    case: str
    name: str
    spec: str
    input_shape: tuple[int, ...]
    d: int
    samples: str  # what the samples axis is, in words
    quick: tuple[str, tuple[int, ...], int]


CASES = {
    "13": Layered(
        "13",
        "transformer block (width 64, 4 heads)",
        "residual(layernorm,attention:4),residual(layernorm,dense:128:relu,dense:64)",
        (64,),
        32,
        "input {shape} per token, s = {d} tokens (the samples axis)",
        ("residual(layernorm,attention:2),residual(layernorm,dense:8:relu,dense:4)", (4,), 3),
    ),
    "14": Layered(
        "14",
        "1-D conv net (3 layers of 16 channels, length 256)",
        "conv1d:16x3:p1,relu,conv1d:16x3:p1,relu,conv1d:16x3:p1,flatten,dense:10",
        (1, 256),
        8,
        "input {shape} per sample, d = {d}",
        ("conv1d:2x3:p1,relu,conv1d:2x3:p1,relu,conv1d:2x3:p1,flatten,dense:3", (1, 8), 2),
    ),
    "15": Layered(
        "15",
        "recurrent net (T = 100 steps)",
        "rnn:32,dense:1",
        (8, 100),
        16,
        "input (m, T) = {shape} per sample, d = {d}",
        ("rnn:4,dense:1", (2, 5), 2),
    ),
}


# ----- our network, as the peers rebuild it -----
def _layer(layer: Layer, name: Callable[[str], str]) -> dict[str, Any]:
    """One layer as a peer runs it (peer_layered.py): its kind, options and, for each local
    parameter name, the network's name of that parameter (``name(local)``)."""
    kind = layer.kind
    if isinstance(layer, Activation):  # its kind is its function's name
        return {"kind": "activation", "name": layer.name}
    if kind == "residual":
        subs = [
            _layer(sub, lambda p, j=j: name(_inside(p, j)))
            for j, sub in enumerate(layer.layers, 1)  # type: ignore[attr-defined]
        ]
        return {"kind": "residual", "layers": subs}
    if kind == "dense":
        out = {"activation": layer.activation}  # type: ignore[attr-defined]
        params = ("W", "b")
    elif kind == "layernorm":
        out, params = {"eps": layer.eps}, ("gamma", "beta")  # type: ignore[attr-defined]
    elif kind == "attention":
        out = {"heads": layer.heads, "causal": layer.causal}  # type: ignore[attr-defined]
        params = ("Wq", "Wk", "Wv", "Wo")
    elif kind == "conv1d":
        (stride,), (padding,) = layer.stride, layer.padding  # type: ignore[attr-defined]
        out, params = {"stride": stride, "padding": padding}, ("w", "b")
    elif kind == "rnn":
        out, params = {}, ("W", "U", "b")
    elif kind == "flatten":
        out, params = {}, ()
    else:
        raise ValueError(f"layered.describe: the peers have no {kind!r} layer")
    return {"kind": kind, **out, **{p: name(p) for p in params}}


def describe(net: Network) -> list[dict[str, Any]]:
    """The network's layers as the peers' worker runs them, naming our parameters (W1, Wq1.2 …).

    >>> describe(Network("dense:3:tanh,residual(layernorm,dense:3)", (3,)))[1]["layers"][1]
    {'kind': 'dense', 'activation': 'identity', 'W': 'W2.2', 'b': 'b2.2'}
    """
    layers = [
        _layer(layer, lambda p, k=k: qualified(p, k)) for k, layer in enumerate(net.layers, 1)
    ]
    named = _names(layers)
    if sorted(named) != sorted(net.shapes):
        raise AssertionError(f"describe: parameters {sorted(named)} are not {sorted(net.shapes)}")
    return layers


PARAMS = {"W", "b", "gamma", "beta", "Wq", "Wk", "Wv", "Wo", "w", "U"}


def _names(layers: list[dict[str, Any]]) -> list[str]:
    """The parameters the descriptions name, in order."""
    out = []
    for spec in layers:
        if spec["kind"] == "residual":
            out += _names(spec["layers"])
        else:
            out += [v for k, v in spec.items() if k in PARAMS]
    return out


# ----- one case -----
def measure(rows: list[dict], c: Layered, quick: bool) -> None:
    """Cases 13–15: jacobian ÷ shortcut in pairs, then each peer ÷ shortcut."""
    spec, shape, d = c.quick if quick else (c.spec, c.input_shape, c.d)
    net = Network(spec, shape, "squared_error", seed=0)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(*shape, d))
    T = rng.normal(size=(net.output_shape[0], d))
    size = sum(int(np.prod(s)) for s in net.shapes.values())
    name = c.name if not quick else f"tiny {c.name.split(' (')[0]}"
    label = (
        f"{name}: `{spec}`, {c.samples.format(shape=shape, d=d)}; gradient of"
        f" {len(net.shapes)} parameters ({size:,} numbers)"
    )
    ref = net.gradients(X, T, "shortcut")
    got = net.gradients(X, T, "jacobian")
    for p in ref:
        agree(got[p], ref[p], f"case {c.case} {p}")
    t_short, t_jac = rounds(
        [lambda: net.gradients(X, T, "shortcut"), lambda: net.gradients(X, T, "jacobian")],
        quick,
        budget=1.0,
    )
    rows.append(report.timed(c.case, label, "jacobian ÷ shortcut", t_jac, t_short, TARGET))
    task = peers.Task(
        "layered_grad",
        {"layers": describe(net), "loss": net.loss},
        {**net.params, "X": X, "T": T},
        ref,
    )
    for peer, called in PEERS:
        ts = peers.run_or_say(rows, c.case, [label], peer, called, [task], quick, budget=1.0)
        if ts:
            rows.append(
                report.timed(c.case, label, f"{called} ÷ shortcut", ts[0], t_short, paired=False)
            )


def case_transformer(rows: list[dict], quick: bool) -> None:
    measure(rows, CASES["13"], quick)


def case_conv(rows: list[dict], quick: bool) -> None:
    measure(rows, CASES["14"], quick)


def case_rnn(rows: list[dict], quick: bool) -> None:
    measure(rows, CASES["15"], quick)
