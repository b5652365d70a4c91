"""The ``jacobians`` command: one subcommand per module listed in COMMANDS.

A subcommand module defines ``NAME``, ``HELP`` (one line), ``EPILOG`` (an example), and
``add_arguments(parser)`` and ``run(args) -> int``. Bad input (unknown names, impossible sizes,
unknown formats) is one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
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
from reshape import InputError

COMMANDS: list[ModuleType] = [
    _cmd_derive,
    _cmd_catalog,
    _cmd_check,
    _cmd_train,
    _cmd_plot,
    _cmd_verify,
]


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors as one line on stderr (exit 2), like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="jacobians",
        description="Full Jacobians of backpropagation, factor by factor.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "_run"):
        parser.print_help()
        return 2
    try:
        return int(args._run(args))
    except (InputError, ValueError, TypeError, OSError) as exc:
        first = str(exc).splitlines()
        msg = " ".join(line.strip() for line in first)
        print(f"jacobians {args.command}: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
