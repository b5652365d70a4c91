"""Convolution layers, 1-D and 2-D: y = w ⋆ x + b over several channels, samples last.

The forward pass is the registry's ``conv1d``/``conv2d`` (its context is the cache); the Jacobian
backward pass is three rows times the rules' structures (the Toeplitz ∂y/∂x, the Kronecker ∂y/∂w =
I_O ⊗ im2col(x), ∂y/∂b = I_O ⊗ 1); the shortcut is the course-notes backward pass written here
with plain numpy (dw = Σ G ⊗ patches, dx = each tap's w·G added at its shifted positions,
db = Σ G).
"""

from __future__ import annotations

from math import prod
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from jacobians import Jacobian, conv1d, conv2d
from jacobians._registry import Operation
from jacobians._structure_args import from_checked
from jacobians._toeplitz import conv_options, fits, out_size, whole_numbers
from reshape import InputTypeError, ShapeError, as_size

from ._layer_base import Grads, Layer

__all__ = ["Conv1d", "Conv2d"]


class _Conv(Layer):
    """What both convolutions share; ``n`` is the number of spatial axes."""

    n: int
    op: Operation
    name: str

    def __init__(self, channels: int, kernel: Any, stride: Any = 1, padding: Any = 0) -> None:
        self.channels = as_size(channels, self.name, "channels")
        self.kernel = whole_numbers(self.name, "kernel", kernel, self.n, 1)
        self.stride, self.padding = conv_options(self.name, self.n, stride, padding)

    def __repr__(self) -> str:
        k = self.kernel[0] if self.n == 1 else self.kernel
        extra = "".join(
            f", {a}={v[0] if self.n == 1 else v}"
            for a, v, default in (("stride", self.stride, 1), ("padding", self.padding, 0))
            if v != (default,) * self.n
        )
        return f"{self.name}({self.channels}, {k}{extra})"

    # ----- parameters -----
    def init(
        self, rng: np.random.Generator, in_shape: tuple[int, ...], where: str
    ) -> tuple[dict[str, np.ndarray], tuple[int, ...]]:
        """w ~ N(0, 1/(C_in·ΠK)) of shape (C_out, C_in, *K), b ~ N(0, 0.1²); the output shape
        (C_out, *S_out)."""
        axes = "(C_in, L)" if self.n == 1 else "(C_in, H, W)"
        if not isinstance(in_shape, tuple):
            raise InputTypeError(where, "in_shape", f"a tuple {axes}", repr(in_shape))
        if len(in_shape) != self.n + 1:
            hint = (
                "a convolution takes channels and positions: reshape the input, or the layer before"
            )
            raise ShapeError(where, "in_shape", f"a per-sample shape {axes}", f"{in_shape}", hint)
        C_in, *size = (as_size(s, where, "in_shape") for s in in_shape)
        fits(where, tuple(size), self.kernel, self.padding, "kernel")
        fan_in = C_in * prod(self.kernel)
        # float(): a size past int64 would stop numpy's sqrt before the draw refuses it by name
        scale = 1.0 / np.sqrt(float(fan_in))
        w = rng.normal(0.0, scale, size=(self.channels, C_in, *self.kernel))
        b = rng.normal(0.0, 0.1, size=self.channels)
        S_out = out_size(tuple(size), self.kernel, self.stride, self.padding)
        return {"w": w, "b": b}, (self.channels, *S_out)

    # ----- forward: the registry's operation, its context the cache -----
    def forward(self, P: dict[str, np.ndarray], X: np.ndarray) -> Any:
        return self.op.unchecked(X, P["w"], P["b"], stride=self.stride, padding=self.padding)

    # ----- backward through the explicit Jacobians -----
    def jacobian_backward(self, P: dict[str, np.ndarray], cache: Any, G: np.ndarray) -> Grads:
        row, rules = G.reshape(1, -1), self.op.rules
        with from_checked():
            grads = {p: rules[p].build(cache)._right(row).reshape(P[p].shape) for p in ("w", "b")}
            dx = rules["x"].build(cache)._right(row).reshape(cache.x.shape)
        return grads, dx

    def factors(self, P: dict[str, np.ndarray], cache: Any) -> list[tuple[str, Jacobian]]:
        out = []
        with from_checked():
            for wrt in ("x", "w", "b"):
                rule = self.op.rules[wrt]
                J = rule.build(cache).labelled("y", wrt, rule.closed_form, rule.latex)
                out.append((f"∂y/∂{wrt}", J))
        return out

    # ----- the shortcut: the backward pass of course notes, plain numpy -----
    def shortcut_backward(self, P: dict[str, np.ndarray], cache: Any, G: np.ndarray) -> Grads:
        w, X, n = P["w"], cache.x, self.n
        s, p = self.stride, self.padding
        kernel, S_out = w.shape[2:], G.shape[1:-1]
        spatial = tuple(range(1, n + 1))
        Xp = np.pad(X, [(0, 0), *((q, q) for q in p), (0, 0)])
        # the windows xpad[c, s·t + k, j] as a view (C, *S_out, d, *K)
        win = sliding_window_view(Xp, kernel, axis=spatial)
        win = win[(slice(None), *(slice(None, m * st, st) for m, st in zip(S_out, s, strict=True)))]
        # dw[o, c, k] = Σ_{t,j} G[o, t, j] · xpad[c, s·t + k, j]
        dw = np.tensordot(G, win, axes=(tuple(range(1, n + 2)), tuple(range(1, n + 2))))
        db = G.sum(axis=tuple(range(1, n + 2)))
        # each output entry sends w[o, c, k]·G[o, t, j] back to xpad[c, s·t + k, j]
        back = np.tensordot(w, G, axes=([0], [0]))  # (C, *K, *S_out, d)
        back = np.moveaxis(back, tuple(range(1, n + 1)), tuple(range(n + 1, 2 * n + 1)))
        # each tap's products land on the padded positions s·t + k: shifted, strided adds
        dXp = np.zeros(Xp.shape, dtype=back.dtype)
        for tap in np.ndindex(*kernel):
            at = (
                slice(o, o + st * (m - 1) + 1, st) for o, st, m in zip(tap, s, S_out, strict=True)
            )
            dXp[(slice(None), *at)] += back[(slice(None), *(slice(None),) * n, *tap)]
        dX = dXp[(slice(None), *(slice(q, q + L) for q, L in zip(p, X.shape[1:-1], strict=True)))]
        return {"w": dw, "b": db}, dX


class Conv1d(_Conv):
    """A 1-D convolution layer: ``channels`` output channels, a kernel of length ``kernel``.

    Per sample (C_in, L) -> (channels, L_out), L_out = (L + 2·padding − kernel)//stride + 1;
    parameters w (channels, C_in, kernel), drawn N(0, 1/(C_in·kernel)), and b (channels,),
    drawn N(0, 0.1²).

    >>> layer = Conv1d(4, 3, padding=1)
    >>> P, out = layer.init(np.random.default_rng(0), (2, 8), "Conv1d(layer 1)")
    >>> P["w"].shape, out
    ((4, 2, 3), (4, 8))
    """

    kind, n, op, name = "conv1d", 1, conv1d, "Conv1d"


class Conv2d(_Conv):
    """A 2-D convolution layer: ``channels`` output channels, a kernel of side ``kernel`` (an int
    or a pair (KH, KW)); stride and padding are ints or pairs.

    Per sample (C_in, H, W) -> (channels, H_out, W_out); w (channels, C_in, KH, KW) drawn
    N(0, 1/(C_in·KH·KW)), b (channels,) drawn N(0, 0.1²).

    >>> layer = Conv2d(2, (3, 2), stride=2)
    >>> layer.init(np.random.default_rng(0), (1, 7, 6), "Conv2d(layer 1)")[1]
    (2, 3, 3)
    """

    kind, n, op, name = "conv2d", 2, conv2d, "Conv2d"
