"""``jacobians verify FILE.py``: check a hand-derived Jacobian in a file, and name the mistake;
or ``jacobians verify "EXPR" --wrt X --claimed "TEXT"``: a closed form typed for an expression."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from jacobians import verify
from jacobians.checking import FULL_UP_TO
from reshape import InputError

from ._cmd_common import add_format, as_flags, emit
from ._cmd_common import needs_stdout as needs_stdout  # read by cli: stdout unless --output
from ._cmd_common import outputs as outputs  # read by cli: --output checked before the work
from ._cmd_verify_child import render_report, verify_in_child
from ._report_latex import report_from_dict, report_latex

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
  jacobians verify FILE.py --mode fast   # along random directions: seconds at any size
  jacobians verify FILE.py -o report.tex --document   # a LaTeX file, ready for pdflatex

The file may also define wrt (for f of several arguments, x then a tuple or dict), layer (a
jacobians.Layer, for the activation-derivative diagnosis), form, method, mode, rtol and atol.
It runs in a child process, as `python FILE.py` would (it can import modules beside it; what it
prints goes to stderr), within --timeout seconds: an exit, a crash, an exception or a hang in the
file or in f is an error (exit 2), never a match. A long full check draws its progress on stderr
when stderr is a terminal.

an expression and a closed form typed for it (matrixcalculus.org's language), checked at --draws
random points (3) of the sizes --shape gives (a size left open is 3):
  jacobians verify "tr(A*X'*B*X*C)" --wrt X --claimed "B'*X*A'*C' + B*X*C*A"
  jacobians verify "A*X*B" --wrt X --claimed "kron(A, B')" --shape A=2x3 --shape X=3x4

exit status: 0 when claimed matches, 1 when it does not, 2 on bad input or when the file
exits, crashes, raises or runs past --timeout
"""

TIMEOUT = 60.0  # seconds, for a file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The file, and the options of jacobians.verify."""
    parser.add_argument(
        "file",
        metavar="FILE|EXPR",
        help="a Python file defining f, x and claimed; or an expression",
    )
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
    parser.add_argument(
        "--mode",
        choices=("auto", "fast", "full"),
        default=None,
        help="full: every entry against the whole numeric Jacobian; fast: along random "
        "directions, a dozen calls of f at any size; auto (default): full up to "
        f"{FULL_UP_TO:,} entries of the Jacobian, fast above",
    )
    parser.add_argument("--rtol", type=float, default=None, help="relative tolerance (1e-6)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help=f"a file: stop it after this many seconds (default {TIMEOUT:g})",
    )
    g = parser.add_argument_group("expression")
    g.add_argument("--claimed", default=None, help="the closed form claimed, as text")
    g.add_argument(
        "--shape", action="append", default=None, metavar="NAME=SHAPE", help="A=3x4 (repeat)"
    )
    g.add_argument("--draws", type=int, default=None, help="random points to check at (3)")
    g.add_argument("--seed", type=int, default=None, help="the random draws (0)")
    add_format(parser)


def run(args: argparse.Namespace) -> int:
    """Print the report; 0 on a match, 1 on a mismatch."""
    wrt = args.wrt
    if wrt is not None and wrt.lstrip("-").isdigit():
        wrt = int(wrt)
    expression = not (args.file.endswith(".py") or Path(args.file).is_file())
    if not expression:
        given = [o for o in ("claimed", "shape", "draws", "seed") if getattr(args, o) is not None]
        if given:
            raise ValueError(f"--{given[0]} applies to an expression, not to a file")
        timeout = TIMEOUT if args.timeout is None else args.timeout
        if not 0 < timeout < float("inf"):
            raise ValueError(f"--timeout must be a positive number of seconds, got {args.timeout}")
        options = {
            "wrt": wrt,
            "form": args.form,
            "method": args.method,
            "mode": args.mode,
            "rtol": args.rtol,
        }
        # the child renders the report; LaTeX is made here, from the report's JSON document
        fmt = "json" if args.format == "latex" else args.format
        matches, text = verify_in_child(args.file, options, fmt, timeout)
        if args.format == "latex":
            text = report_latex(report_from_dict(json.loads(text)), args.document)
        emit(text if text.endswith("\n") else text + "\n", args)
        return 0 if matches else 1
    if args.timeout is not None:
        raise ValueError("--timeout applies to a file, not to an expression")
    report = _verify_expression(args)  # a ParseError's caret picture is kept by cli
    if args.format == "latex":
        text = report_latex(report, args.document)
    else:
        text = render_report(report, args.format) + "\n"
    emit(text, args)
    return 0 if report.matches else 1


def _verify_expression(args: argparse.Namespace):  # noqa: ANN202 - a Report
    if args.claimed is None:
        raise ValueError(
            f"{args.file!r} is not a file; as an expression it needs --claimed TEXT, the closed "
            "form to check"
        )
    options = {
        "method": args.method,
        "mode": args.mode,
        "rtol": args.rtol,
        "draws": args.draws,
        "seed": args.seed,
    }
    try:
        return verify(
            args.file,
            None,
            args.claimed,
            wrt=args.wrt,
            shapes=args.shape,
            form=args.form,
            **{k: v for k, v in options.items() if v is not None},
        )
    except InputError as exc:
        raise as_flags(exc) from None
