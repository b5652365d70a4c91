"""A line of progress on stderr while a full numeric Jacobian runs for more than a few seconds.

``progress=None`` (the default of :func:`jacobians.numeric` and :func:`jacobians.verify`) shows it
only when stderr is a terminal and the work has run for :data:`DELAY` seconds, so a captured
stderr (a test, a pipe, a log file) never sees it; ``True`` shows it from the start on any stream;
``False`` never. It is redrawn in place at most every :data:`EVERY` seconds and erased at the end:

    numeric ∂cost/∂W, complex step: 51,200 of 200,704 entries of W (26%), 12 s, about 35 s left
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

import numpy as np

from reshape import InputError, describe

__all__ = ["DELAY", "EVERY", "Progress", "check_progress"]

DELAY = 3.0  # seconds of work before the line appears on a terminal (default progress=None)
EVERY = 0.5  # seconds between redraws


def check_progress(op: str, progress: Any) -> bool | None:
    """``progress`` as None, True or False (a numpy bool too), or the error naming it."""
    if progress is None or isinstance(progress, (bool, np.bool_)):
        return None if progress is None else bool(progress)
    shown = repr(progress) if isinstance(progress, (str, int, float)) else describe(progress)
    raise InputError(
        op,
        "progress",
        "None (a line on a terminal when the work is long), True (always) or False (never)",
        shown,
    )


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


class Progress:
    """Counts the entries done; draws the line when it is due (see the module's docstring)."""

    def __init__(self, what: str, total: int, unit: str, enabled: bool | None) -> None:
        self.stream = sys.stderr
        if enabled is None:
            self.on, self.delay = _is_terminal(self.stream), DELAY
        else:
            self.on, self.delay = enabled, 0.0
        self.what, self.total, self.unit = what, total, unit
        self.start = time.monotonic()
        self.due = self.start + self.delay
        self.width = 0  # of the line drawn, to erase it

    def restart(self, what: str) -> None:
        """A second pass over the same entries (central differences' error estimate)."""
        self.what, self.start = what, time.monotonic()
        self.due = self.start + self.delay

    def __call__(self, done: int) -> None:
        if not self.on:
            return
        now = time.monotonic()
        if now < self.due:
            return
        self.due = now + EVERY
        spent = now - self.start
        line = f"{self.what}: {done:,} of {self.total:,} {self.unit}"
        if self.total:
            line += f" ({100 * done // self.total}%)"
        line += f", {spent:.0f} s"
        if done:
            line += f", about {spent * (self.total - done) / done:.0f} s left"
        self._draw(line)

    def _draw(self, line: str) -> None:
        pad = max(0, self.width - len(line))
        try:
            self.stream.write("\r" + line + " " * pad)
            self.stream.flush()
        except (AttributeError, ValueError, OSError):  # closed meanwhile: no line, no error
            self.on = False
            return
        self.width = len(line)

    def close(self) -> None:
        """Erase the line, if one was drawn."""
        if self.width:
            self._draw("")
            try:
                self.stream.write("\r")
                self.stream.flush()
            except (AttributeError, ValueError, OSError):
                pass
            self.width = 0
