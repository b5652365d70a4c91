"""Options shared by the subcommands: the source of a derivation, the format, the output file."""

from __future__ import annotations

import argparse
import sys

from ._cmd_io import write_text
from ._model import FORMAT_ALIASES, FORMATS, Derivation

SOURCES = ("layer", "softmax", "mlp")


def csv_ints(text: str) -> list[int]:
    """'2,3,3,1' -> [2, 3, 3, 1] (argparse type)."""
    try:
        return [int(s) for s in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected whole numbers separated by commas, like 2,3,3,1, got {text!r}"
        ) from None


def csv_names(text: str) -> list[str]:
    """'tanh,tanh,identity' -> ['tanh', 'tanh', 'identity'] (argparse type)."""
    return [s.strip() for s in text.split(",")]


def add_source(parser: argparse.ArgumentParser) -> None:
    """The source positional and its options (sizes, activation, cost, parameter, seed)."""
    parser.add_argument(
        "source",
        nargs="?",
        default="layer",
        choices=SOURCES,
        help="layer: a = σ(Wx + b), C(a) (default); softmax: softmax with cross-entropy; "
        "mlp: any parameter of a net.MLP",
    )
    g = parser.add_argument_group("layer and softmax")
    g.add_argument("--n", type=int, default=None, help="outputs (rows of W); 3 (softmax: 4)")
    g.add_argument("--m", type=int, default=None, help="inputs (columns of W); 4 (softmax: 3)")
    g.add_argument("--activation", default=None, help="layer only: sigmoid (default), ...")
    g.add_argument(
        "--cost",
        default=None,
        help="layer only: squared_error (default), cross_entropy, binary_cross_entropy",
    )
    g = parser.add_argument_group("mlp")
    g.add_argument(
        "--sizes", type=csv_ints, default=None, help="layer widths, input first: 2,3,3,1"
    )
    g.add_argument(
        "--activations",
        type=csv_names,
        default=None,
        help="one per layer: tanh,tanh,identity (default: tanh, then identity last)",
    )
    g.add_argument(
        "--loss",
        default=None,
        help="squared_error (default), softmax_cross_entropy, cross_entropy",
    )
    parser.add_argument(
        "--wrt", default=None, help="the parameter: W, b or x (mlp: W1, b1, ...; default W / W1)"
    )
    parser.add_argument("--seed", type=int, default=0, help="the random draw (default 0)")


def add_format(parser: argparse.ArgumentParser, output: bool = True) -> None:
    """--format, --document (LaTeX) and --output."""
    parser.add_argument(
        "--format",
        "-f",
        default="text",
        choices=[*FORMATS, *FORMAT_ALIASES],
        help="text (default), markdown, latex or json",
    )
    parser.add_argument(
        "--document", action="store_true", help="latex: a complete document, ready for pdflatex"
    )
    if output:
        parser.add_argument("--output", "-o", default=None, help="write to this file, not stdout")


def derivation_from_args(args: argparse.Namespace, show_matrices: bool = False) -> Derivation:
    """The Derivation the source options describe."""
    used = {
        "layer": {"n", "m", "activation", "cost"},
        "softmax": {"n", "m"},
        "mlp": {"sizes", "activations", "loss"},
    }[args.source]
    for opt in ("n", "m", "activation", "cost", "sizes", "activations", "loss"):
        if getattr(args, opt) is not None and opt not in used:
            takes = ", ".join(f"--{o}" for o in sorted(used))
            raise ValueError(
                f"--{opt} does not apply to the {args.source} source (it takes {takes})"
            )
    if args.source == "mlp":
        from ._network import mlp

        sizes = args.sizes or [2, 3, 3, 1]
        return mlp(
            sizes,
            args.activations,
            args.loss or "squared_error",
            wrt=args.wrt or "W1",
            seed=args.seed,
            show_matrices=show_matrices,
        )
    from ._layer import single_layer
    from ._softmax import softmax_cross_entropy

    if args.source == "softmax":
        return softmax_cross_entropy(
            n=4 if args.n is None else args.n,
            m=3 if args.m is None else args.m,
            wrt=args.wrt or "W",
            seed=args.seed,
            show_matrices=show_matrices,
        )
    return single_layer(
        n=3 if args.n is None else args.n,
        m=4 if args.m is None else args.m,
        activation=args.activation or "sigmoid",
        cost=args.cost or "squared_error",
        wrt=args.wrt or "W",
        seed=args.seed,
        show_matrices=show_matrices,
    )


def render_options(args: argparse.Namespace) -> dict[str, bool]:
    """The renderer options --format allows: --document only with LaTeX."""
    if args.document and FORMAT_ALIASES.get(args.format, args.format) != "latex":
        raise ValueError(
            f"--document makes a complete LaTeX file: use it with --format latex, not {args.format}"
        )
    return {"document": True} if args.document else {}


def needs_stdout(args: argparse.Namespace) -> bool:
    """Whether the table goes to stdout (no ``--output``)."""
    return not getattr(args, "output", None)


def outputs(args: argparse.Namespace) -> dict[str, str]:
    """The file ``--output`` names, if any: checked before the table is built."""
    return {"--output": args.output} if getattr(args, "output", None) else {}


def emit(text: str, args: argparse.Namespace) -> None:
    """Print ``text``, or write it to ``--output`` whole (a temporary file renamed into place)."""
    if getattr(args, "output", None):
        write_text(args.output, text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
