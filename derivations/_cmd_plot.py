"""``jacobians plot``: the chain as heat maps at their true proportions, saved as PNG or SVG."""

from __future__ import annotations

import argparse
import sys

from ._cmd_common import add_source, derivation_from_args
from ._cmd_io import atomic_output

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


def needs_stdout(args: argparse.Namespace) -> bool:
    """Nothing goes to stdout: the picture to its file, the note to stderr."""
    return False


def outputs(args: argparse.Namespace) -> dict[str, str]:
    """The picture, checked before the work (read by cli)."""
    return {"--output": args.output}


def run(args: argparse.Namespace) -> int:
    """Draw and save the figure (a temporary file beside it, renamed when complete)."""
    from .plot import _check_path, chain_figure, check_chain_size

    _check_path(args.output)  # a wrong suffix is reported before any work
    check_chain_size(args.source, n=args.n, m=args.m, sizes=args.sizes, wrt=args.wrt)  # and size
    d = derivation_from_args(args)
    with atomic_output(args.output) as tmp:
        chain_figure(d, tmp)
    print(f"wrote {args.output}: {' · '.join(F.symbol for F in d.factors)}", file=sys.stderr)
    return 0
