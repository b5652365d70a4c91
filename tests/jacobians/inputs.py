"""Valid random inputs for every operation in the registry, read from each operation's own
``examples`` (part of its one definition: an operation cannot be declared without them)."""

import numpy as np

from jacobians import OPERATIONS

INPUTS = {name: op.examples for name, op in OPERATIONS.items()}


def inputs(name, seed, n, m, d, batch):
    """The keyword arguments of a valid call of ``name`` (looked up now, so an operation
    registered by a test is found too)."""
    return OPERATIONS[name].examples(np.random.default_rng(seed), n, m, d, batch)
