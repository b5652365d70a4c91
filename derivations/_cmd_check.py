"""``jacobians check``: the gradient of every parameter of a network three ways, side by side."""

from __future__ import annotations

import argparse
from itertools import pairwise

import numpy as np

from net import MLP, compare
from reshape import check_bytes

from ._cmd_common import csv_ints, csv_names
from ._network import default_activations

NAME = "check"
HELP = "compare the full-Jacobian chain, backprop and numeric gradients; exit 1 if they disagree"
EPILOG = """examples:
  jacobians check                                    # 2,3,3,1 tanh network, squared error
  jacobians check --sizes 4,16,16,3 --activations relu,relu,identity --samples 8
  jacobians check --sizes 3,5,4 --activations sigmoid,identity --loss softmax_cross_entropy

exit status: 0 when every pair agrees within --tol (relative), 1 when one does not, 2 on bad input
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The architecture, the data and the tolerance."""
    parser.add_argument("--sizes", type=csv_ints, default=[2, 3, 3, 1], help="widths: 2,3,3,1")
    parser.add_argument(
        "--activations",
        type=csv_names,
        default=None,
        help="one per layer (default: tanh, identity last)",
    )
    parser.add_argument(
        "--loss",
        default="squared_error",
        help="squared_error (default), softmax_cross_entropy, cross_entropy",
    )
    parser.add_argument("--samples", type=int, default=4, help="samples in the batch (default 4)")
    parser.add_argument("--seed", type=int, default=0, help="initialisation and data (default 0)")
    parser.add_argument(
        "--tol",
        type=float,
        default=None,
        help="largest relative difference allowed (default 1e-9; 1e-5 with relu-like layers)",
    )


def run(args: argparse.Namespace) -> int:
    """Print the comparison table and the verdict; 1 when any pair disagrees."""
    sizes = args.sizes
    acts = args.activations or default_activations(len(sizes) - 1, args.loss)
    if args.samples < 1:
        raise ValueError(f"--samples must be at least 1, got {args.samples}")
    _check_limits(sizes, args.samples)  # before the network, the data or any gradient
    net = MLP(sizes, acts, args.loss, seed=args.seed)
    rng = np.random.default_rng(args.seed + 1)
    X = rng.normal(size=(sizes[0], args.samples))
    if args.loss == "squared_error":
        T = rng.normal(size=(sizes[-1], args.samples))
    else:
        T = np.eye(sizes[-1])[:, rng.integers(sizes[-1], size=args.samples)]
    tol = args.tol if args.tol is not None else (1e-9 if net.analytic else 1e-5)
    if not 0 < tol < float("inf"):  # inf would pass any disagreement
        raise ValueError(f"--tol must be a positive finite number, got {args.tol}")
    c = compare(net, X, T)
    numeric = "complex step" if net.analytic else "central differences"
    print(f"{net!r}, {args.samples} samples; numeric = {numeric}")
    print(c)
    worst = {f"{a} vs {b}": c.worst(a, b) for a, b in c.pairs}
    bad = {k: v for k, v in worst.items() if not v <= tol}
    verdict = "; ".join(f"{k} {v:.1e}" for k, v in worst.items())
    if bad:
        print(f"DISAGREE (relative tolerance {tol:.0e}): {verdict}")
        return 1
    print(f"agree within {tol:.0e} (relative): {verdict}")
    return 0


def _check_limits(sizes: list[int], samples: int) -> None:
    """Refuse, within a second, a check that would pass the limit on memory (``--sizes`` and
    ``--samples`` whose numbers MLP will refuse by name pass through to it).

    The batch: inputs, targets and each layer's z and y, complex (16 bytes) while the numeric
    check runs. The numeric check evaluates the network once per parameter, P times, and each
    evaluation reads the P parameters and writes the batch's activations, P·(P + Σl·d) numbers
    in all: it grows with the square of the parameters (``200,200,1``: 4 minutes).
    """
    if len(sizes) < 2 or min(sizes) < 1:
        return
    count = sum(n * m + n for m, n in pairwise(sizes))
    activations = sizes[0] + sizes[-1] + 2 * sum(sizes[1:])
    check_bytes(
        "check",
        f"the batch of {samples} samples through widths {sizes}, {samples * activations} numbers"
        " (inputs, targets, each layer's z and y, complex during the numeric check),",
        16 * samples * activations,
        "use fewer --samples",
    )
    written = 2 * samples * sum(sizes[1:])  # each layer's z and y
    work = count * (count + written)
    check_bytes(
        "check",
        f"the numeric gradient of {count} parameters ({count} evaluations of the network, each"
        f" reading the {count} parameters and writing {written}"
        f" activations: {work:.2e} numbers of float64)",
        8 * work,
        "use smaller --sizes or fewer --samples",
    )
