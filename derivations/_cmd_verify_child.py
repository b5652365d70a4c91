"""``jacobians verify FILE.py`` runs the file in a child process: an exit, a crash or a hang in
the user's code is then reported as what it is, never as a match.

The parent (:func:`verify_in_child`) starts the same Python on :func:`child_main` with a time
limit; the child runs the file as ``python FILE.py`` would (its directory first on sys.path and
as the working directory, so modules beside it import; ``sys.argv`` is ``[FILE.py]``), calls
``jacobians.verify_file`` and writes the outcome as JSON to a temporary file the parent named:
the rendered report and whether it matches, or the error with the file's line, or the exit code
of a ``sys.exit``. No JSON, or a child that did not end with status 0, is an error. What the file
prints goes to stderr, so the report on stdout stays clean.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

from ._cmd_io import CommandError, error_line

__all__ = ["FileRunError", "child_main", "render_report", "verify_in_child"]

# The child's first lines: the file's directory first on sys.path, then the directory this
# package was imported from (a source checkout works without installing), then the rest.
_BOOT = (
    "import sys; sys.path[0:1] = sys.argv[1:3]; del sys.argv[1:3]; "
    "from derivations._cmd_verify_child import child_main; child_main(sys.argv[1:])"
)


class FileRunError(CommandError):
    """The file could not be verified: it exited, crashed, raised or ran past the time limit."""


def verify_in_child(
    path: str, options: dict[str, Any], fmt: str, timeout: float
) -> tuple[bool, str]:
    """Verify the file in a child process within ``timeout`` seconds: (matches, the report)."""
    file = Path(path).resolve()
    if not file.is_file():
        raise FileNotFoundError(2, "no such file", path)
    package_root = str(Path(__file__).resolve().parents[1])
    fd, result = tempfile.mkstemp(prefix="jacobians-verify-", suffix=".json")
    os.close(fd)
    cmd = [sys.executable, "-c", _BOOT, str(file.parent), package_root, str(file), result]
    cmd.append(json.dumps({**options, "format": fmt}))
    try:
        status = _run(cmd, file.parent, timeout)
        if status is None:
            raise FileRunError(
                f"{path} did not finish within {timeout:g} s (--timeout): the file or f may "
                "never return; nothing was verified"
            )
        outcome = _read(result)
    finally:
        os.unlink(result)
    return _judge(path, status, outcome)


def _run(cmd: list[str], cwd: Path, timeout: float) -> int | None:
    """The child's exit status, or None past the timeout; the child is stopped and reaped
    whatever happens here (the timeout, Ctrl-C)."""
    sink = _stderr_fd()
    child = subprocess.Popen(
        cmd,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=sink,
        stderr=sink,
        preexec_fn=_ignore_ctrl_c if os.name == "posix" else None,
    )
    try:
        return child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
            _clear_line()


def _clear_line() -> None:
    """A child stopped midway may have left its line of progress (a long full check) on the
    terminal: clear it, so the error that follows starts a line of its own."""
    try:
        if sys.stderr.isatty():
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass


def _ignore_ctrl_c() -> None:
    """In the child before it starts: Ctrl-C at a terminal reaches the whole foreground group,
    but only the parent answers it (it stops the child and says ``interrupted``), so the child
    never prints a traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stderr_fd() -> int:
    """Where the child's own output goes: our stderr, or nowhere when it is closed."""
    try:
        sys.stderr.flush()
        return sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # closed, or pytest's capture
        return subprocess.DEVNULL


def _read(result: str) -> dict[str, Any] | None:
    try:
        with open(result, encoding="utf-8") as fh:
            outcome = json.load(fh)
    except (OSError, ValueError):  # empty (it never got there) or cut short (killed)
        return None
    return outcome if isinstance(outcome, dict) else None


def _judge(path: str, status: int, outcome: dict[str, Any] | None) -> tuple[bool, str]:
    """The report, or the error: only a complete outcome from a child that ended with status 0
    is a verdict."""
    if status < 0:
        name = _signal_name(-status)
        raise FileRunError(f"{path} was killed by {name} (a crash in the file or in f)")
    if outcome is None or status != 0:
        raise FileRunError(
            f"{path} exited with status {status} before verify could finish (os._exit, or a crash"
            " in the file or in f): nothing was verified"
        )
    line = outcome.get("line")
    if "exit" in outcome:
        at = f" at line {line}" if line else ""
        raise FileRunError(
            f"{path} called sys.exit({outcome['exit']}){at} before verify could finish: "
            "nothing was verified"
        )
    if "error" in outcome:
        raise FileRunError(f"{path}, line {line}: {outcome['error']}" if line else outcome["error"])
    return bool(outcome["matches"]), str(outcome["output"])


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


# ----- the child -----


def child_main(argv: list[str]) -> None:
    """In the child: verify the file, write the outcome as JSON, end with status 0."""
    path, result, options = argv[0], argv[1], json.loads(argv[2])
    fmt = options.pop("format")
    sys.argv = [path]  # as `python FILE.py` sees it; its stdout is the parent's stderr
    outcome: dict[str, Any]
    try:
        from jacobians import verify_file

        report = verify_file(path, **options)
        outcome = {"matches": bool(report.matches), "output": render_report(report, fmt)}
    except SystemExit as exc:
        outcome = _exit(exc, path)
    except BaseException as exc:
        if isinstance(exc.__cause__, SystemExit):  # verify_file's report of the file's exit
            outcome = _exit(exc.__cause__, path)
        else:
            outcome = {"error": error_line(exc).replace("\n", " "), "line": _line(exc, path)}
    with open(result, "w", encoding="utf-8") as fh:
        json.dump(outcome, fh, ensure_ascii=False)
    sys.stderr.flush()
    os._exit(0)  # now, whatever threads or atexit hooks the file left behind


def _exit(exc: SystemExit, path: str) -> dict[str, Any]:
    code = exc.code if isinstance(exc.code, (int, type(None))) else repr(exc.code)
    return {"exit": code, "line": _line(exc, path)}


def render_report(report: Any, fmt: str) -> str:
    """The report as --format asks: text, markdown or json."""
    if fmt == "json":
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
    if fmt == "markdown":
        return report._repr_markdown_()
    return str(report)


def _line(exc: BaseException, path: str) -> int | None:
    """The line of the file where ``exc`` (or what caused it) was raised: the deepest frame in
    the file, or a syntax error's line."""
    target = os.path.realpath(path)
    seen: set[int] = set()
    line = None
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:  # the chain: verify_file raises `from` the cause
        seen.add(id(e))
        if isinstance(e, SyntaxError) and e.filename and _same(e.filename, target):
            return e.lineno
        for frame in traceback.extract_tb(e.__traceback__):
            if _same(frame.filename, target):
                line = frame.lineno
        if line is not None:
            return line
        e = e.__cause__ or e.__context__
    return None


def _same(filename: str, target: str) -> bool:
    return os.path.realpath(filename) == target
