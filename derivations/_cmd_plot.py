"""``jacobians plot``: the chain as heat maps at their true proportions, saved as PNG or SVG."""

from __future__ import annotations

import argparse
import sys

from ._cmd_common import add_source, derivation_from_args

NAME = "plot"
HELP = "draw the chain's factors as heat maps at their true proportions (PNG or SVG)"
EPILOG = """examples:
  jacobians plot                                     # chain.png: one layer, n=3, m=4
  jacobians plot --n 6 --m 8 --output layer.svg
  jacobians plot mlp --sizes 4,8,8,3 --wrt W2 --output deep.png
  jacobians plot softmax --output softmax.png

needs matplotlib: pip install 'jacobians[plot]'
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The source options and --output."""
    add_source(parser)
    parser.add_argument(
        "--output", "-o", default="chain.png", help="the file, .png or .svg (default chain.png)"
    )


def run(args: argparse.Namespace) -> int:
    """Draw and save the figure."""
    from .plot import _check_path, chain_figure

    _check_path(args.output)  # a wrong suffix is reported before any work
    d = derivation_from_args(args)
    path = chain_figure(d, args.output)
    print(f"wrote {path}: {' · '.join(F.symbol for F in d.factors)}", file=sys.stderr)
    return 0
