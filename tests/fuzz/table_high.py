"""The table's rows for ``net`` (the network, its methods, training, the demo) and
``derivations`` (the tables, their renderings)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np

import derivations as D
import net

from .spec import Entry, arg, exempt


def _mlp() -> net.MLP:
    return net.MLP([2, 3, 1], ["tanh", "identity"], "squared_error", seed=0)


def _data() -> dict[str, np.ndarray]:
    r = np.random.default_rng(2)
    return {"X": r.normal(size=(2, 4)), "T": r.normal(size=(1, 4))}


_M = _mlp()
_XT = ("X", "T")

NET: dict[str, Entry] = {
    "net.MLP": Entry(
        net.MLP,
        lambda: {
            "sizes": [2, 3, 1],
            "activations": ["tanh", "identity"],
            "loss": "squared_error",
            "seed": 0,
        },
        (
            arg("sizes", "sizes"),
            arg("activations", "names"),
            arg("loss", "choice"),
            arg("seed", "seed"),
        ),
    ),
    "MLP.gradients": Entry(
        lambda **a: _M.gradients(**a),
        lambda: {**_data(), "method": "jacobian"},
        (arg("X", "array"), arg("T", "array"), arg("method", "choice")),
    ),
    "MLP.gradients[shortcut]": Entry(
        lambda **a: _M.gradients(**a),
        lambda: {**_data(), "method": "shortcut"},
        (arg("X", "array"), arg("T", "array")),
    ),
    "MLP.forward": Entry(
        lambda **a: _M.forward(**a),
        lambda: {"X": _data()["X"], "start": 0},
        (arg("X", "array", skip="wrong_shape"), arg("start", "size", skip="zero")),  # any batch
    ),
    "MLP.cost": Entry(lambda **a: _M.cost(**a), _data, (arg("X", "array"), arg("T", "array"))),
    "MLP.backprop": Entry(
        lambda **a: _M.backprop(**a), _data, (arg("X", "array"), arg("T", "array"))
    ),
    "MLP.factors": Entry(
        lambda **a: _M.factors(**a),
        lambda: {"x": np.array([0.5, -1.0]), "t": np.array([0.3]), "wrt": "W1"},
        (arg("x", "array"), arg("t", "array"), arg("wrt", "choice")),
    ),
    "net.compare": Entry(
        net.compare,
        lambda: {"mlp": _M, **_data(), "methods": ["jacobian", "shortcut"]},
        (arg("mlp", "mlp"), arg("X", "array"), arg("T", "array"), arg("methods", "names")),
    ),
    "net.train": Entry(
        lambda **a: net.train(**a),
        lambda: {
            "mlp": _mlp(),
            **_data(),
            "lr": 0.05,
            "epochs": 2,
            "method": "shortcut",
            "clip": 1.0,
            "quiet": True,
            "stream": io.StringIO(),
        },
        (
            arg("mlp", "mlp"),
            arg("X", "array"),
            arg("T", "array"),
            arg("lr", "real"),
            arg("epochs", "count", skip="zero"),  # ≥ 0, as documented: 0 trains nothing
            arg("method", "choice"),
            arg("clip", "real", skip="none"),
            arg("quiet", "flag"),
            arg("stream", "stream", skip="none"),
        ),
    ),
    "net.sine_data": Entry(net.sine_data, lambda: {"d": 8}, (arg("d", "size"),)),
    "net.sine_demo": Entry(
        net.sine_demo,
        lambda: {
            "epochs": 2,
            "lr": 0.05,
            "method": "shortcut",
            "clip": 1.0,
            "sizes": (1, 4, 1),
            "seed": 0,
            "d": 8,
            "quiet": True,
        },
        (
            arg("epochs", "count", skip="zero"),
            arg("lr", "real"),
            arg("method", "choice"),
            arg("clip", "real", skip="none"),
            arg("sizes", "sizes"),
            arg("seed", "seed"),
            arg("d", "size"),
            arg("quiet", "flag"),
        ),
    ),
    "net.param_name": Entry(
        net.param_name, lambda: {"kind": "W", "k": 1}, (arg("kind", "choice"), arg("k", "size"))
    ),
    "net.parse_param": Entry(
        net.parse_param,
        lambda: {"name": "W1"},
        (arg("name", "choice", skip="bad_option"),),  # an unknown name gives None, as documented
    ),
    "net.Backprop": exempt("a record: what MLP.backprop returns"),
    "net.Comparison": exempt("a record: what compare returns"),
    "net.Factors": exempt("a record: what MLP.factors returns"),
    "net.NonFiniteLossError": exempt("an error type: raised, not called"),
    "net.LossGrowthWarning": exempt("a warning type: issued, not called"),
}


def _render(table: Any) -> Any:
    return lambda fmt: table().render(fmt)


_TABLE = {"n": 2, "m": 2, "seed": 0, "show_matrices": False}

DERIVATIONS: dict[str, Entry] = {
    "derivations.single_layer": Entry(
        D.single_layer,
        lambda: {**_TABLE, "activation": "sigmoid", "cost": "squared_error", "wrt": "W"},
        (
            arg("n", "size", skip="none"),  # None: 3, or read off the arrays given
            arg("m", "size", skip="none"),
            arg("activation", "choice"),
            arg("cost", "choice"),
            arg("wrt", "choice"),
            arg("seed", "seed"),
            arg("show_matrices", "flag"),
        ),
    ),
    "derivations.softmax_cross_entropy": Entry(
        D.softmax_cross_entropy,
        lambda: {**_TABLE, "wrt": "W"},
        (
            arg("n", "size", skip="none"),
            arg("m", "size", skip="none"),
            arg("wrt", "choice"),
            arg("seed", "seed"),
            arg("show_matrices", "flag"),
        ),
    ),
    "derivations.mlp": Entry(
        D.mlp,
        lambda: {
            "sizes": [2, 2, 1],
            "activations": ["tanh", "identity"],
            "loss": "squared_error",
            "wrt": "W1",
            "seed": 0,
            "show_matrices": False,
        },
        (
            arg("sizes", "sizes", skip="none"),  # None: (2, 3, 3, 1), or read off the arrays
            arg("activations", "names", skip="none"),
            arg("loss", "choice"),
            arg("wrt", "choice"),
            arg("seed", "seed"),
            arg("show_matrices", "flag"),
        ),
    ),
    # the point a table is computed at (None: drawn from the seed)
    "derivations.single_layer[point]": Entry(
        D.single_layer,
        lambda: {
            "W": [[0.5, -1.0], [2.0, 0.3]],
            "x": [1.0, 2.0],
            "b": [0.1, -0.2],
            "y": [0.25, 0.75],
            "cost": "binary_cross_entropy",
        },
        tuple(arg(name, "array", skip="none") for name in ("W", "x", "b", "y")),
    ),
    "derivations.softmax_cross_entropy[point]": Entry(
        D.softmax_cross_entropy,
        lambda: {"W": [[0.5, -1.0], [2.0, 0.3]], "x": [1.0, 2.0], "b": [0.1, -0.2], "y": [0, 1]},
        tuple(arg(name, "array", skip="none") for name in ("W", "x", "b", "y")),
    ),
    "derivations.mlp[point]": Entry(
        D.mlp,
        lambda: {"sizes": [2, 1], "activations": ["tanh"], "x": [1.0, 2.0], "t": [0.5]},
        (arg("x", "array", skip="none"), arg("t", "array", skip="none")),
    ),
    "derivations.mlp[params]": Entry(
        D.mlp,
        lambda: {"params": {"W1": np.ones((3, 2)), "b1": np.zeros(3), "W2": np.ones((1, 3))}},
        (arg("params", "values"),),
    ),
    "derivations.expression": Entry(
        D.expression,
        lambda: {
            "text": "x'*A*x",
            "wrt": "x",
            "shapes": ["A=2x2"],
            "values": None,
            "seed": 0,
            "method": "cheapest",
            "show_matrices": False,
        },
        (
            arg("text", "text"),
            arg("wrt", "choice"),
            arg("shapes", "shapes"),
            arg("seed", "seed"),
            arg("method", "choice"),
            arg("show_matrices", "flag"),
        ),
    ),
    "derivations.expression[values]": Entry(
        D.expression,
        lambda: {"text": "x'*A*x", "wrt": "x", "values": {"A": np.eye(2), "x": np.ones(2)}},
        (arg("values", "values"),),
    ),
    "derivations.catalog": Entry(D.catalog, why="takes no arguments", slow=True),
    "derivations.schema": Entry(D.schema, why="takes no arguments"),
    "Derivation.render": Entry(
        _render(lambda: D.single_layer(2, 2)), lambda: {"fmt": "text"}, (arg("fmt", "choice"),)
    ),
    "ExpressionTable.render": Entry(
        _render(lambda: D.expression("x'*A*x", "x", ["A=2x2"])),
        lambda: {"fmt": "text"},
        (arg("fmt", "choice"),),
    ),
    "Catalog.render": Entry(
        _render(D.catalog), lambda: {"fmt": "text"}, (arg("fmt", "choice"),), slow=True
    ),
    **{
        f"derivations.{name}": exempt("a record of a table: made by the table functions")
        for name in (
            "Case",
            "Catalog",
            "CatalogRow",
            "Check",
            "Degenerate",
            "Derivation",
            "ExpressionTable",
            "Factor",
            "Step",
            "Value",
        )
    },
}
