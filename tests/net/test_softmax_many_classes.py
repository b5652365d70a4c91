"""Softmax last with cross-entropy and many classes: the full-Jacobian gradient multiplies the
prefix row by diag(a) − a aᵀ kept as a diagonal plus a rank-one term per sample, so it makes no
n×n block and needs about the shortcut's memory (measured by tracemalloc, not by the clock)."""

import tracemalloc

import numpy as np
import pytest

from jacobians import BlockDiagonal, DiagonalPlusLowRank
from net import MLP


def _peak(f):
    tracemalloc.start()
    try:
        f()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(("sizes", "d"), [([20, 16, 500], 64), ([30, 16, 1000], 1)])
def test_jacobian_gradient_makes_no_block_and_keeps_the_shortcuts_memory(sizes, d, monkeypatch):
    def refuse(self):
        raise AssertionError(f"the dense form of {self!r} was made")

    for cls in (DiagonalPlusLowRank, BlockDiagonal):
        monkeypatch.setattr(cls, "_dense", refuse)
    rng = np.random.default_rng(7)
    net = MLP(sizes, ["sigmoid", "softmax"], "cross_entropy", seed=2)
    X, T = rng.normal(size=(sizes[0], d)), np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], d)]
    want, got = net.gradients(X, T, "shortcut"), net.gradients(X, T, "jacobian")
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-10, atol=1e-14, err_msg=name)
    shortcut = _peak(lambda: net.gradients(X, T, "shortcut"))
    jacobian = _peak(lambda: net.gradients(X, T, "jacobian"))
    assert jacobian <= 2 * shortcut, (jacobian / 2**20, shortcut / 2**20)
