"""The checks of :func:`jacobians.verify`'s options, all made before any work (and before the
claim is compared, so a wrong option is reported even when the claim matches)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, as_real, as_size, describe

from ._layer import Layer, _activation
from ._numeric import METHODS
from ._progress import check_progress

__all__ = ["MODES", "check_options"]

MODES = ("auto", "fast", "full")

_LAYER = "a jacobians.Layer, or a list of them, or None"
_LAYER_HINT = 'describe where the activation sits: Layer("sigmoid", pre=lambda W: W @ x, post=…)'


def check_options(
    layer: Any,
    form: Any,
    forms: Sequence[str],
    method: Any,
    rtol: Any,
    atol: Any,
    max_entries: Any,
    draws: Any,
    seed: Any,
    mode: Any = "auto",
    progress: Any = None,
) -> tuple[int, int]:
    """Refuse a bad option of verify, naming it; every option here is checked, used or not.
    Returns draws and seed as ints (numpy integers are whole numbers too)."""
    if not isinstance(mode, str) or mode not in MODES:
        shown = repr(mode) if isinstance(mode, (str, int, float, type(None))) else describe(mode)
        raise InputError(
            "verify",
            "mode",
            "'auto' (fast above a size, else full), 'fast' (along random directions, at any "
            "size) or 'full' (entry by entry)",
            shown,
        )
    check_progress("verify", progress)
    if form is not None and (not isinstance(form, str) or form not in forms):
        raise InputError(
            "verify", "form", "None or one of " + ", ".join(map(repr, forms)), repr(form)
        )
    if not isinstance(method, str) or method not in METHODS:
        raise InputError("verify", "method", " or ".join(map(repr, METHODS)), repr(method))
    for name, value, optional in (("rtol", rtol, False), ("atol", atol, True)):
        if value is None and optional:
            continue
        top = 1.0 if name == "rtol" else math.inf  # relative: past 1, every claim would match
        expected = "a number in [0, 1]" if name == "rtol" else "a finite number ≥ 0 or None"
        as_real(value, "verify", name, expected, lambda v, top=top: 0 <= v <= top)
    whole = isinstance(max_entries, (int, np.integer)) and not isinstance(
        max_entries, (bool, np.bool_)
    )
    if not whole or max_entries < 0:
        raise InputError("verify", "max_entries", "an int ≥ 0", repr(max_entries))
    check_layer(layer)
    return as_size(draws, "verify", "draws"), as_size(seed, "verify", "seed", minimum=0)


def check_layer(layer: Any) -> None:
    """``layer`` is None, a :class:`Layer` or a non-empty list or tuple of them, each with an
    elementwise activation, a callable ``pre``, and ``post`` None or callable."""
    if layer is None:
        return
    layers = [layer] if isinstance(layer, Layer) else layer
    if not isinstance(layers, (list, tuple)) or not layers:
        shown = repr(layer) if isinstance(layer, (str, list, tuple)) else describe(layer)
        raise InputTypeError("verify", "layer", _LAYER, shown, _LAYER_HINT)
    for i, ly in enumerate(layers):
        if not isinstance(ly, Layer):  # a Layer checked its own fields when it was made
            arg = "layer" if ly is layer else f"layer[{i}]"
            raise InputTypeError("verify", arg, _LAYER, describe(ly), _LAYER_HINT)
        _activation(ly)  # registered when made, maybe unregistered since
