"""What every subcommand shares about failing and writing: one-line errors, standard streams
whose reader may leave, output paths checked before the work, and files written whole or not at
all.

- :func:`error_line` is the one line an exception becomes (a syntax error keeps its caret picture
  on the lines after it).
- :func:`guarded_streams` wraps stdout and stderr for the length of a command: after a broken pipe
  (``jacobians catalog | head -1``) the rest of the output is dropped without a message and the
  command ends with its own exit status; a closed stdout (``>&-``) is refused in one line.
- :func:`check_output` refuses an output path whose directory is missing or not writable, before
  any work; :func:`atomic_output` hands out a temporary file beside the output and renames it into
  place only when everything was written, so an error or Ctrl-C leaves no partial file.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, TextIO

from jacobians import DenseLimitError
from jacobians.expressions import ParseError
from reshape import InputError

__all__ = [
    "CommandError",
    "OutputPathError",
    "StdoutClosedError",
    "atomic_output",
    "check_output",
    "error_line",
    "guarded_streams",
    "one_line",
    "require_stdout",
    "write_text",
]


class CommandError(Exception):
    """A command's failure whose message is already the line to print."""


class StdoutClosedError(OSError):
    """The command has results to print and standard output is closed."""


class OutputPathError(OSError):
    """An output path the command could not write to, found before the work starts."""


def one_line(text: str) -> str:
    """The lines of a message joined by single spaces (the toolkit's messages are two-layered)."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def error_line(exc: BaseException) -> str:
    """What the command prints after ``error:`` for ``exc``: one line.

    A :class:`ParseError` is the exception: its one-line summary is followed by the text and a
    caret under the column, two more lines, because the caret is the clearest way to point.
    """
    if isinstance(exc, ParseError):
        summary = one_line(InputError(exc.op, exc.arg, exc.expected, exc.got, exc.hint))
        picture = str(exc).splitlines()[-2:]  # the line of the text, and the caret under it
        return "\n".join([summary, *picture])
    if isinstance(exc, DenseLimitError):
        return one_line(exc)
    if isinstance(exc, MemoryError):  # numpy's: "Unable to allocate 7.45 GiB for an array ..."
        return f"out of memory: {one_line(exc) or 'an allocation failed'}; choose smaller sizes"
    if isinstance(exc, (InputError, CommandError, StdoutClosedError, OutputPathError)):
        return one_line(exc)
    if isinstance(exc, OSError) and exc.strerror and exc.filename:  # open() and friends
        return f"{exc.strerror}: {exc.filename}"
    text = one_line(exc)
    if isinstance(exc, (ValueError, TypeError, OSError)) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _Stream:
    """A standard stream that survives its reader leaving.

    After a broken pipe every further write is dropped, and the file descriptor is pointed at
    /dev/null so the interpreter's last flush at exit has somewhere to go (no "Exception ignored"
    message). ``raw`` None is a closed stream: stdout refuses to be written, stderr drops.
    """

    def __init__(self, raw: TextIO | None, name: str) -> None:
        self.raw, self.name, self.broken = raw, name, raw is None

    def write(self, text: str) -> int:
        if self.raw is None and self.name == "stdout":
            raise StdoutClosedError(
                "standard output is closed: there is nowhere to print the result"
            )
        if not self.broken:
            try:
                return self.raw.write(text)
            except BrokenPipeError:
                self._reader_left()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self.raw.flush()
            except BrokenPipeError:
                self._reader_left()

    def _reader_left(self) -> None:
        self.broken = True
        with suppress(OSError, ValueError):  # a stream without a descriptor (pytest's capture)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.raw.fileno())
            os.close(devnull)

    def isatty(self) -> bool:
        return not self.broken and bool(getattr(self.raw, "isatty", lambda: False)())

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, ...: the real stream's
        return getattr(self.raw, name)


@contextmanager
def guarded_streams() -> Iterator[None]:
    """Within the block, sys.stdout and sys.stderr survive a broken pipe and a closed stream;
    both are flushed at the end, and the originals restored."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream(out, "stdout"), _Stream(err, "stderr")
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            with suppress(OSError, ValueError):
                stream.flush()
        sys.stdout, sys.stderr = out, err


def stdout_closed() -> bool:
    """Whether standard output is closed (``jacobians catalog >&-``)."""
    stream = sys.stdout
    return stream is None or (isinstance(stream, _Stream) and stream.raw is None)


def require_stdout(hint: str) -> None:
    """Refuse to start a command whose results go to stdout when stdout is closed."""
    if stdout_closed():
        raise StdoutClosedError(f"standard output is closed: there is nowhere to print; {hint}")


def check_output(path: str, option: str = "--output") -> None:
    """Refuse, before any work, an output file that could not be written: its directory missing
    or not writable, or the path a directory."""
    shown = f"{option} {path!r}"
    if not path:
        raise OutputPathError(f"cannot write {option}: expected a file name, got an empty one")
    target = os.path.realpath(path)
    if os.path.isdir(target):
        raise OutputPathError(f"cannot write {shown}: expected a file name, got a directory")
    # /dev/stdout, a FIFO: stat the path itself, since realpath of /dev/stdout into a pipe names
    # a "pipe:[…]" that is no path at all
    if os.path.exists(path) and not os.path.isfile(path):
        if not os.access(path, os.W_OK):
            raise OutputPathError(f"cannot write {shown}: it is not writable")
        return
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        missing = os.path.dirname(os.path.abspath(path)) or "."
        raise OutputPathError(
            f"cannot write {shown}: expected a file in an existing directory, but {missing} "
            "does not exist"
        )
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputPathError(
            f"cannot write {shown}: expected a file in a writable directory, but {directory} "
            "is not writable"
        )
    if os.path.exists(target) and not os.access(target, os.W_OK):
        raise OutputPathError(f"cannot write {shown}: the file exists and is read-only")


@contextmanager
def atomic_output(path: str) -> Iterator[str]:
    """Yield a temporary file name beside ``path``, with its suffix (so .png stays .png); when
    the block ends normally the file is renamed to ``path``, else it is removed. An error or
    Ctrl-C in the middle of writing therefore leaves ``path`` as it was.

    A path that exists and is not a regular file (``/dev/stdout``, a FIFO) is written in place.
    """
    if os.path.exists(path) and not os.path.isfile(path):  # see check_output
        yield path
        return
    target = os.path.realpath(path)  # a symlink's target is replaced, not the link
    directory, name = os.path.split(target)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{name}.", suffix=f".part{os.path.splitext(name)[1]}", dir=directory
    )
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, _mode(target))  # mkstemp makes 0600; a new output gets the usual mode
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def _mode(target: str) -> int:
    with suppress(OSError):
        return stat.S_IMODE(os.stat(target).st_mode)  # replacing a file keeps its mode
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_text(path: str, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (see :func:`atomic_output`)."""
    with atomic_output(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
