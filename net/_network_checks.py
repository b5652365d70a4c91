"""The arguments of :class:`net.Network`: its seed, input shape, inputs, and the last activation
its loss is paired with (by the rules :func:`net._checks.loss` applies to MLP's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, ShapeError, as_array, describe

from . import _checks as check
from ._dense import Activation, Dense
from ._layer_base import Layer

__all__ = ["checked_seed", "inputs", "last_activation", "per_sample_shape"]


def checked_seed(op: str, seed: Any) -> int:
    whole = isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_))
    if not whole or seed < 0:
        raise InputError(op, "seed", "a non-negative integer", repr(seed))
    return int(seed)


def per_sample_shape(op: str, shape: Any) -> tuple[int, ...]:
    expected = "a per-sample shape: a width m, or a tuple such as (3,) or (C, L)"
    one = isinstance(shape, (int, np.integer)) and not isinstance(shape, (bool, np.bool_))
    if one:
        shape = (shape,)
    if isinstance(shape, (str, bytes)) or not isinstance(shape, (Sequence, np.ndarray)):
        raise InputTypeError(op, "input_shape", expected, describe(shape))
    bad = [
        s
        for s in shape
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)) or s < 1
    ]
    if bad:
        raise InputError(op, "input_shape", expected + " of positive whole numbers", repr(shape))
    return tuple(int(s) for s in shape)


def last_activation(layer: Layer) -> str:
    """The last activation, as the loss's rules read it; another layer by its kind."""
    if isinstance(layer, Dense):
        return layer.activation
    return layer.name if isinstance(layer, Activation) else layer.kind


def inputs(op: str, X: Any, shape: tuple[int, ...]) -> np.ndarray:
    """X as shape + (d,) of checked real numbers; X of the shape alone is one sample."""
    if len(shape) == 1:  # MLP's check, with MLP's messages
        return check.inputs(op, X, shape[0], "X")
    X = check.real(as_array(X, op, "X"), op, "X")
    if X.shape == shape:
        return X.reshape(*shape, 1)
    if X.shape[:-1] != shape or X.ndim != len(shape) + 1:
        one = (*shape, "d")
        raise ShapeError(
            op,
            "X",
            f"shape {shape} (one sample) or {one} (d samples, last)".replace("'", ""),
            describe(X),
            "samples are the last axis",
        )
    return X
