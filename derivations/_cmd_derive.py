"""``jacobians derive``: a derivation table for a source, sizes, activation, cost and format."""

from __future__ import annotations

import argparse

from ._cmd_common import add_format, add_source, derivation_from_args, emit, render_options

NAME = "derive"
HELP = "a derivation table: each factor's closed form and shape, the product, the checks"
EPILOG = """examples:
  jacobians derive                                   # one layer, sigmoid, squared error, n=3, m=4
  jacobians derive --n 2 --m 3 --matrices            # with the factors' numbers
  jacobians derive --activation tanh --wrt b --format markdown
  jacobians derive softmax --n 4 --m 3 --format latex --document > softmax.tex
  jacobians derive mlp --sizes 2,3,3,1 --activations tanh,tanh,identity --wrt W1
  jacobians derive --format json | python -m json.tool
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The source options, the format, and --matrices / --document."""
    add_source(parser)
    parser.add_argument(
        "--matrices", action="store_true", help="show each factor's numbers (small sizes only)"
    )
    add_format(parser)


def run(args: argparse.Namespace) -> int:
    """Print the table; exit 0 (the checks are reported in the table; `check` fails on them)."""
    options = render_options(args)
    d = derivation_from_args(args, show_matrices=args.matrices)
    emit(d.render(args.format, **options), args)
    return 0
