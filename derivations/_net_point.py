"""The point of a network's table: the input shape and the samples axis it defaults to, and the
seed's draw of x and t (kept live as ``_point`` keeps every drawn point)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from net import (
    RNN,
    Attention,
    BatchNorm,
    Conv1d,
    Conv2d,
    Dense,
    Embedding,
    Flatten,
    Layer,
    Network,
    Residual,
)
from reshape import InputError, InputTypeError, describe

from . import _args
from ._point import first_live

__all__ = [
    "DEFAULT_SHAPES",
    "default_input_shape",
    "default_samples",
    "draw_point",
    "input_shape_of",
    "samples_of",
]

# The per-sample input shape a table gives a network by its first layer; any other layer (4,).
DEFAULT_SHAPES: dict[type, tuple[int, ...]] = {
    Conv1d: (1, 16),  # one channel of length 16
    Conv2d: (1, 6, 6),  # one channel, 6×6
    RNN: (3, 5),  # 3 features at each of 5 steps
    Embedding: (),  # an id per token
}
SEQUENCE_SAMPLES = 3  # the columns a table gives a layer that mixes them (tokens, a batch)
_MIXING = (Attention, Embedding, BatchNorm)


def _first(layers: Sequence[Layer]) -> Layer:
    layer = layers[0]
    return _first(layer.layers) if isinstance(layer, Residual) else layer


def _all(layers: Sequence[Layer]) -> list[Layer]:
    out: list[Layer] = []
    for layer in layers:
        out += [layer, *(_all(layer.layers) if isinstance(layer, Residual) else [])]
    return out


def default_input_shape(layers: Sequence[Layer]) -> tuple[int, ...]:
    """The input shape a table takes when none is given, by the first layer (a residual block's
    first inside it): conv1d (1, 16), conv2d (1, 6, 6), rnn (3, 5), embedding (), else (4,).

    >>> from net import parse_layers
    >>> default_input_shape(parse_layers("residual(layernorm,attention:2),dense:1"))
    (4,)
    """
    first = _first(layers)
    if type(first) in DEFAULT_SHAPES:
        return DEFAULT_SHAPES[type(first)]
    return (_block_width(layers) or 4,)


def _block_width(layers: Sequence[Layer]) -> int | None:
    """The width a residual block gives back, read off its last dense layer (x + f(x) needs x
    that wide), for the first such block before a layer that changes the width."""
    for layer in layers:
        if isinstance(layer, Residual):  # it keeps the width: the next may tell it
            last = layer.layers[-1]
            width = last.n if isinstance(last, Dense) else _block_width(layer.layers)
            if width is not None:
                return width
        if isinstance(layer, (Dense, Flatten, Embedding, RNN, Conv1d, Conv2d)):
            return None
    return None


def default_samples(layers: Sequence[Layer]) -> int:
    """d, the samples axis: 3 when a layer mixes the columns (attention's tokens, an embedded
    sequence, batch norm's batch: with one column each is trivial), else 1."""
    return SEQUENCE_SAMPLES if any(isinstance(x, _MIXING) for x in _all(layers)) else 1


def samples_of(op: str, layers: Sequence[Layer], d: Any) -> int:
    """d as given (a positive whole number; at least 2 for batch norm, whose statistics need
    two samples), or its default."""
    if d is None:
        return default_samples(layers)
    d = _args.size(op, "d", d)
    if d < 2 and any(isinstance(x, BatchNorm) for x in _all(layers)):
        raise InputError(
            op,
            "d",
            "at least 2 samples for batch norm (its statistics are over the batch)",
            repr(d),
            "leave d out (3), or use layernorm",
        )
    return d


def input_shape_of(op: str, value: Any) -> tuple[int, ...]:
    """A given input shape: a width m, a tuple of them, or "1x16"-style text ("" or "()" for the
    ids of an embedding)."""
    expected = "a per-sample shape: a width m, a tuple such as (1, 16), or text such as 1x16"
    if isinstance(value, str):
        text = value.strip()
        if text in ("", "()"):
            return ()
        parts = text.split("x")
        if not all(p.isdigit() and int(p) > 0 for p in parts):
            raise InputError(op, "input_shape", expected + " (positive whole numbers)", repr(value))
        return tuple(int(p) for p in parts)
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        value = (value,)
    if not isinstance(value, (tuple, list)):
        raise InputTypeError(op, "input_shape", expected, describe(value))
    bad = [v for v in value if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1]
    if bad:
        raise InputError(op, "input_shape", expected + " (positive whole numbers)", repr(value))
    return tuple(int(v) for v in value)


def draw_point(
    net: Network, layers: Sequence[Layer], d: int, seed: int, wrt: str
) -> tuple[np.ndarray, np.ndarray]:
    """x (input_shape + (d,); an embedding's ids (d,)) and t ((n, d): normal, or one-hot columns
    for the cross-entropies), from seed + 1; the generator's next draws replace a point at
    which the gradient of ``wrt`` vanishes (a relu layer with no active unit)."""
    rng = np.random.default_rng(seed + 1)
    first = _first(layers)
    n = net.output_shape[0]

    def draw() -> tuple[np.ndarray, np.ndarray]:
        if isinstance(first, Embedding):
            X = rng.integers(0, first.vocab, size=d).astype(np.float64)
        else:
            X = rng.normal(size=(*net.input_shape, d))
        if net.loss == "squared_error":
            T = rng.normal(size=(n, d))
        else:
            T = np.eye(n)[:, rng.integers(n, size=d)]
        return X, T

    return first_live(draw, lambda p: bool(np.any(net.gradients(*p, "shortcut")[wrt])))
