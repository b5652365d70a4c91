"""The table's rows for the networks of layers: ``net.Network`` and its methods, each layer
(built, then run in a small network: an argument a constructor takes may be refused only when
the network draws or runs it), the spec parser, and the tables ``derivations.network`` and
``derivations.rnn``."""

from __future__ import annotations

from typing import Any

import numpy as np

import derivations as D
import net
from net import Activation, Conv1d, Dense, Flatten

from .spec import Entry, arg, exempt

_R = np.random.default_rng(3)
_X1 = _R.normal(size=(2, 3))  # (m, d): a dense network's three samples
_T1 = _R.normal(size=(1, 3))


def _grads(layers: list[Any], shape: tuple[int, ...], X: np.ndarray, T: np.ndarray) -> Any:
    """The layers' gradients by their Jacobians in a network of them: the layer drawn, run
    forward and backward."""
    return net.Network(layers, shape).gradients(X, T, "jacobian")


def _around(make: Any, before: list[Any], after: list[Any], shape: tuple[int, ...], X: Any) -> Any:
    """A row's call: the layer ``make(**a)`` between ``before`` and ``after``, run on X."""
    T = np.linspace(-0.5, 0.5, np.shape(X)[-1]).reshape(1, -1)
    return lambda **a: _grads([*before, make(**a), *after], shape, X, T)


# ----- the networks whose methods are fuzzed: one of each family of layers -----
_CONV = [Conv1d(2, 3), Activation("relu"), Flatten(), Dense(1)]
_XC = _R.normal(size=(1, 6, 4))  # (C, L, d)
_TC = _R.normal(size=(1, 4))


def _conv() -> net.Network:
    return net.Network(_CONV, (1, 6))


_NETS = {
    # (a network, X, T): tokens of one sequence (ids), a batch of sequences, images
    "sequence": (
        lambda: net.Network("embedding:5x4,layernorm,attention:2:causal,dense:1", ()),
        np.array([0.0, 3.0, 4.0]),
        _R.normal(size=(1, 3)),
    ),
    "rnn": (
        lambda: net.Network([net.RNN(3), Dense(1)], (2, 4)),
        _R.normal(size=(2, 4, 3)),
        _R.normal(size=(1, 3)),
    ),
    "conv2d": (
        lambda: net.Network(
            "conv2d:2x2,flatten,batchnorm,residual(dense:4:tanh,dense:8),dense:2",
            (1, 3, 3),
            "softmax_cross_entropy",
        ),
        _R.normal(size=(1, 3, 3, 3)),
        np.eye(2)[:, [0, 1, 1]],
    ),
}
_M = _conv()


def _data() -> dict[str, np.ndarray]:
    return {"X": _XC.copy(), "T": _TC.copy()}


NETWORK: dict[str, Entry] = {
    "net.Network": Entry(
        net.Network,
        lambda: {"layers": list(_CONV), "input_shape": (1, 6), "loss": "squared_error", "seed": 0},
        (
            # a layer refusing the shape the one before gives names its place and in_shape
            arg("layers", "layers", named="layers|in_shape"),
            # wrong_shape: two channels are as valid as one (w is drawn for them)
            arg("input_shape", "shape", skip="wrong_shape"),
            arg("loss", "choice"),
            arg("seed", "seed"),
        ),
    ),
    "net.Network[spec]": Entry(
        net.Network,
        lambda: {"layers": "dense:3:tanh,dense:1", "input_shape": 2},
        (arg("layers", "layers", named="layers|in_shape"),),
    ),
    "Network.from_spec": Entry(
        net.Network.from_spec,
        lambda: {"text": "conv1d:2x3,relu,flatten,dense:1", "input_shape": (1, 6)},
        (arg("text", "text"), arg("input_shape", "shape", skip="wrong_shape")),
    ),
    "Network.gradients": Entry(
        lambda **a: _M.gradients(**a),
        lambda: {**_data(), "method": "jacobian"},
        (arg("X", "array"), arg("T", "array"), arg("method", "choice")),
    ),
    "Network.gradients[shortcut]": Entry(
        lambda **a: _M.gradients(**a),
        lambda: {**_data(), "method": "shortcut"},
        (arg("X", "array"), arg("T", "array")),
    ),
    **{
        f"Network.gradients[{name}]": Entry(
            lambda make=make, **a: make().gradients(**a),
            lambda X=X, T=T: {"X": X.copy(), "T": T.copy(), "method": "jacobian"},
            (arg("X", "array"), arg("T", "array")),
        )
        for name, (make, X, T) in _NETS.items()
    },
    "Network.forward": Entry(
        lambda **a: _M.forward(**a),
        lambda: {"X": _XC.copy()},
        (arg("X", "array", skip="wrong_shape"),),  # any batch
    ),
    "Network.cost": Entry(lambda **a: _M.cost(**a), _data, (arg("X", "array"), arg("T", "array"))),
    "Network.factors": Entry(
        lambda **a: _M.factors(**a),
        lambda: {"x": _XC[..., :1].copy(), "t": _TC[:, :1].copy(), "wrt": "w1"},
        (arg("x", "array"), arg("t", "array"), arg("wrt", "choice")),
    ),
    "net.compare[network]": Entry(
        net.compare,
        lambda: {"mlp": _M, **_data(), "methods": ["jacobian", "shortcut"]},
        (arg("X", "array"), arg("T", "array"), arg("methods", "names")),
    ),
    "net.train[network]": Entry(
        lambda **a: net.train(**a),
        lambda: {"mlp": _conv(), **_data(), "lr": 0.05, "epochs": 2, "quiet": True},
        (arg("X", "array"), arg("T", "array"), arg("lr", "real")),
    ),
    "net.parse_layers": Entry(
        net.parse_layers,
        lambda: {"text": "dense:4:tanh,residual(dense:4),dense:1"},
        (arg("text", "text"),),
    ),
    "net.Layer": Entry(net.Layer, why="the base class a layer subclasses: takes no arguments"),
    "net.SpecError": exempt("an error type: raised, not called"),
    # ----- each layer, built and run in a small network -----
    "net.Dense": Entry(
        _around(Dense, [], [Dense(1)], (2,), _X1),
        lambda: {"n": 3, "activation": "tanh"},
        (arg("n", "size"), arg("activation", "choice")),
    ),
    "net.Activation": Entry(
        _around(Activation, [Dense(3)], [Dense(1)], (2,), _X1),
        lambda: {"name": "sigmoid"},
        (arg("name", "choice", named="name|activation"),),
    ),
    "net.Residual": Entry(
        _around(net.Residual, [], [Dense(1)], (2,), _X1),
        lambda: {"layers": [Dense(3, "tanh"), Dense(2)]},
        (arg("layers", "layers", named="layers|in_shape"),),
    ),
    "net.Flatten": Entry(
        _around(Flatten, [Conv1d(2, 3)], [Dense(1)], (1, 6), _XC),
        why="takes no arguments",
    ),
    "net.LayerNorm": Entry(
        _around(net.LayerNorm, [Dense(3)], [Dense(1)], (2,), _X1),
        lambda: {"eps": 1e-5},
        (arg("eps", "real"),),
    ),
    "net.BatchNorm": Entry(
        _around(net.BatchNorm, [Dense(3)], [Dense(1)], (2,), _X1),
        lambda: {"eps": 1e-5},
        (arg("eps", "real"),),
    ),
    "net.Embedding": Entry(
        _around(net.Embedding, [], [Dense(1)], (), np.array([0.0, 2.0, 1.0])),
        lambda: {"vocab": 3, "dim": 2},
        (arg("vocab", "size"), arg("dim", "size")),
    ),
    "net.Conv1d": Entry(
        _around(Conv1d, [], [Flatten(), Dense(1)], (1, 6), _XC),
        lambda: {"channels": 2, "kernel": 3, "stride": 2, "padding": 1},
        (
            arg("channels", "size"),
            arg("kernel", "size"),
            # a stride past the input is valid: the one window at the start (as torch takes it)
            arg("stride", "size", skip="huge_size"),
            arg("padding", "size", skip="zero"),  # no padding is the default
        ),
    ),
    "net.Conv2d": Entry(
        _around(net.Conv2d, [], [Flatten(), Dense(1)], (1, 4, 5), _R.normal(size=(1, 4, 5, 2))),
        lambda: {"channels": 2, "kernel": 2, "stride": 1, "padding": 1},
        (
            arg("channels", "size"),
            arg("kernel", "size"),
            # a stride past the input is valid: the one window at the start (as torch takes it)
            arg("stride", "size", skip="huge_size"),
            arg("padding", "size", skip="zero"),  # no padding is the default
        ),
    ),
    "net.Conv2d[pairs]": Entry(
        _around(net.Conv2d, [], [Flatten(), Dense(1)], (1, 4, 5), _R.normal(size=(1, 4, 5, 2))),
        lambda: {"channels": 2, "kernel": (2, 3), "stride": (1, 2), "padding": (1, 0)},
        (
            arg("kernel", "shape", skip="wrong_shape"),  # (3, 3) fits the padded 6×5 as well
            # any stride ≥ 1 gives an output: one past the input, the window at the start
            arg("stride", "shape", skip="wrong_shape huge_size"),
            arg("padding", "shape", skip="zero wrong_shape"),  # no padding, more: valid
        ),
    ),
    "net.Attention": Entry(
        _around(net.Attention, [Dense(4)], [Dense(1)], (2,), _X1),
        lambda: {"heads": 2, "causal": True},
        (arg("heads", "size"), arg("causal", "flag")),
    ),
    "net.RNN": Entry(
        _around(net.RNN, [], [Dense(1)], (2, 4), _R.normal(size=(2, 4, 3))),
        lambda: {"hidden": 3},
        (arg("hidden", "size"),),
    ),
}

DERIVATIONS_NET: dict[str, Entry] = {
    "derivations.network": Entry(
        D.network,
        lambda: {
            "layers": "conv1d:2x3,relu,flatten,dense:1",
            "input_shape": (1, 8),
            "wrt": "w1",
            "loss": "squared_error",
            "seed": 0,
            "d": 2,
            "show_matrices": False,
        },
        (
            arg("layers", "layers"),
            # None: the first layer's default; wrong_shape: two channels are as valid as one
            arg("input_shape", "shape", skip="none wrong_shape"),
            arg("wrt", "choice", skip="none"),  # None: the first layer's first parameter
            arg("loss", "choice"),
            arg("seed", "seed"),
            arg("d", "size", skip="none"),  # None: 3 for a layer mixing the columns, else 1
            arg("show_matrices", "flag"),
        ),
    ),
    "derivations.rnn": Entry(
        D.rnn,
        lambda: {"steps": 4, "n": 3, "m": 2, "seed": 0, "scale": 0.9},
        (
            arg("steps", "size"),
            arg("n", "size"),
            arg("m", "size"),
            arg("seed", "seed"),
            arg("scale", "real"),
        ),
    ),
    "RnnTable.render": Entry(
        lambda fmt: D.rnn(steps=3).render(fmt), lambda: {"fmt": "text"}, (arg("fmt", "choice"),)
    ),
    "derivations.RnnTable": exempt("a record of a table: made by derivations.rnn"),
}
