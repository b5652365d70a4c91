"""The ``jacobians`` command: one subcommand per module listed in COMMANDS.

A subcommand module defines ``NAME``, ``HELP`` (one line), ``EPILOG`` (an example), and
``add_arguments(parser)`` and ``run(args) -> int``; optionally ``outputs(args)``, the files it
will write (option → path), checked before the work starts, and ``needs_stdout(args)`` (default
True), whether its results go to standard output.

Every failure is one line on stderr, never a traceback: bad input, the dense limit, memory, an
output path that cannot be written, a closed stdout (exit 2); Ctrl-C (``interrupted``, exit 130).
A reader that leaves (``jacobians catalog | head -1``) ends the output quietly: the command keeps
its own exit status. A syntax error in an expression adds the text and a caret on two more lines.
``JACOBIANS_DEBUG=1`` shows the traceback of an unexpected error instead.

A subcommand that prints a table or report (``add_format``) has its format chosen here, before the
work, from --format, --document and the extension of --output (``_cmd_common.chosen_format``).
``python -m jacobians`` and ``python -m derivations`` run :func:`main` too.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from derivations import (
    _cmd_catalog,
    _cmd_check,
    _cmd_derive,
    _cmd_plot,
    _cmd_train,
    _cmd_verify,
)
from jacobians import __version__

from ._cmd_common import chosen_format
from ._cmd_io import check_output, error_line, guarded_streams, require_stdout

COMMANDS: list[ModuleType] = [
    _cmd_derive,
    _cmd_catalog,
    _cmd_check,
    _cmd_train,
    _cmd_plot,
    _cmd_verify,
]

DEBUG = "JACOBIANS_DEBUG"  # set to 1: an unexpected error shows its traceback

EPILOG = f"""\
`jacobians COMMAND --help` shows a command's options and examples. The same command runs as
`python -m jacobians` (or `python -m derivations`).

exit status: 0 success, 1 a check that failed (check, verify) or a diverged train, 2 an error
(one line on stderr), 130 interrupted (Ctrl-C); set {DEBUG}=1 to see an unexpected error's
traceback
"""


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors as one line on stderr (exit 2), like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="jacobians",
        description="Full Jacobians of backpropagation, factor by factor.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"jacobians {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in COMMANDS:
        p = sub.add_parser(
            mod.NAME,
            help=mod.HELP,
            description=mod.HELP,
            epilog=mod.EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        mod.add_arguments(p)
        p.set_defaults(_module=mod)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (0, 1 for a failed check, 2 error, 130 Ctrl-C)."""
    with guarded_streams():
        prog = "jacobians"
        try:
            parser = build_parser()
            args = parser.parse_args(argv)
            mod = getattr(args, "_module", None)
            if mod is None:
                parser.print_help()
                return 2
            prog = f"jacobians {mod.NAME}"
            _preflight(mod, args)
            return int(mod.run(args))
        except KeyboardInterrupt:
            # on a terminal the line may hold a progress bar or the echoed ^C: start a new one
            lead = "\n" if sys.stderr.isatty() else ""
            print(f"{lead}{prog}: interrupted", file=sys.stderr)
            return 130
        except Exception as exc:
            if os.environ.get(DEBUG):
                raise
            print(f"{prog}: error: {error_line(exc)}", file=sys.stderr)
            return 2


def _preflight(mod: ModuleType, args: argparse.Namespace) -> None:
    """What can be refused before the work: a format the options do not agree on (the format is
    settled here, so ``args.format`` is one of FORMATS from now on), a closed stdout, an output
    file not writable."""
    if getattr(args, "output", None) == "-":
        args.output = None  # "-" is stdout, as for most commands that write files
    if "format" in vars(args):
        args.format = chosen_format(args)
    needs_stdout = getattr(mod, "needs_stdout", None)
    if needs_stdout is None or needs_stdout(args):
        # a command that says when it needs stdout (derive, catalog) can print to --output instead
        where = " or give --output FILE" if needs_stdout is not None else ""
        require_stdout(f"redirect it (>FILE){where}")
    outputs = getattr(mod, "outputs", lambda args: {})
    for option, path in outputs(args).items():
        check_output(path, option)


if __name__ == "__main__":
    sys.exit(main())
