"""The point of a network's table: the caller's parameters, sample and target, the widths they
fix, and the seed's draw of the rest (see ``_point`` for how a drawn point is kept live)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from net import LOSSES, MLP
from reshape import InputError, InputTypeError, ShapeError, describe

from . import _args
from ._point import first_live

__all__ = ["DEFAULT_SIZES", "depth_of", "given_arrays", "sample", "widths"]

DEFAULT_SIZES = (2, 3, 3, 1)  # the three-layer network of the worked document three_layer.md
_PARAM = re.compile(r"^([Wb])([1-9][0-9]*)$")


def sample(
    sizes: Sequence[int], loss: str, seed: int, net: MLP | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The one sample (x, t) a network table uses: normal x; normal t, or one-hot for the
    cross-entropies. Given ``net``, the generator's next draws replace a sample at which the
    gradient of W⁽¹⁾ vanishes (a relu layer with no active unit), up to ``_point.DRAWS``."""
    rng = np.random.default_rng(seed + 1)

    def draw() -> tuple[np.ndarray, np.ndarray]:
        x = rng.normal(size=sizes[0])
        if loss == "squared_error":
            return x, rng.normal(size=sizes[-1])
        return x, np.eye(sizes[-1])[rng.integers(sizes[-1])]

    if net is None:
        return draw()
    return first_live(draw, lambda p: bool(np.any(net.backprop(*p).dC_dz[1])))


def given_arrays(
    op: str, params: Any, x: Any, t: Any, loss: str
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The parameters given (W1 a matrix, b1 a vector, …), and x and t, each checked; t of
    probabilities for the cross-entropies."""
    out: dict[str, np.ndarray] = {}
    if params is not None:
        if not isinstance(params, Mapping):
            raise InputTypeError(
                op, "params", "a dict of arrays by name: {'W1': …, 'b1': …}", describe(params)
            )
        for name, v in params.items():
            m = _PARAM.match(name) if isinstance(name, str) else None
            if m is None:
                raise InputError(
                    op, "params", "names W1, b1, W2, … (W or b and the layer, from 1)", repr(name)
                )
            kind = "matrix" if m.group(1) == "W" else "vector"
            out[name] = _args.array(op, f"params[{name!r}]", v, kind)
    sample_ = {}
    for name, v in (("x", x), ("t", t)):
        if v is not None:
            sample_[name] = _args.array(op, name, v, "vector")
    if "t" in sample_ and LOSSES[loss].probabilities:
        _args.probabilities(op, "t", sample_["t"], total=True)
    return out, sample_


def depth_of(op: str, sizes: Any, activations: Any, params: Mapping[str, np.ndarray]) -> int:
    """The number of layers: len(sizes) − 1, else one per activation, else the deepest layer
    of the parameters given, else the default network's three; a parameter deeper than that is
    refused."""
    if sizes is not None:
        depth = len(sizes) - 1
    elif isinstance(activations, Sequence) and not isinstance(activations, (str, bytes)):
        depth = len(activations)
    else:
        depth = max((_layer(k) for k in params), default=len(DEFAULT_SIZES) - 1)
    for name in params:
        if _layer(name) > depth:
            known = ", ".join(f"{kind}{k}" for k in range(1, depth + 1) for kind in "Wb")
            raise InputError(
                op, "params", f"parameters of the {depth} layers: {known}", f"{name!r}"
            )
    return depth


def _layer(name: str) -> int:
    return int(name[1:])


def widths(
    op: str,
    sizes: Sequence[int] | None,
    depth: int,
    params: Mapping[str, np.ndarray],
    sample_: Mapping[str, np.ndarray],
) -> list[int]:
    """The layer widths: ``sizes`` if given (every array must agree with them), else each width
    an array fixes, else the default network's (2, then 3s, then 1)."""
    defaults = [DEFAULT_SIZES[0], *[3] * (depth - 1), DEFAULT_SIZES[-1]]
    out = []
    for j in range(depth + 1):
        fixed: list[tuple[str, np.ndarray | None, int]] = []
        if j == 0:
            fixed.append(("x", sample_.get("x"), 0))
        else:
            fixed += [(f"params['{kind}{j}']", params.get(f"{kind}{j}"), 0) for kind in "Wb"]
        if j < depth:
            fixed.append((f"params['W{j + 1}']", params.get(f"W{j + 1}"), 1))
        else:
            fixed.append(("t", sample_.get("t"), 0))
        asked = None if sizes is None else sizes[j]
        try:
            size = _args.size_from(op, f"sizes[{j}]", asked, defaults[j], fixed, "leave sizes out")
        except ShapeError as exc:  # t against the last layer, whose depth the parameters set
            if sizes is not None or j != depth or not params:
                raise
            layers = f"{depth} layer{'s' if depth > 1 else ''}"
            hint = (
                f"without sizes the network has {layers}, as deep as the deepest parameter given;"
                " give sizes (--sizes 2,3,3,1, say) for a deeper one"
            )
            raise ShapeError(exc.op, exc.arg, exc.expected, exc.got, hint) from None
        out.append(size)
    return out
