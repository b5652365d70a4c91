"""What the installed distribution says of itself: its version and the ``jacobians`` command.

Both are read from the distribution's metadata (``importlib.metadata``), which ``pip install``
writes from pyproject.toml, so pyproject.toml stays the one place that declares them. A source
checkout that was never installed has no metadata: its version is ``0+unknown`` and
``python -m jacobians`` says to install it (both README commands do).
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, PackageNotFoundError, distribution

__all__ = ["DISTRIBUTION", "UNKNOWN", "command_entry", "installed_version"]

DISTRIBUTION = "jacobians"
UNKNOWN = "0+unknown"  # a PEP 440 version that sorts below every release


def installed_version() -> str:
    """The distribution's version, or ``0+unknown`` where it is not installed."""
    try:
        return distribution(DISTRIBUTION).version
    except PackageNotFoundError:
        return UNKNOWN


def command_entry() -> EntryPoint | None:
    """The console script ``jacobians`` as the installed distribution declares it; None where
    it is not installed."""
    try:
        found = distribution(DISTRIBUTION).entry_points
    except PackageNotFoundError:
        return None
    return next((e for e in found if e.group == "console_scripts" and e.name == DISTRIBUTION), None)
