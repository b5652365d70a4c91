"""``jacobians verify FILE.py``: check a hand-derived Jacobian in a file, and name the mistake."""

from __future__ import annotations

import argparse
import json

from jacobians import verify_file

NAME = "verify"
HELP = "check the Jacobian `claimed` of `f` at `x`, defined in FILE.py; exit 1 if it is wrong"
EPILOG = """example FILE.py (∂C/∂W of C = ½‖σ(Wx + b) − y‖², derived by hand):
  import numpy as np
  W, xs, b, y = np.ones((2, 3)) / 3, np.array([1.0, 2.0, 3.0]), np.zeros(2), np.zeros(2)
  sig = lambda z: 1 / (1 + np.exp(-z))
  f = lambda W: 0.5 * np.sum((sig(W @ xs + b) - y) ** 2)
  x = W                               # the point: f is differentiated with respect to W
  a = sig(W @ xs + b)
  claimed = np.outer((a - y) * a * (1 - a), xs)   # the gradient, shaped like W

  jacobians verify FILE.py            # prints the report
  jacobians verify FILE.py --form matrix --format json

The file may also define wrt (for f of several arguments, x then a tuple or dict), layer (a
jacobians.Layer, for the activation-derivative diagnosis), form, rtol and atol.

exit status: 0 when claimed matches, 1 when it does not, 2 on bad input
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The file, and the options of jacobians.verify."""
    parser.add_argument("file", help="a Python file defining f, x and claimed")
    parser.add_argument("--wrt", default=None, help="the argument of f to differentiate")
    parser.add_argument(
        "--form",
        choices=("matrix", "tensor", "gradient"),
        default=None,
        help="require this form of claimed (default: accept any correct form)",
    )
    parser.add_argument(
        "--method",
        choices=("auto", "complex", "richardson", "central"),
        default=None,
        help="numeric method (default auto: complex step when f allows it, else Richardson)",
    )
    parser.add_argument("--rtol", type=float, default=None, help="relative tolerance (1e-6)")
    parser.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="how to print the report",
    )


def run(args: argparse.Namespace) -> int:
    """Print the report; 0 on a match, 1 on a mismatch."""
    wrt = args.wrt
    if wrt is not None and wrt.lstrip("-").isdigit():
        wrt = int(wrt)
    report = verify_file(args.file, wrt=wrt, form=args.form, method=args.method, rtol=args.rtol)
    if args.format == "json":
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        print(report._repr_markdown_())
    else:
        print(report)
    return 0 if report.matches else 1
