"""Convolutions: conv1d and conv2d (cross-correlation, as deep learning computes it), samples last.

y[o, t, j] = b[o] + Σ_{c,k} w[o, c, k] · xpad[c, s·t + k, j] for a batch x (C_in, L, d), and the
same with two spatial axes in 2-D. Each Jacobian is kept in its structure:

* ∂y/∂x is the banded Toeplitz matrix of w (:class:`~jacobians.Toeplitz`, the kernel alone):
  a row times it is the transposed convolution;
* ∂y/∂w is I_O ⊗ M with M the im2col matrix of shifted copies of x, M[(t, j), (c, k)] =
  xpad[c, s·t + k, j] (a :class:`~jacobians.Kronecker`): a row times it is Σ G ⊗ patches;
* ∂y/∂b is I_O ⊗ 1 (b is added at every position of every sample).

Stride and padding are options (not differentiated). No expression-language form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from reshape import ShapeError, as_array

from ._checks import finite_result, scalar_as
from ._jacobian import Jacobian
from ._kronecker import Kronecker
from ._registry import Context, Operation, operation
from ._toeplitz import Ints, Toeplitz, conv_options, correlate, fits, patches

__all__ = ["ConvContext", "conv1d", "conv2d"]


@dataclass(slots=True)
class ConvContext(Context):
    """A convolution's context: x as a batch (C_in, *S, d) (one sample has d = 1), w, the
    options as tuples, and whether x came with its samples axis."""

    x: np.ndarray
    w: np.ndarray
    stride: Ints
    padding: Ints
    batch: bool


def _tuple(v: Any, n: int) -> Ints:
    return v if type(v) is tuple else (v,) * n


def _context(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    stride: Any = 1,
    padding: Any = 0,
    given: dict[str, np.ndarray] | None = None,
) -> ConvContext:
    """The context of checked arrays (``unchecked``): x (C_in, *S) or (C_in, *S, d), w (O, C_in,
    *K), b (O,) or (O, 1); stride and padding whole numbers or n-tuples."""
    n = w.ndim - 2
    stride, padding = _tuple(stride, n), _tuple(padding, n)
    batch = x.ndim == n + 2
    X = x if batch else x[..., None]
    y = correlate(X, w, stride, padding) + b.reshape(-1, *(1,) * (n + 1))  # b may be complex
    given = {"x": x, "w": w, "b": b} if given is None else given
    return ConvContext(y if batch else y[..., 0], given, X, w, stride, padding, batch)


def _prepare(op: str, n: int, x: Any, w: Any, b: Any, stride: Any, padding: Any) -> ConvContext:
    """Check the arguments of conv1d (n = 1) or conv2d (n = 2), then compute."""
    names = "(C_in, L)" if n == 1 else "(C_in, H, W)"
    kernel = "(C_out, C_in, K)" if n == 1 else "(C_out, C_in, KH, KW)"
    x = as_array(scalar_as(x, (1,) * (n + 1)), op, "x")  # one number: one channel, one entry
    w = as_array(scalar_as(w, (1,) * (n + 2)), op, "w")
    b = as_array(scalar_as(b, (1,)), op, "b")
    stride, padding = conv_options(op, n, stride, padding)
    if w.ndim != n + 2:
        raise ShapeError(op, "w", f"a kernel {kernel}", f"shape {w.shape}")
    C_out, C_in, K = w.shape[0], w.shape[1], w.shape[2:]
    if x.ndim not in (n + 1, n + 2):
        raise ShapeError(
            op,
            "x",
            f"one sample {names} or a batch {names[:-1]}, d), samples last",
            f"shape {x.shape}",
        )
    if x.shape[0] != C_in:
        raise ShapeError(
            op,
            "x",
            f"{C_in} channels along axis 0, the C_in of w {w.shape}",
            f"shape {x.shape}, {x.shape[0]} channels",
            "channels come first, then the positions, then the samples",
        )
    if b.shape not in ((C_out,), (C_out, 1)):
        raise ShapeError(
            op, "b", f"shape ({C_out},) or ({C_out}, 1), one per output channel", f"shape {b.shape}"
        )
    fits(op, x.shape[1 : n + 1], K, padding)
    dt = np.result_type(x, w, b)
    x, w, b = (a if a.dtype == dt else a.astype(dt) for a in (x, w, b))
    with np.errstate(all="ignore"):  # an overflow is refused by name below
        c = _context(x, w, b, stride, padding)
    finite_result(op, "w", "convolution y", c.value, c.given)
    return c


# ----- the rules, one builder each for both operations -----
def _dx(c: ConvContext) -> Jacobian:
    """The banded Toeplitz matrix of w (T ⊗ I_d for a batch), as w."""
    d = c.x.shape[-1] if c.batch else None
    return Toeplitz(c.w, c.x.shape[1:-1], c.stride, c.padding, d)


def _dw(c: ConvContext) -> Jacobian:
    """I_O ⊗ im2col(x)."""
    M = patches(c.x, c.w.shape[2:], c.stride, c.padding)
    return Kronecker(c.w.shape[0], M, c.value.shape, c.w.shape)


def _db(c: ConvContext) -> Jacobian:
    """I_O ⊗ 1: one column of ones over the positions (and samples)."""
    C_out = c.w.shape[0]
    ones = np.ones((c.value.size // C_out, 1), dtype=c.value.dtype)
    return Kronecker(C_out, ones, c.value.shape, c.given["b"].shape)


def _rules(op: Operation, x_form: tuple[str, str], w_form: tuple[str, str], shapes: str) -> None:
    out, x_in, w_in = shapes.split()
    op.rule("x", x_form[0], f"{out}×{x_in}", latex=x_form[1])(_dx)
    op.rule("w", w_form[0], f"{out}×{w_in}", latex=w_form[1])(_dw)
    op.rule("b", "I_O ⊗ 1", f"{out}×O", latex=r"I_{O} \otimes \mathbf{1}")(_db)


# ----- 1-D -----
def _examples_1d(r: np.random.Generator, n: int, m: int, d: int, batch: bool) -> dict:
    C_out, C_in, K = 1 + (n - 1) % 3, 1 + (m - 1) % 3, 1 + (n + m) % 3
    L = K + (n * m) % 4
    x = r.normal(size=(C_in, L, d) if batch else (C_in, L))
    return {"x": x, "w": r.normal(size=(C_out, C_in, K)), "b": r.normal(size=C_out)}


@operation(
    "convolution",
    "y",
    "y[o, t] = b[o] + Σ_c Σ_k w[o, c, k]·x[c, s·t + k − p]",
    r"y_{o,t} = b_o + \sum_{c} \sum_{k} w_{o,c,k} \, x_{c,\, s t + k - p}",
    {"x": "C×L", "w": "O×C×K", "b": "O"},
    "O×T",
    _examples_1d,
    options={"stride": 1, "padding": 0},
    unchecked=_context,
)
def conv1d(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0
) -> ConvContext:
    """A 1-D convolution y = w ⋆ x + b (cross-correlation), several channels, samples last.

    y[o, t] = b[o] + Σ_{c,k} w[o, c, k]·x[c, s·t + k − p], x read as zero outside 0 … L − 1; the
    output has T = (L + 2p − K)//s + 1 positions. ∂y/∂x is the banded Toeplitz matrix of w
    (:class:`~jacobians.Toeplitz`), ∂y/∂w = I_O ⊗ im2col(x), ∂y/∂b = I_O ⊗ 1_T.

    Shapes: x (C_in, L) | (C_in, L, d), w (C_out, C_in, K), b (C_out,) -> y (C_out, T) |
    (C_out, T, d); stride s ≥ 1 and padding 0 ≤ p ≤ K − 1 are whole numbers.

    >>> r = conv1d(np.arange(5.0)[None], np.array([[[1.0, -1.0]]]), np.zeros(1), stride=2)
    >>> r.value, r.jacobians["x"].kind, r.jacobians["w"].kind
    (array([[-1., -1.]]), 'toeplitz', 'kronecker')
    """
    return _prepare("conv1d", 1, x, w, b, stride, padding)


_rules(
    conv1d,
    (
        "T($w): T[(o,t), (c, s·t+k−p)] = $w[o,c,k]",
        r"T($w):\ T_{(o,t),\,(c,\,s t + k - p)} = ${w}_{o,c,k}",
    ),
    (
        "I_O ⊗ im2col($x), im2col($x)[t, (c,k)] = $x[c, s·t+k−p]",
        r"I_{O} \otimes \operatorname{im2col}($x),\ "
        r"\operatorname{im2col}($x)_{t,\,(c,k)} = ${x}_{c,\, s t + k - p}",
    ),
    "OT CL OCK",
)


# ----- 2-D -----
def _examples_2d(r: np.random.Generator, n: int, m: int, d: int, batch: bool) -> dict:
    C_out, C_in, KH, KW = 1 + (n - 1) % 2, 1 + (m - 1) % 2, 1 + n % 2, 1 + m % 2
    H, W = KH + m % 2, KW + n % 3
    x = r.normal(size=(C_in, H, W, d) if batch else (C_in, H, W))
    return {"x": x, "w": r.normal(size=(C_out, C_in, KH, KW)), "b": r.normal(size=C_out)}


@operation(
    "convolution",
    "y",
    "y[o, i, j] = b[o] + Σ_c Σ_k Σ_l w[o, c, k, l]·x[c, s·i + k − p, s·j + l − p]",
    r"y_{o,i,j} = b_o + \sum_{c} \sum_{k,l} w_{o,c,k,l} \, x_{c,\, s i + k - p,\, s j + l - p}",
    {"x": "C×H×W", "w": "O×C×P×Q", "b": "O"},
    "O×U×V",
    _examples_2d,
    options={"stride": 1, "padding": 0},
    unchecked=_context,
)
def conv2d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> ConvContext:
    """A 2-D convolution y = w ⋆ x + b (cross-correlation), several channels, samples last.

    y[o, i, j] = b[o] + Σ_{c,k,l} w[o, c, k, l]·x[c, s·i + k − p, s′·j + l − p′], x read as zero
    outside the image; stride (s, s′) and padding (p, p′) are whole numbers or pairs (rows,
    columns). ∂y/∂x is the banded block-Toeplitz matrix of w (:class:`~jacobians.Toeplitz`),
    ∂y/∂w = I_O ⊗ im2col(x), ∂y/∂b = I_O ⊗ 1.

    Shapes: x (C_in, H, W) | (C_in, H, W, d), w (C_out, C_in, KH, KW), b (C_out,) -> y (C_out,
    U, V) | (C_out, U, V, d), U = (H + 2p − KH)//s + 1, V = (W + 2p′ − KW)//s′ + 1.

    >>> r = conv2d(np.ones((1, 3, 3)), np.ones((2, 1, 2, 2)), np.zeros(2), padding=(0, 1))
    >>> r.value.shape, r.jacobians["x"].shape
    ((2, 2, 4), (16, 9))
    """
    return _prepare("conv2d", 2, x, w, b, stride, padding)


_rules(
    conv2d,
    (
        "T($w): T[(o,i,j), (c, s·i+k−p, s·j+l−p)] = $w[o,c,k,l]",
        r"T($w):\ T_{(o,i,j),\,(c,\,s i + k - p,\,s j + l - p)} = ${w}_{o,c,k,l}",
    ),
    (
        "I_O ⊗ im2col($x), im2col($x)[(i,j), (c,k,l)] = $x[c, s·i+k−p, s·j+l−p]",
        r"I_{O} \otimes \operatorname{im2col}($x),\ "
        r"\operatorname{im2col}($x)_{(i,j),\,(c,k,l)} = ${x}_{c,\, s i + k - p,\, s j + l - p}",
    ),
    "OUV CHW OCPQ",
)
