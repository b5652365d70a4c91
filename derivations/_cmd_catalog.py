"""``jacobians catalog``: every operation's Jacobian with respect to each input (the registry)."""

from __future__ import annotations

import argparse

from ._catalog import catalog
from ._cmd_common import add_format, emit, render_options
from ._cmd_common import needs_stdout as needs_stdout  # read by cli: stdout unless --output
from ._cmd_common import outputs as outputs  # read by cli: --output checked before the work

NAME = "catalog"
HELP = "every operation's Jacobians: closed form, shape and structure per input"
EPILOG = """examples:
  jacobians catalog
  jacobians catalog --format markdown > CATALOG.md
  jacobians catalog --format latex --document > catalog.tex
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The format options."""
    add_format(parser)


def run(args: argparse.Namespace) -> int:
    """Print the catalogue."""
    emit(catalog().render(args.format, **render_options(args)), args)
    return 0
