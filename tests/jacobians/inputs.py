"""Valid random inputs for every operation in the registry (one entry an operation).

A new operation without an entry here fails test_every_operation_has_inputs, so it cannot escape the
finite-difference, complex-step and shape tests.
"""

import numpy as np


def _away_from_zero(z):
    """Push values away from a kink at 0, further than any finite-difference step."""
    return np.where(np.abs(z) < 0.05, np.sign(z + 1e-300) * 0.05 + z, z)


def _col(rng, n, d, batch):
    return rng.normal(size=(n, d)) if batch else rng.normal(size=n)


def _prob(rng, n, d, batch):
    p = rng.random((n, d)) + 0.05
    p /= p.sum(axis=0)
    return p if batch else p[:, 0]


INPUTS = {
    "linear": lambda r, n, m, d, bt: {
        "W": r.normal(size=(n, m)),
        "x": _col(r, m, d, bt),
        "b": r.normal(size=n),
    },
    "matmul": lambda r, n, m, d, bt: {"A": r.normal(size=(n, m)), "B": _col(r, m, d, bt)},
    "hadamard": lambda r, n, m, d, bt: {"u": _col(r, n, d, bt), "v": _col(r, n, d, bt)},
    "sigmoid": lambda r, n, m, d, bt: {"z": 3 * _col(r, n, d, bt)},
    "tanh": lambda r, n, m, d, bt: {"z": 2 * _col(r, n, d, bt)},
    "relu": lambda r, n, m, d, bt: {"z": _away_from_zero(_col(r, n, d, bt))},
    "leaky_relu": lambda r, n, m, d, bt: {"z": _away_from_zero(_col(r, n, d, bt))},
    "softplus": lambda r, n, m, d, bt: {"z": 3 * _col(r, n, d, bt)},
    "identity": lambda r, n, m, d, bt: {"z": _col(r, n, d, bt)},
    "softmax": lambda r, n, m, d, bt: {"z": 2 * _col(r, n, d, bt)},
    "squared_error": lambda r, n, m, d, bt: {"a": _col(r, n, d, bt), "y": _col(r, n, d, bt)},
    "cross_entropy": lambda r, n, m, d, bt: {"a": _prob(r, n, d, bt), "y": _prob(r, n, d, bt)},
    "softmax_cross_entropy": lambda r, n, m, d, bt: {
        "z": 2 * _col(r, n, d, bt),
        "y": _prob(r, n, d, bt),
    },
    "binary_cross_entropy": lambda r, n, m, d, bt: {
        "a": 0.05 + 0.9 * r.random((n, d) if bt else n),
        "y": r.random((n, d) if bt else n),
    },
    "sigmoid_binary_cross_entropy": lambda r, n, m, d, bt: {
        "z": 3 * _col(r, n, d, bt),
        "y": r.random((n, d) if bt else n),
    },
}


def inputs(name, seed, n, m, d, batch):
    return INPUTS[name](np.random.default_rng(seed), n, m, d, batch)
