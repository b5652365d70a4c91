"""``jacobians derive``: a derivation table for a source, sizes, activation, cost and format, or
for a matrix expression (``jacobians derive "x'*A*x" --wrt x``)."""

from __future__ import annotations

import argparse

from ._cmd_common import (
    SOURCES,
    add_format,
    add_source,
    derivation_from_args,
    emit,
    render_options,
)
from ._cmd_common import needs_stdout as needs_stdout  # read by cli: stdout unless --output
from ._cmd_common import outputs as outputs  # read by cli: --output checked before the work

NAME = "derive"
HELP = "a derivation table: each factor's closed form and shape, the product, the checks"
EPILOG = """examples:
  jacobians derive                                   # one layer, sigmoid, squared error, n=3, m=4
  jacobians derive --n 2 --m 3 --matrices            # with the factors' numbers
  jacobians derive --activation tanh --wrt b --format markdown
  jacobians derive softmax --n 4 --m 3 --format latex --document > softmax.tex
  jacobians derive mlp --sizes 2,3,3,1 --activations tanh,tanh,identity --wrt W1
  jacobians derive --format json | python -m json.tool

a matrix expression (matrixcalculus.org's language: * is the matrix product, ' transposes):
  jacobians derive "x'*A*x" --wrt x
  jacobians derive "tr(A*X'*B*X*C)" --wrt X --shape X=3x4 --shape A=4x4
  jacobians derive "norm2(A*x - y)^2" --wrt x --values values.npz --format markdown
sizes not given by --shape or --values are 3; --values is a .npz or .json file of arrays, and
the variables it leaves out are drawn from --seed.
"""

_LAYER_OPTIONS = ("n", "m", "activation", "cost", "sizes", "activations", "loss")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The source options (or an expression), the format, and --matrices / --document."""
    add_source(parser)
    for action in parser._actions:  # the positional takes an expression too: no fixed choices
        if action.dest == "source":
            action.choices = None
            action.metavar = "SOURCE|EXPR"
            action.help = f'{action.help}; or a matrix expression, like "x\'*A*x"'
    g = parser.add_argument_group("expression")
    g.add_argument(
        "--shape",
        action="append",
        default=None,
        metavar="NAME=SHAPE",
        help="a variable's shape: A=3x4, x=3, a=scalar (repeat for several)",
    )
    g.add_argument(
        "--values", default=None, metavar="FILE", help="a .npz or .json file of variables' values"
    )
    parser.add_argument(
        "--matrices", action="store_true", help="show each factor's numbers (small sizes only)"
    )
    add_format(parser)


def run(args: argparse.Namespace) -> int:
    """Print the table; exit 0 (the checks are reported in the table; `check` fails on them)."""
    options = render_options(args)
    if args.source in SOURCES:
        if args.shape or args.values:
            raise ValueError(f"--shape and --values apply to an expression, not to {args.source}")
        d = derivation_from_args(args, show_matrices=args.matrices)
        emit(d.render(args.format, **options), args)
        return 0
    t = _expression_table(args)  # a ParseError's caret picture is kept by cli
    emit(t.render(args.format, **options), args)
    return 0


def _expression_table(args: argparse.Namespace):  # noqa: ANN202 - an ExpressionTable
    from ._expression import expression
    from ._expression_values import load_values

    for opt in _LAYER_OPTIONS:
        if getattr(args, opt) is not None:
            raise ValueError(
                f"--{opt} applies to the named tables ({', '.join(SOURCES)}), not to an "
                "expression: give sizes with --shape NAME=SHAPE"
            )
    if args.wrt is None:
        raise ValueError(
            f"{args.source!r} is not one of the tables ({', '.join(SOURCES)}); as an expression "
            "it needs --wrt NAME, the variable to differentiate"
        )
    values = load_values(args.values) if args.values else None
    return expression(
        args.source, args.wrt, args.shape, values, args.seed, show_matrices=args.matrices
    )
