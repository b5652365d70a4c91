"""``jacobians train``: fit sin(x) on [−π, π] with a small tanh network, with a progress bar, a
warning when the loss grows far past its start, and a picture (PNG, PDF or SVG)."""

from __future__ import annotations

import argparse
import sys
import warnings

import numpy as np

from net import LossGrowthWarning, NonFiniteLossError, sine_data, sine_demo
from reshape import check_bytes

from ._cmd_io import atomic_output, one_line

NAME = "train"
HELP = "fit sin(x) on [−π, π] with a small tanh network; saves a picture of the fit and the loss"
EPILOG = """examples:
  jacobians train                                    # 8000 epochs, picture in sine.png
  jacobians train --epochs 2000 --method jacobian --output fit.pdf
  jacobians train --sizes 1,16,1 --lr 0.02 --no-plot

the progress bar is drawn on a terminal (stderr); a run whose loss rises past 100× its start
ends with a warning on stderr (lower --lr, or --clip); the picture needs matplotlib
(pip install 'jacobians[plot]'): without it the network is trained and the picture skipped
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Training options and the picture."""
    from ._cmd_common import csv_ints

    parser.add_argument("--epochs", type=int, default=8000, help="steps (default 8000)")
    parser.add_argument("--lr", type=float, default=0.05, help="learning rate (default 0.05)")
    parser.add_argument(
        "--method",
        default="shortcut",
        choices=["shortcut", "jacobian"],
        help="how each gradient is computed (default shortcut)",
    )
    parser.add_argument("--clip", type=float, default=1.0, help="gradient-norm clip (default 1)")
    parser.add_argument("--sizes", type=csv_ints, default=[1, 8, 8, 1], help="widths: 1,8,8,1")
    parser.add_argument("--samples", type=int, default=32, help="points on [−π, π] (default 32)")
    parser.add_argument("--seed", type=int, default=0, help="initialisation seed (default 0)")
    parser.add_argument(
        "--output", "-o", default="sine.png", help="the picture: .png, .pdf or .svg (sine.png)"
    )
    parser.add_argument("--no-plot", action="store_true", help="do not save a picture")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def outputs(args: argparse.Namespace) -> dict[str, str]:
    """The picture, unless --no-plot: checked before training (read by cli)."""
    return {} if args.no_plot else {"--output": args.output}


def run(args: argparse.Namespace) -> int:
    """Train, report the loss, save the picture (a temporary file beside it, then renamed)."""
    from .plot import MatplotlibMissingError, check_path, require_matplotlib

    picture = not args.no_plot
    if picture:
        check_path(args.output, "train", "--output")  # a wrong extension: said before training
        try:
            require_matplotlib()
        except MatplotlibMissingError:  # train anyway; the last line says how to get the picture
            picture = False
    _check_limits(args.sizes, args.samples, args.epochs)  # before any array is made
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", LossGrowthWarning)
            net, history = sine_demo(
                epochs=args.epochs,
                lr=args.lr,
                method=args.method,
                clip=args.clip,
                sizes=args.sizes,
                seed=args.seed,
                d=args.samples,
                quiet=args.quiet,
            )
    except NonFiniteLossError as exc:  # the run diverged: not bad input, but no traceback either
        print(f"jacobians {one_line(exc)}", file=sys.stderr)  # its message starts "train:"
        return 1
    for w in caught:
        if isinstance(w.message, LossGrowthWarning):
            print(f"jacobians train: warning: {_grew(w.message)}", file=sys.stderr)
        else:  # any other warning, as Python would show it
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    X, T = sine_data(args.samples)
    fit = net.forward(X)
    mse = float(((fit - T) ** 2).mean())
    print(
        f"{net!r}: cost {history[0]:.4g} -> {history[-1]:.4g} in {args.epochs} epochs, "
        f"mean squared error {mse:.3g}"
    )
    if picture:
        from .plot import save, sine_figure

        xs = np.linspace(-np.pi, np.pi, 400)
        fig = sine_figure(
            (X[0], T[0]),
            (xs, net.forward(xs.reshape(1, -1))[0]),
            history,
            title=f"sin(x) by {net!r}, {args.epochs} epochs, lr {args.lr:g}, {args.method}",
        )
        with atomic_output(args.output) as tmp:
            save(fig, tmp)
        print(f"wrote {args.output}", file=sys.stderr)
    elif not args.no_plot:
        print(
            "jacobians train: no picture: it needs matplotlib, which is not installed "
            "(pip install 'jacobians[plot]'); --no-plot skips it",
            file=sys.stderr,
        )
    return 0


def _grew(w: LossGrowthWarning) -> str:
    """The warning in the command's words: its options, not train's arguments."""
    clip = "" if w.clip is None else f" or --clip ({w.clip:g})"
    return f"{w.grew()}: the steps overshoot; lower --lr ({w.lr:g}){clip}"


def _check_limits(sizes: list[int], samples: int, epochs: int) -> None:
    """Refuse, within a second, a run whose arrays would pass the limit on memory (values that
    ``sine_demo`` refuses by name pass through to it).

    Each epoch holds the batch's inputs and targets and, per layer, z, y and the backward pass's
    row and product (float64); the history keeps one loss per epoch.
    """
    if min(sizes, default=0) < 1 or samples < 1 or epochs < 0:
        return
    numbers = samples * (2 + 4 * sum(sizes[1:]))
    check_bytes(
        "train",
        f"the batch of {samples} samples through widths {sizes} ({numbers} numbers of float64)",
        8 * numbers,
        "use fewer --samples",
    )
    check_bytes(
        "train", f"the loss history of {epochs} epochs", 8 * (epochs + 1), "use fewer --epochs"
    )
