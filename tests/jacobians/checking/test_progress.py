"""The line of progress of a long numeric Jacobian: on stderr only when it is a terminal (or
when asked), never in captured output by default, off with progress=False."""

import io

import numpy as np
import pytest

from jacobians import numeric, verify
from jacobians.checking import _progress
from reshape import InputError

X = np.linspace(0.1, 1.0, 30)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def f(x):
    return np.sin(x)


@pytest.fixture
def terminal(monkeypatch):
    """Makes stderr a terminal, with the line due at once rather than after a few seconds
    (stderr is replaced in the test itself: pytest sets its own between setup and the test)."""
    monkeypatch.setattr(_progress, "DELAY", 0.0)

    def make():
        stream = Terminal()
        monkeypatch.setattr("sys.stderr", stream)
        return stream

    return make


def test_captured_stderr_never_sees_it_by_default(capsys, monkeypatch):
    monkeypatch.setattr(_progress, "DELAY", 0.0)  # however long the work
    numeric(f, X, "complex")
    verify(f, X, np.diag(np.cos(X)), mode="full")
    assert capsys.readouterr().err == ""


def test_forced_it_shows_on_any_stream_and_is_erased(capsys):
    numeric(f, X, "complex", progress=True)
    err = capsys.readouterr().err
    assert "numeric ∂f/∂x, complex step: 0 of 30 entries of x (0%)" in err
    assert err.endswith("\r") and err.rstrip("\r").endswith(" ")  # the line blanked at the end


def test_on_a_terminal_it_shows_after_the_delay(terminal):
    terminal = terminal()
    numeric(f, X, "central")
    assert "numeric ∂f/∂x, central: 0 of 30 entries of x" in terminal.getvalue()


def test_on_a_terminal_a_short_run_shows_nothing(terminal, monkeypatch):
    terminal = terminal()
    monkeypatch.setattr(_progress, "DELAY", 60.0)
    numeric(f, X, "central")
    assert terminal.getvalue() == ""


def test_progress_false_turns_it_off(terminal):
    terminal = terminal()
    numeric(f, X, "complex", progress=False)
    verify(f, X, np.diag(np.cos(X)), mode="full", progress=False)
    assert terminal.getvalue() == ""


def test_verify_full_shows_it_the_fast_check_needs_none(terminal):
    terminal = terminal()
    verify(f, X, np.diag(np.cos(X)), mode="fast")
    assert terminal.getvalue() == ""
    verify(f, X, np.diag(np.cos(X)), mode="full", method="central")
    assert "numeric ∂f/∂x, central, its error estimate" in terminal.getvalue()


def test_the_line_says_what_is_left(monkeypatch):
    stream = Terminal()
    monkeypatch.setattr("sys.stderr", stream)
    line = _progress.Progress("numeric ∂f/∂W, complex step", 200_704, "entries of W", True)
    line.start -= 12.0  # as if 12 s had passed
    line(51_200)
    text = stream.getvalue()
    assert "51,200 of 200,704 entries of W (25%), 12 s, about 35 s left" in text
    line(60_000)  # within EVERY seconds of the last: not redrawn
    assert stream.getvalue() == text
    line.close()
    assert stream.getvalue().endswith("\r")


@pytest.mark.parametrize("bad", ["yes", 2, object()])
def test_bad_progress_is_refused_by_name(bad):
    with pytest.raises(InputError, match="'progress'"):
        numeric(f, X, progress=bad)
    with pytest.raises(InputError, match="'progress'"):
        verify(f, X, np.diag(np.cos(X)), progress=bad)
