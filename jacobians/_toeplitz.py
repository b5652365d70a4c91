"""The Toeplitz structure: ∂y/∂x of a convolution, kept as its kernel w and never as the banded
matrix; and the convolution's geometry, which the operations ``conv1d``/``conv2d`` share with it.

A convolution (cross-correlation, as deep learning computes it) y[o, t] = Σ_{c,k} w[o, c, k] ·
x[c, s·t + k − p] is linear in x: its Jacobian T has the entry w[o, c, k] in row (o, t) and
column (c, s·t + k − p), the same kernel shifted along every row, a banded (block-)Toeplitz
matrix. Applied to the columns of a matrix it *is* the convolution (an im2col gather and one
matrix product); applied to rows it is the transposed convolution (one matrix product and the
col2im sum of the overlapping taps). Either costs one multiply-add per tap of every output entry,
C_in·ΠK per entry, where the dense matrix has C_in·ΠL per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from reshape import InputError, ShapeError, as_size, is_whole

from ._jacobian import Jacobian, bare
from ._structure_args import Structure, building, checked_array, checked_shape

__all__ = ["Toeplitz", "conv_options", "correlate", "fits", "out_size", "patches", "whole_numbers"]

Ints = tuple[int, ...]


# ----- the geometry: stride, padding and sizes, checked once for the operations and the class -----
def conv_options(op: str, n: int, stride: Any, padding: Any) -> tuple[Ints, Ints]:
    """(stride, padding) as n-tuples: each a whole number (≥ 1 and ≥ 0), or for n = 2 a pair.

    >>> conv_options("conv2d", 2, 2, (1, 0))
    ((2, 2), (1, 0))
    """
    return whole_numbers(op, "stride", stride, n, 1), whole_numbers(op, "padding", padding, n, 0)


def whole_numbers(op: str, arg: str, v: Any, n: int, least: int) -> Ints:
    """``v`` as an n-tuple of whole numbers ≥ ``least``: one for every axis, or a sequence of one
    per axis; never rounded (2.5 is refused, as True is)."""
    if type(v) is tuple and len(v) == n and all(type(i) is int and i >= least for i in v):
        return v  # the common case: a layer's checked options
    if isinstance(v, np.ndarray) and v.ndim == 1:
        v = v.tolist()  # its entries as Python numbers, each checked as a list's is
    if isinstance(v, (tuple, list)):
        if len(v) != n:
            expected = f"a whole number ≥ {least}, or a sequence of {n} of them (one per axis)"
            raise InputError(op, arg, expected, f"{v!r}, of length {len(v)}")
        return tuple(as_size(i, op, arg, least) for i in v)
    return (as_size(v, op, arg, least),) * n


def out_size(size: Ints, kernel: Ints, stride: Ints, padding: Ints) -> Ints:
    """The output's spatial size: (L + 2p − K)//s + 1 along each axis."""
    return tuple(
        (n + 2 * p - k) // s + 1 for n, k, s, p in zip(size, kernel, stride, padding, strict=True)
    )


def fits(op: str, size: Ints, kernel: Ints, padding: Ints, kernel_arg: str = "w") -> None:
    """Refuse a kernel longer than the padded input (naming ``kernel_arg``), and a padding of K or
    more ('padding': the outputs it adds see only zeros)."""
    axes = ("length",) if len(size) == 1 else ("height", "width")
    for axis, n, k, p in zip(axes, size, kernel, padding, strict=True):
        if k > n + 2 * p:
            raise ShapeError(
                op,
                kernel_arg,
                f"a kernel no longer than the padded input: {axis} {k} ≤ {n} + 2·{p}",
                f"a kernel of {axis} {k} (kernel size {kernel})",
                "pad the input (padding K − 1 gives the full convolution), or shorten the kernel",
            )
        if p >= k:
            raise InputError(
                op,
                "padding",
                f"a padding of at most K − 1 = {k - 1} along the {axis} (the full convolution)",
                f"padding {p}",
                "a padding of K or more only adds outputs that see zeros alone",
            )


def _padded(x: np.ndarray, padding: Ints) -> np.ndarray:
    """x (C, *S, e) with p zeros on both sides of each spatial axis."""
    if not any(padding):
        return x
    return np.pad(x, [(0, 0), *((p, p) for p in padding), (0, 0)])


def patches(x: np.ndarray, kernel: Ints, stride: Ints, padding: Ints) -> np.ndarray:
    """The im2col matrix of x (C, *S, e): row (t, j), column (c, k) holds xpad[c, s·t + k, j].

    Shapes: x (C, *S, e) -> (prod(S_out)·e, C·prod(K)), a copy (the windows overlap).

    >>> patches(np.arange(4.0).reshape(1, 4, 1), (2,), (2,), (0,))
    array([[0., 1.],
           [2., 3.]])
    """
    n, C = len(kernel), x.shape[0]
    axes = tuple(range(1, n + 1))
    windows = sliding_window_view(
        _padded(np.asarray(x), padding), kernel, axis=axes
    )  # (C, *W, e, *K)
    windows = windows[(slice(None), *(slice(None, None, s) for s in stride))]  # (C, *S_out, e, *K)
    order = (*range(1, n + 2), 0, *range(n + 2, 2 * n + 2))  # (*S_out, e, C, *K)
    return windows.transpose(order).reshape(-1, C * prod(kernel))


def correlate(x: np.ndarray, w: np.ndarray, stride: Ints, padding: Ints) -> np.ndarray:
    """y[o, t, j] = Σ_{c,k} w[o, c, k] · xpad[c, s·t + k, j]: the im2col gather, then one product
    of prod(S_out)·e·O·C·prod(K) multiply-adds.

    Shapes: x (C, *S, e), w (O, C, *K) -> (O, *S_out, e).
    """
    C_out, kernel = w.shape[0], w.shape[2:]
    S_out = out_size(x.shape[1:-1], kernel, stride, padding)
    Y = patches(x, kernel, stride, padding) @ w.reshape(C_out, -1).T  # (prod(S_out)·e, C_out)
    return Y.T.reshape(C_out, *S_out, x.shape[-1])


def transposed(G: np.ndarray, w: np.ndarray, size: Ints, stride: Ints, padding: Ints) -> np.ndarray:
    """The transposed convolution: G (k, O, *S_out, d) -> (k, C, *S, d), Σ over (o, t, kk) with
    s·t + kk − p = position of G[o, t] · w[o, c, kk]. One product gives every tap's column
    (C·ΠK·k·prod(S_out)·d entries, O multiply-adds each, the first into nothing); the col2im
    loop adds each into its place: one addition per entry, so O multiply-adds per entry in all.
    """
    k, C_out, C, kernel = G.shape[0], w.shape[0], w.shape[1], w.shape[2:]
    S_out, d = G.shape[2:-1], G.shape[-1]
    cols = w.reshape(C_out, -1).T @ np.moveaxis(G, 1, 0).reshape(C_out, -1)  # (C·ΠK, k·ΠS_out·d)
    cols = cols.reshape(C, *kernel, k, *S_out, d)
    full = tuple(n + 2 * p for n, p in zip(size, padding, strict=True))
    out = np.zeros((C, k, *full, d), dtype=cols.dtype)
    for tap in np.ndindex(*kernel):
        where = (slice(None), slice(None))
        where += tuple(
            slice(o, o + s * (m - 1) + 1, s) for o, s, m in zip(tap, stride, S_out, strict=True)
        )
        out[where] += cols[(slice(None), *tap)]
    crop = (
        slice(None),
        slice(None),
        *(slice(p, p + n) for p, n in zip(padding, size, strict=True)),
    )
    return np.moveaxis(out[crop], 1, 0)


class Toeplitz(Jacobian):
    """∂y/∂x of a convolution: the banded (block-)Toeplitz matrix of the kernel w, kept as w.

    T[(o, t), (c, s·t + k − p)] = w[o, c, k] for one sample x (C_in, *S); for a batch (C_in, *S, d),
    samples last, the same map acts on each sample: T ⊗ I_d in row-major vec order. ``.left`` of
    a matrix is the convolution of each column, ``.right`` the transposed convolution of each
    row; each costs C_in·prod(K) multiply-adds per output entry and per column (row). The banded
    matrix is made only for ``.matrix``.

    Args:
        w: the kernel, (C_out, C_in, K) for a 1-D convolution, (C_out, C_in, KH, KW) for a 2-D one.
        size: the input's spatial size, L (or (L,)) or (H, W).
        stride, padding: whole numbers (≥ 1, ≥ 0) or, in 2-D, pairs of them.
        d: None for one sample (in_shape (C_in, *size)), else the samples (in_shape + (d,)).

    Shapes: in_shape (C_in, *size[, d]) -> out_shape (C_out, *S_out[, d]), S_out = (S + 2p − K)//s
    + 1; ``.matrix`` is C_out·prod(S_out)·d × C_in·prod(size)·d.

    >>> T = Toeplitz(np.array([[[1.0, 2.0]]]), 3)  # y[t] = x[t] + 2 x[t + 1]
    >>> T.matrix
    array([[1., 2., 0.],
           [0., 1., 2.]])
    >>> T.right(np.array([[1.0, 10.0]]))  # the transposed convolution of a row
    array([[ 1., 12., 20.]])
    """

    kind = "toeplitz"
    short = "toeplitz"
    # As blocks (3): a sparse band, after a diagonal or Kronecker factor and before a dense one,
    # applying itself to a dense factor rather than being made dense.
    rank = 3

    def __init__(
        self,
        w: np.ndarray,
        size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: int | Sequence[int] = 0,
        d: int | None = None,
        **labels: str,
    ) -> None:
        op = "Toeplitz"
        expected = "a kernel (C_out, C_in, K) or (C_out, C_in, KH, KW)"
        w = checked_array(op, "w", w, (3, 4), expected)
        n, kernel = w.ndim - 2, w.shape[2:]
        if not building():
            size = checked_shape(op, "size", (size,) if is_whole(size) else size)
            if len(size) != n:
                expected = f"{n} spatial size{'s' if n > 1 else ''}, as w has {n} kernel axes"
                raise ShapeError(op, "size", expected, f"{size!r}")
            if d is not None:
                d = as_size(d, op, "d")
        size = tuple(size)  # type: ignore[arg-type]
        stride, padding = conv_options(op, n, stride, padding)
        fits(op, size, kernel, padding)
        S_out = out_size(size, kernel, stride, padding)
        samples = () if d is None else (d,)
        C_out, C_in = w.shape[:2]
        super().__init__((C_out, *S_out, *samples), (C_in, *size, *samples), **labels)
        self.w, self.size, self.stride, self.padding = w, size, stride, padding
        self.S_out, self.d, self.transposed = S_out, 1 if d is None else d, False

    @property
    def dtype(self) -> np.dtype:
        return self.w.dtype

    def _macs(self) -> int:
        """Multiply-adds per column (row) of an action: C_in·prod(K) per output entry."""
        return self.w.size * prod(self.S_out) * self.d

    def _structure_of(self) -> Structure:
        # block: the multiply-adds of one column (row) of left (right), all the planner needs
        return Structure(self.kind, *self.shape, block=self._macs())

    def _dense(self) -> np.ndarray:
        """Each tap written into zeros (no arithmetic), per sample, then I_d interleaved."""
        C_out, C, kernel = *self.w.shape[:2], self.w.shape[2:]
        full = tuple(n + 2 * p for n, p in zip(self.size, self.padding, strict=True))
        T = np.zeros((C_out, *self.S_out, C, *full), dtype=self.dtype)
        t = np.meshgrid(*(np.arange(m) for m in self.S_out), indexing="ij", sparse=True)
        for tap in np.ndindex(*kernel):
            at = tuple(ti * s + o for ti, s, o in zip(t, self.stride, tap, strict=True))
            # advanced axes first: the assigned slot is (*S_out, C_out, C), w's tap broadcast
            T[(slice(None), *t, slice(None), *at)] = self.w[(slice(None), slice(None), *tap)]
        crop = (slice(p, p + n) for p, n in zip(self.padding, self.size, strict=True))
        T = T[(Ellipsis, *crop)].reshape(C_out * prod(self.S_out), C * prod(self.size))
        if self.d > 1:
            J = np.zeros((T.shape[0], self.d, T.shape[1], self.d), dtype=self.dtype)
            j = np.arange(self.d)
            J[:, j, :, j] = T  # advanced axes first: (d, rows, cols)
            T = J.reshape(T.shape[0] * self.d, -1)
        return T.T if self.transposed else T

    def transpose(self) -> Toeplitz:
        """The transposed convolution's Jacobian, the same kernel read the other way."""
        T = bare(Toeplitz, **{k: v for k, v in self.__dict__.items() if k != "_structure"})
        T.transposed = not self.transposed
        return T._as_transpose_of(self)

    # ----- the convolution of each column, the transposed convolution of each row -----
    def _conv(self, M: np.ndarray) -> np.ndarray:
        """M (in entries, k) -> T·M: the (d, k) columns of each position are one batch."""
        k = M.shape[1]
        Y = correlate(M.reshape(self.w.shape[1], *self.size, -1), self.w, self.stride, self.padding)
        return Y.reshape(-1, k)

    def _tconv(self, M: np.ndarray) -> np.ndarray:
        """M (k, out entries) -> M·T."""
        k = M.shape[0]
        G = M.reshape(k, self.w.shape[0], *self.S_out, self.d)
        return transposed(G, self.w, self.size, self.stride, self.padding).reshape(k, -1)

    def _left(self, M: np.ndarray) -> np.ndarray:
        return self._tconv(M.T).T if self.transposed else self._conv(M)

    def _right(self, M: np.ndarray) -> np.ndarray:
        return self._conv(M.T).T if self.transposed else self._tconv(M)

    @staticmethod
    def left_cost(s: Structure, k: int) -> int:
        return s.block * k  # type: ignore[operator]

    @staticmethod
    def right_cost(s: Structure, k: int) -> int:
        return k * s.block  # type: ignore[operator]

    def _gain(self, side: str) -> float:
        """A row of T holds each of w[o]'s taps once at most, a column each of w[:, c]'s: the
        largest row sum of |T| (from the left) and column sum (from the right) are bounded by
        them."""
        a = np.abs(np.asarray(self.w)).reshape(*self.w.shape[:2], -1)
        by_row = (side == "left") != self.transposed
        return float(a.sum(axis=(1, 2)).max() if by_row else a.sum(axis=(0, 2)).max())
