"""``jacobians plot``: the chain as heat maps at their true proportions, saved as PNG, PDF or
SVG (by the extension of --output)."""

from __future__ import annotations

import argparse
import sys

from ._cmd_common import add_source, derivation_from_args, rnn_from_args
from ._cmd_io import atomic_output

NAME = "plot"
HELP = "draw the chain's factors as heat maps at their true proportions (PNG, PDF or SVG)"
EPILOG = """examples:
  jacobians plot                                     # chain.png: one layer, n=3, m=4
  jacobians plot --n 6 --m 8 --output layer.svg
  jacobians plot mlp --sizes 4,8,8,3 --wrt W2 --output deep.pdf
  jacobians plot softmax --output softmax.png
  jacobians plot rnn --steps 30 --scale 0.8 --output rnn.png   # ‖∂h_T/∂h_t‖ against T − t
  jacobians plot network --layers conv1d:2x3,relu,flatten,dense:2 --output conv.png
  jacobians plot network --layers attention:1,dense:2 --wrt Wq1 --output attention.png
  jacobians plot network --layers rnn:3,dense:2 --wrt W1 --output rnn_chain.png

each panel has its own colour bar (blue negative, white 0, red positive); the values are written
in the cells when the chain is small enough to fit them (the single layer at n=3, m=4 is)

needs matplotlib: pip install 'jacobians[plot]'
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The source options and --output."""
    add_source(parser)
    parser.add_argument(
        "--output",
        "-o",
        default="chain.png",
        help="the file; its extension picks the format: .png, .pdf or .svg (default chain.png)",
    )


def needs_stdout(args: argparse.Namespace) -> bool:
    """Nothing goes to stdout: the picture to its file, the note to stderr."""
    return False


def outputs(args: argparse.Namespace) -> dict[str, str]:
    """The picture, checked before the work (read by cli)."""
    return {"--output": args.output}


def run(args: argparse.Namespace) -> int:
    """Draw the figure and save it (a temporary file beside it, renamed when complete)."""
    from .plot import chain_figure, check_chain_size, check_path, require_matplotlib, save

    check_path(args.output, "plot", "--output")  # a wrong extension is said before any work
    if args.source == "rnn":
        require_matplotlib()
        from ._plot_rnn import rnn_figure

        t = rnn_from_args(args)
        with atomic_output(args.output) as tmp:
            save(rnn_figure(t), tmp)
        print(f"wrote {args.output}: ‖∂h_T/∂h_t‖ for t = {t.steps} … 1", file=sys.stderr)
        return 0
    if args.source != "network":  # a network's chain is counted as it is drawn
        check_chain_size(args.source, n=args.n, m=args.m, sizes=args.sizes, wrt=args.wrt)
    require_matplotlib()  # how to install it, before the derivation is built
    d = derivation_from_args(args)
    fig = chain_figure(d)
    with atomic_output(args.output) as tmp:
        save(fig, tmp)
    print(f"wrote {args.output}: {' · '.join(F.symbol for F in d.factors)}", file=sys.stderr)
    return 0
