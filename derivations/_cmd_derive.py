"""``jacobians derive``: a derivation table for a source, sizes, activation, cost and format, or
for a matrix expression (``jacobians derive "x'*A*x" --wrt x``)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from reshape import InputError

from ._cmd_common import (
    SOURCES,
    add_format,
    add_source,
    as_flags,
    derivation_from_args,
    emit,
    render_options,
    rnn_from_args,
)
from ._cmd_common import needs_stdout as needs_stdout  # read by cli: stdout unless --output
from ._cmd_common import outputs as outputs  # read by cli: --output checked before the work
from ._values import OPTION, load_values

NAME = "derive"
HELP = "a derivation table: each factor's closed form and shape, the product, the checks"
EPILOG = """examples:
  jacobians derive                                   # one layer, sigmoid, squared error, n=3, m=4
  jacobians derive --n 2 --m 3 --matrices            # with the factors' numbers
  jacobians derive --activation tanh --wrt b --format markdown
  jacobians derive softmax --n 4 --m 3 --format latex --document > softmax.tex
  jacobians derive mlp --sizes 2,3,3,1 --activations tanh,tanh,identity --wrt W1
  jacobians derive --format json | python -m json.tool
  jacobians derive rnn --steps 20 --scale 0.5        # ∂h_T/∂h_t through time: vanishing

any net.Network, its layers in one line (the --layers syntax is in --help above):
  jacobians derive network --layers conv1d:4x3,relu,flatten,dense:2 --wrt w1   # a conv net
  jacobians derive network --layers \
      'residual(layernorm,attention:4),residual(layernorm,dense:16:relu,dense:8)'  # transformer
  jacobians derive network --layers attention:1,dense:2 --wrt Wq1   # the softmax's J as a row
  jacobians derive network --layers rnn:4,dense:2 --input-shape 3x6 --wrt U1
  jacobians derive network --layers embedding:10x4,attention:2,flatten,dense:2 --document >e.tex

at your own numbers (any subset; the others are drawn from --seed, the sizes read off them):
  jacobians derive --values '{"W": [[0.5, -1], [2, 0.3]], "x": [1, 2], "y": [0, 1]}'
  jacobians derive --activation relu --values point.json       # {"W": [[…]], "b": […]}
  jacobians derive mlp --values net.npz                        # np.savez(f, W1=…, b1=…, x=…, t=…)

a matrix expression (matrixcalculus.org's language: * is the matrix product, ' transposes):
  jacobians derive "x'*A*x" --wrt x
  jacobians derive "tr(A*X'*B*X*C)" --wrt X --shape X=3x4 --shape A=4x4
  jacobians derive "norm2(A*x - y)^2" --wrt x --values values.npz --format markdown
sizes not given by --shape or --values are 3; the variables --values leaves out are drawn from
--seed.
"""

_LAYER_OPTIONS = (
    "n", "m", "activation", "cost", "sizes", "activations", "loss", "steps", "scale",
    "layers", "input_shape", "samples",
)  # fmt: skip


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
    parser.add_argument(
        OPTION,
        default=None,
        metavar="FILE|JSON",
        help="your own numbers: a .json or .npz file of arrays by name, or inline JSON "
        '\'{"W": [[1, 2]], "x": [3, 4]}\'; layer and softmax take W, x, b, y; mlp W1, b1, …, '
        "x, t; an expression its variables",
    )
    parser.add_argument(
        "--matrices", action="store_true", help="show each factor's numbers (small sizes only)"
    )
    add_format(parser)


def run(args: argparse.Namespace) -> int:
    """Print the table; exit 0 (the checks are reported in the table; `check` fails on them)."""
    options = render_options(args)
    values = load_values(args.values) if args.values is not None else None
    if args.source == "rnn":
        if args.shape or values is not None or args.matrices:
            raise ValueError("--shape, --values and --matrices do not apply to the rnn source")
        emit(rnn_from_args(args).render(args.format, **options), args)
        return 0
    if args.source == "network" and values is not None:
        raise ValueError("--values does not apply to the network source (its point is drawn)")
    if args.source in SOURCES:
        if args.shape:
            raise ValueError(f"--shape applies to an expression, not to {args.source}")
        arrays = source_arguments(args.source, values or {})
        d = derivation_from_args(args, show_matrices=args.matrices, arrays=arrays)
        emit(d.render(args.format, **options), args)
        return 0
    t = _expression_table(args, values)  # a ParseError's caret picture is kept by cli
    emit(t.render(args.format, **options), args)
    return 0


_LAYER_INPUTS = ("W", "x", "b", "y")
_NETWORK_PARAM = re.compile(r"^[Wb][1-9][0-9]*$")


def source_arguments(source: str, values: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """The keyword arguments that give a named table its point: W, x, b, y for the layer and
    softmax tables; params (W1, b1, …), x and t for mlp. A name the table does not know is
    refused, listing those it does.

    >>> sorted(source_arguments("mlp", {"W1": np.ones((3, 2)), "x": np.ones(2)}))
    ['params', 'x']
    """
    out: dict[str, Any] = {}
    params: dict[str, np.ndarray] = {}
    for name, a in values.items():
        if source != "mlp" and name in _LAYER_INPUTS:
            out[name] = a
        elif source == "mlp" and name in ("x", "t"):
            out[name] = a
        elif source == "mlp" and _NETWORK_PARAM.match(name):
            params[name] = a
        else:
            known = "W1, b1, W2, b2, …, x, t" if source == "mlp" else ", ".join(_LAYER_INPUTS)
            raise InputError(
                OPTION,
                name,
                f"arrays the {source} table takes: {known}",
                f"an array named {name!r}",
            )
    return {**out, **({"params": params} if params else {})}


def _expression_table(  # noqa: ANN202 - an ExpressionTable
    args: argparse.Namespace, values: dict[str, np.ndarray] | None
):
    from ._expression import expression

    for opt in _LAYER_OPTIONS:
        if getattr(args, opt) is not None:
            raise ValueError(
                f"--{opt.replace('_', '-')} applies to the named tables ({', '.join(SOURCES)}), "
                "not to an expression: give sizes with --shape NAME=SHAPE"
            )
    if args.wrt is None:
        raise ValueError(
            f"{args.source!r} is not one of the tables ({', '.join(SOURCES)}); as an expression "
            "it needs --wrt NAME, the variable to differentiate"
        )
    try:
        return expression(
            args.source, args.wrt, args.shape, values, args.seed, show_matrices=args.matrices
        )
    except InputError as exc:
        raise as_flags(exc) from None
