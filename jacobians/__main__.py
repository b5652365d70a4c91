"""``python -m jacobians``: the ``jacobians`` command, exactly the console script pip installs.

The command lives in ``derivations``, the top layer, which ``jacobians`` may not import (the
layers import only downward). So this module does not name it: it loads the console script the
distribution declares (``[project.scripts] jacobians`` in pyproject.toml, read from the installed
metadata) the way the script itself does, by its entry point, and runs it with this process's
arguments.
"""

from __future__ import annotations

import sys

from ._distribution import command_entry


def main() -> int:
    """Run the ``jacobians`` command; its exit status (2 with one line when it is not found)."""
    entry = command_entry()
    if entry is None:
        print(
            "python -m jacobians: error: the jacobians distribution is not installed, so its "
            "command is not found (install it: pip install -e .)",
            file=sys.stderr,
        )
        return 2
    return int(entry.load()() or 0)


if __name__ == "__main__":
    sys.exit(main())
