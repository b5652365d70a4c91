"""Options shared by the subcommands: the source of a derivation, the format, the output file."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reshape import InputError

from ._cmd_io import write_text
from ._model import FORMAT_ALIASES, FORMATS, Derivation

SOURCES = ("layer", "softmax", "mlp", "network", "rnn")
_NETWORK_OPTIONS = ("layers", "input_shape", "samples")


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
        "mlp: any parameter of a net.MLP; network: any parameter of a net.Network (--layers); "
        "rnn: ∂h_T/∂h_t through time",
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
    g = parser.add_argument_group("network (also --loss)")
    g.add_argument(
        "--layers",
        default=None,
        metavar="SPEC",
        help="the layers, comma-separated: dense:N[:act], an activation, layernorm, batchnorm, "
        "attention:H[:causal], conv1d:CxK[:sS][:pP], conv2d:CxK, rnn:N, embedding:VxN, "
        "flatten, residual(…)",
    )
    g.add_argument(
        "--input-shape",
        default=None,
        metavar="SHAPE",
        help="one sample's shape: 4, 1x16, 3x5; () for an embedding's ids (default: by the "
        "first layer: conv1d 1x16, conv2d 1x6x6, rnn 3x5, embedding (), else 4, or the width "
        "a first residual block ends with)",
    )
    g.add_argument(
        "--samples",
        type=int,
        default=None,
        metavar="D",
        help="d, the samples (a sequence's tokens) side by side (default 3 with attention, "
        "embedding or batchnorm, else 1)",
    )
    g = parser.add_argument_group("rnn (also --n, the state, and --m, the input)")
    g.add_argument("--steps", type=int, default=None, help="T, the sequence length (default 10)")
    g.add_argument(
        "--scale", type=float, default=None, help="W = scale·Q, Q orthogonal (default 1)"
    )
    parser.add_argument(
        "--wrt", default=None, help="the parameter: W, b or x (mlp: W1, b1, ...; default W / W1)"
    )
    parser.add_argument("--seed", type=int, default=0, help="the random draw (default 0)")


# The formats a table or report is printed in, one definition for every subcommand that prints
# one (derive, catalog, verify); and the output file extensions that pick one.
FORMAT_CHOICES = (*FORMATS, *FORMAT_ALIASES)
EXTENSIONS = {".txt": "text", ".md": "markdown", ".tex": "latex", ".json": "json"}
_KNOWN = ", ".join(f"{ext} {fmt}" for ext, fmt in EXTENSIONS.items())
FORMAT_HELP = textwrap.fill(
    "the format: --format if given; else latex with --document; else the one the extension of "
    f"--output names ({_KNOWN}; no extension: text; any other extension is refused unless "
    "--format names the format); else text. --format and --document win over the extension: "
    "the file is written as they ask, and the line on stderr says so.",
    width=92,
    subsequent_indent="  ",
)


def add_format(parser: argparse.ArgumentParser) -> None:
    """--format, --document (LaTeX) and --output, and their rules at the end of --help."""
    g = parser.add_argument_group("output")
    g.add_argument(
        "--format",
        "-f",
        default=None,
        choices=FORMAT_CHOICES,
        metavar="FORMAT",
        help="text, markdown, latex or json (or md, tex, txt); default: the one --output's"
        " extension names, else text",
    )
    g.add_argument(
        "--document",
        action="store_true",
        help="a complete LaTeX document, ready for pdflatex (implies --format latex)",
    )
    g.add_argument(
        "--output",
        "-o",
        default=None,
        metavar="FILE",
        help="write to FILE, not stdout (- is stdout); its extension picks the format: " + _KNOWN,
    )
    parser.epilog = f"{parser.epilog or ''}\n{FORMAT_HELP}\n"


def extension_format(path: str) -> str | None:
    """The format the extension of ``path`` names (``.tex`` -> latex), "" for a file with no
    extension, None for an extension that names none.

    >>> extension_format("t.TEX"), extension_format("table"), extension_format("t.html")
    ('latex', '', None)
    """
    suffix = Path(path).suffix.lower()
    return EXTENSIONS.get(suffix) if suffix else ""


def chosen_format(args: argparse.Namespace) -> str:
    """The format the options pick, by the rule of :data:`FORMAT_HELP`, refused in one line
    before any work when --document asks for another or the extension names none.

    >>> from argparse import Namespace
    >>> chosen_format(Namespace(format=None, document=False, output="out/t.md"))
    'markdown'
    >>> chosen_format(Namespace(format="md", document=False, output="t.tex"))
    'markdown'
    >>> chosen_format(Namespace(format=None, document=True, output=None))
    'latex'
    """
    asked = FORMAT_ALIASES.get(args.format, args.format)
    if args.document and asked not in (None, "latex"):
        raise ValueError(
            f"--document makes a complete LaTeX file: use it with --format latex, not {args.format}"
        )
    if asked is not None:
        return asked
    if args.document:
        return "latex"
    if not args.output:
        return "text"
    named = extension_format(args.output)
    if named is None:
        raise ValueError(
            f"--output {args.output}: the extension {Path(args.output).suffix} names no format "
            f"(known: {_KNOWN}); give --format text, markdown, latex or json"
        )
    return named or "text"


def derivation_from_args(
    args: argparse.Namespace,
    show_matrices: bool = False,
    arrays: Mapping[str, Any] | None = None,
) -> Derivation:
    """The Derivation the source options describe, at ``arrays`` (the point --values gives, as
    the source's keyword arguments) where given. An option left out takes the source's own
    default, and sizes left out are read off the arrays."""
    if args.source == "rnn":
        raise ValueError("the rnn table is not a chain of factors: use rnn_from_args")
    if args.source == "network":
        return network_from_args(args, show_matrices, arrays)
    for opt in _NETWORK_OPTIONS:
        if getattr(args, opt, None) is not None:
            flag = "--" + opt.replace("_", "-")
            raise ValueError(f"{flag} applies to the network source, not to {args.source}")
    for opt in ("steps", "scale"):
        if getattr(args, opt, None) is not None:
            raise ValueError(f"--{opt} applies to the rnn source, not to {args.source}")
    used = {
        "layer": ("n", "m", "activation", "cost"),
        "softmax": ("n", "m"),
        "mlp": ("sizes", "activations", "loss"),
    }[args.source]
    for opt in ("n", "m", "activation", "cost", "sizes", "activations", "loss"):
        if getattr(args, opt) is not None and opt not in used:
            takes = ", ".join(f"--{o}" for o in sorted(used))
            raise ValueError(
                f"--{opt} does not apply to the {args.source} source (it takes {takes})"
            )
    given = {opt: getattr(args, opt) for opt in (*used, "wrt") if getattr(args, opt) is not None}
    from ._layer import single_layer
    from ._network import mlp
    from ._network_point import DEFAULT_SIZES
    from ._softmax import softmax_cross_entropy

    if args.source == "mlp" and args.sizes is None and not arrays:
        # the command's network is the default one, whatever --activations says: a count of
        # activations that does not fit it is refused, not read as another depth
        given["sizes"] = list(DEFAULT_SIZES)

    source = {"layer": single_layer, "softmax": softmax_cross_entropy, "mlp": mlp}[args.source]
    return source(seed=args.seed, show_matrices=show_matrices, **given, **(arrays or {}))


def network_from_args(
    args: argparse.Namespace,
    show_matrices: bool = False,
    arrays: Mapping[str, Any] | None = None,
) -> Derivation:
    """The table of a ``net.Network`` (``derivations.network``) the options describe; an error
    in an argument is said for its option (``--layers``, with the column)."""
    if arrays:
        raise ValueError("--values does not apply to the network source (its point is drawn)")
    for opt in ("n", "m", "activation", "cost", "sizes", "activations", "steps", "scale"):
        if getattr(args, opt, None) is not None:
            raise ValueError(
                f"--{opt} does not apply to the network source (it takes --layers, "
                "--input-shape, --samples, --wrt, --loss, --seed)"
            )
    if args.layers is None:
        raise ValueError(
            "the network source needs --layers SPEC, such as "
            "--layers conv1d:4x3,relu,flatten,dense:2"
        )
    from ._net_table import network

    given = {"input_shape": args.input_shape, "d": args.samples, "wrt": args.wrt}
    try:
        return network(
            args.layers,
            loss=args.loss or "squared_error",
            seed=args.seed,
            show_matrices=show_matrices,
            **{k: v for k, v in given.items() if v is not None},
        )
    except InputError as err:
        if err.op != "network":
            raise
        flag = {"d": "--samples", "show_matrices": "--matrices"}.get(
            err.arg, "--" + err.arg.replace("_", "-")
        )
        raise InputError("network", flag, err.expected, err.got, err.hint) from None


def rnn_from_args(args: argparse.Namespace) -> Any:
    """The recurrence table (``derivations.rnn``) the options describe; the options of the
    other sources are refused."""
    for opt in ("activation", "cost", "sizes", "activations", "loss", "wrt", *_NETWORK_OPTIONS):
        if getattr(args, opt, None) is not None:
            raise ValueError(
                f"--{opt.replace('_', '-')} does not apply to the rnn source (it takes --steps, "
                "--n, --m, --scale, --seed)"
            )
    from ._rnn import rnn

    given = {k: getattr(args, k) for k in ("steps", "n", "m", "scale")}
    return rnn(seed=args.seed, **{k: v for k, v in given.items() if v is not None})


def render_options(args: argparse.Namespace) -> dict[str, bool]:
    """The renderer options: ``document`` with --document (cli has checked it goes with latex)."""
    return {"document": True} if args.document else {}


def needs_stdout(args: argparse.Namespace) -> bool:
    """Whether the table goes to stdout (no ``--output``)."""
    return not getattr(args, "output", None)


def outputs(args: argparse.Namespace) -> dict[str, str]:
    """The file ``--output`` names, if any: checked before the table is built."""
    return {"--output": args.output} if getattr(args, "output", None) else {}


def emit(text: str, args: argparse.Namespace) -> None:
    """Print ``text``, or write it to ``--output`` whole (a temporary file renamed into place)
    and say so on stderr, with the format when it is not the one the extension names."""
    if not getattr(args, "output", None):
        sys.stdout.write(text)
        return
    write_text(args.output, text)
    # the format was chosen by cli (chosen_format): it differs from the extension's only when
    # --format or --document asked for it
    named, fmt = extension_format(args.output), args.format
    why = "--document" if args.document else "--format"
    suffix = Path(args.output).suffix
    note = "" if named in (fmt, "", None) else f" in {fmt}, as {why} asks ({suffix} names {named})"
    print(f"wrote {args.output}{note}", file=sys.stderr)


# what the Python functions call an argument, as the command's user wrote it, and what it holds
_FLAGS = {"shapes": ("--shape", "NAME=SHAPE"), "values": ("--values", "NAME: ARRAY")}


def as_flags(exc: InputError) -> InputError:
    """``exc`` restated for the command line where it names an argument the user gave as a flag
    (``shapes`` is ``--shape``), as the --values errors read; otherwise ``exc`` itself (a
    ParseError keeps its caret)."""
    flag = _FLAGS.get(exc.arg)
    if flag is None or type(exc).__name__ == "ParseError":
        return exc
    return type(exc)(*flag, exc.expected, exc.got, exc.hint)
