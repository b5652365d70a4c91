"""What every layer's tests check: its two backward passes against each other and against
complex-step numerics, for C = sum(R ⊙ layer(X)) with a random R."""

import numpy as np

from jacobians import numeric
from jacobians._structure_args import from_checked


def relative(a, b, terms=0.0):
    """max|a − b| over the larger of max|a|, max|b| and ``terms``, the size of the terms a sum
    cancels (dx of a norm over two entries is eps's trace of terms g′/σ ~ 1)."""
    return np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max(), terms, 1e-300)


def check_three_ways(layer, P, X, seed, differentiable_input=True, terms=None):
    """jacobian_backward = shortcut_backward (1e-10 relative) = complex-step numerics (1e-6) of
    C = sum(R ⊙ layer(X)) for every parameter and, where ``differentiable_input``, the input
    (else both passes give None for it); ``terms(P, cache, R)`` sizes the terms the input's
    gradient cancels (see :func:`relative`)."""
    cache = layer.forward(P, X)
    R = np.random.default_rng(seed).normal(size=cache.value.shape)
    with from_checked():  # as the network runs it
        gj, xj = layer.jacobian_backward(P, cache, R)
    gs, xs = layer.shortcut_backward(P, cache, R)
    assert gj.keys() == gs.keys() == P.keys()

    def cost(P2, X2):
        return np.sum(R * layer.forward(P2, X2).value)

    for p in P:
        assert gj[p].shape == P[p].shape and relative(gj[p], gs[p]) < 1e-10, p
        N = numeric(lambda v, p=p: cost({**P, p: v}, X), P[p], method="complex").matrix
        np.testing.assert_allclose(gj[p].reshape(-1), N.reshape(-1), rtol=1e-6, atol=1e-9)
    if not differentiable_input:
        assert xj is None and xs is None
        return
    size = 0.0 if terms is None else terms(P, cache, R)
    assert xj.shape == X.shape and relative(xj, xs, size) < 1e-10
    N = numeric(lambda v: cost(P, v), X, method="complex").matrix
    np.testing.assert_allclose(xj.reshape(-1), N.reshape(-1), rtol=1e-6, atol=1e-9)
