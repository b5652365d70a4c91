"""Numeric differentiation: the independent referee for every closed form.

Central differences are accurate to about 1e-10 relative for smooth functions. Complex step,
f′(x) ≈ Im f(x + ih)/h with h = 1e-30, has no subtractive cancellation and is exact to rounding for
functions that are analytic and written without abs, conj or real-only branches.
"""

from __future__ import annotations

from collections.abc import Callable
from math import prod
from typing import Any

import numpy as np
from reshape import InputError, as_array

from ._jacobian import Dense

__all__ = ["numeric"]

METHODS = ("central", "complex")


def numeric(
    f: Callable[[np.ndarray], Any],
    x: Any,
    method: str = "central",
    step: float | None = None,
) -> Dense:
    """The full Jacobian of ``f`` at ``x`` by finite differences, in the toolkit's layout.

    Args:
        f: a function of one array returning an array (or a scalar).
        x: the point; its shape is the Jacobian's ``in_shape``, f(x)'s shape its ``out_shape``.
        method: ``"central"`` (default) or ``"complex"`` (complex step).
        step: the step h; by default ∛ε·max(1, |xᵢ|) for central differences, 1e-30 for complex.

    Shapes: x of shape in_shape, f(x) of shape out_shape -> prod(out_shape) × prod(in_shape).

    >>> numeric(lambda v: v**2, np.array([1.0, 2.0])).matrix.round(6)
    array([[2., 0.],
           [0., 4.]])
    """
    if method not in METHODS:
        raise InputError("numeric", "method", "'central' or 'complex'", repr(method))
    x = as_array(x, "numeric", "x")
    x = x.real.astype(np.float64) if method == "complex" else x.astype(np.float64)
    f0 = np.asarray(f(x))
    n_in, n_out = x.size, f0.size
    J = np.empty((n_out, n_in))
    flat = x.reshape(-1)
    if method == "central":
        hs = np.cbrt(np.finfo(np.float64).eps) * np.maximum(1.0, np.abs(flat)) if step is None else None
        for k in range(n_in):
            h = hs[k] if hs is not None else step
            xp, xm = flat.copy(), flat.copy()
            xp[k] += h
            xm[k] -= h
            fp = np.asarray(f(xp.reshape(x.shape)), dtype=np.float64).reshape(-1)
            fm = np.asarray(f(xm.reshape(x.shape)), dtype=np.float64).reshape(-1)
            J[:, k] = (fp - fm) / ((flat[k] + h) - (flat[k] - h))
    else:
        h = 1e-30 if step is None else step
        for k in range(n_in):
            xc = flat.astype(np.complex128)
            xc[k] += 1j * h
            J[:, k] = np.imag(np.asarray(f(xc.reshape(x.shape))).reshape(-1)) / h
    assert J.shape == (prod(f0.shape), prod(x.shape))
    return Dense(J, f0.shape, x.shape, of="f", wrt="x", closed_form="numeric")
