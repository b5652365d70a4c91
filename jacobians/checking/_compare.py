"""Comparing a claim with the numeric Jacobian by blocks of rows, so ``verify`` holds a few
matrices of the Jacobian's size and no temporaries of that size.

Each function gives the same numbers as the whole-matrix expression in its docstring (``dot`` up
to the order of its sum): the blocks only bound the temporaries (|M − T|, c·T, tol·c) to about
:data:`BLOCK` entries.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["BLOCK", "beyond", "differing", "dot", "row_blocks", "tolerance", "within"]

BLOCK = 1 << 14  # entries per block of rows (128 KiB of float64)


def row_blocks(shape: tuple[int, ...]) -> Iterator[slice]:
    """Slices of whole rows of a matrix of ``shape``, about :data:`BLOCK` entries each."""
    rows = max(1, BLOCK // max(1, shape[1]))
    for i in range(0, shape[0], rows):
        yield slice(i, i + rows)


def tolerance(J: np.ndarray, err: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """``atol + rtol·|J| + 2·err``, entry by entry, built in one matrix."""
    tol = np.abs(J)
    tol *= rtol
    tol += atol
    for s in row_blocks(J.shape):
        tol[s] += 2 * err[s]
    return tol


def within(
    M: np.ndarray, T: np.ndarray, tol: np.ndarray, c: float = 1.0, times: float | None = None
) -> bool:
    """``all(|M − times·T| ≤ tol·max(1, |c|))`` (``times`` None: T as it is)."""
    scale = max(1.0, abs(c))
    with np.errstate(over="ignore"):  # a claim near the float range: a gap of inf is not within
        for s in row_blocks(M.shape):
            Ts = T[s] if times is None else times * T[s]
            if not np.all(np.abs(M[s] - Ts) <= tol[s] * scale):
                return False
    return True


def differing(given: np.ndarray, J: np.ndarray, tol: np.ndarray) -> tuple[np.ndarray, float]:
    """``(|given − J| > tol, max |given − J|)``: the entries that differ, and the largest gap."""
    bad = np.empty(J.shape, dtype=bool)
    top = 0.0
    with np.errstate(over="ignore"):  # a gap past the float range is inf, and differs
        for s in row_blocks(J.shape):
            d = np.abs(given[s] - J[s])
            np.greater(d, tol[s], out=bad[s])
            top = max(top, float(d.max()))
    return bad, top


def beyond(given: np.ndarray, J: np.ndarray, atol: float, rtol: float) -> np.ndarray:
    """``|given − J| > atol + rtol·|J|``: the entries that differ by more than the tolerance
    without the numeric error's allowance."""
    out = np.empty(J.shape, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for s in row_blocks(J.shape):
            np.greater(np.abs(given[s] - J[s]), atol + rtol * np.abs(J[s]), out=out[s])
    return out


def dot(A: np.ndarray, B: np.ndarray) -> float:
    """``Σ A ⊙ B`` over all entries, summed block by block (±inf past the float range: a claim
    of 1e300 has no plausible factor, and the caller checks that)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return float(sum(np.sum(A[s] * B[s]) for s in row_blocks(A.shape)))
