"""Random networks, data and targets for the net tests (hypothesis draws the shapes and a seed;
numpy draws the values from the seed, so values are realistic and never degenerate on purpose)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from jacobians import ACTIVATIONS
from net import LOSSES, MLP

ALL_ACTIVATIONS = sorted(ACTIVATIONS)
NON_ANALYTIC = ("relu", "leaky_relu")


def targets(rng: np.random.Generator, loss: str, n: int, d: int) -> np.ndarray:
    """Probability columns for the cross-entropies, normal values for squared error."""
    if LOSSES[loss].probabilities:
        return rng.dirichlet(np.ones(n), size=d).T
    return rng.normal(size=(n, d))


@st.composite
def networks(draw: st.DrawFn, max_depth: int = 4, max_width: int = 8, max_batch: int = 5):
    """(net, X, T): depth 1–4, widths 1–8, any activations, any loss, batch 1–5."""
    depth = draw(st.integers(1, max_depth))
    sizes = draw(st.lists(st.integers(1, max_width), min_size=depth + 1, max_size=depth + 1))
    loss = draw(st.sampled_from(sorted(LOSSES)))
    acts = draw(st.lists(st.sampled_from(ALL_ACTIVATIONS), min_size=depth, max_size=depth))
    if LOSSES[loss].needs_last:
        acts[-1] = LOSSES[loss].needs_last
    elif acts[-1] in LOSSES[loss].refuses:
        acts[-1] = "identity"
    d = draw(st.integers(1, max_batch))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    net = MLP(sizes, acts, loss, seed=seed % 1000)
    net.params = {k: rng.normal(size=v.shape) for k, v in net.params.items()}
    X = rng.normal(size=(sizes[0], d))
    T = targets(rng, loss, sizes[-1], d)
    if d == 1 and draw(st.booleans()):
        X, T = X[:, 0], T[:, 0]  # one sample as vectors
    return net, X, T


def kink_distance(net: MLP, X: np.ndarray) -> float:
    """The smallest |z| at a relu or leaky_relu layer (inf if there is none)."""
    net.forward(X)
    zs = [np.abs(net.z[k]).min() for k, a in enumerate(net.activations, 1) if a in NON_ANALYTIC]
    return float(min(zs, default=np.inf))
