"""How the `jacobians` command fails, end to end in a subprocess: one line on stderr and exit 2
for every error (the dense limit, memory, a closed stdout, an output path, the user's file in
`verify`), a quiet end when the reader leaves, `interrupted` and exit 130 on Ctrl-C, and no
partial output file."""

import json
import os
import select
import signal
import subprocess
import sys
import textwrap
from contextlib import suppress
from pathlib import Path

import pytest

from derivations._cmd_io import atomic_output

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals, pipes and sh are POSIX's")

ROOT = Path(__file__).resolve().parents[2]
CMD = [sys.executable, "-m", "derivations"]
CLOSED_STDOUT = ["sh", "-c", 'exec "$@" >&-', "sh"]  # runs the rest with fd 1 closed


def run(*args, env=None, stdout=subprocess.PIPE, prefix=(), cmd=CMD, timeout=30):
    return subprocess.run(
        [*prefix, *cmd, *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=None if env is None else {**os.environ, **env},
        timeout=timeout,
    )


def patched(command, error):
    """A fresh interpreter running `jacobians command` whose work raises ``error``."""
    code = f"""if True:
        import sys
        from derivations import _cmd_{command}, cli

        def run(args):
            raise {error}

        _cmd_{command}.run = run
        sys.exit(cli.main([{command!r}]))
        """
    return [sys.executable, "-c", code]


def one_error_line(r, command):
    """Exit 2, and stderr one line from the command, without a traceback."""
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"jacobians {command}: error: "), r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]


# ----- the limit, memory, unexpected errors -----

LIMIT_100 = {"JACOBIANS_DENSE_LIMIT": "100"}


@pytest.mark.parametrize(
    ("args", "env", "words"),
    [
        (["derive", "--matrices"], LIMIT_100, "over the limit of 100 bytes"),
        (["plot", "-o", "{tmp}/chain.png"], LIMIT_100, "over the limit of 100 bytes"),
        (["check", "--samples", "1000000000"], None, "use fewer --samples"),
        (["train", "--samples", "100000000", "--no-plot"], None, "use fewer --samples"),
        (["train", "--epochs", "10000000000", "--no-plot"], None, "use fewer --epochs"),
        (["plot", "--n", "100", "--m", "100", "-o", "{tmp}/chain.png"], None, "smaller sizes"),
    ],
    ids=["derive-matrices", "plot-dense", "check-samples", "train-samples", "train-epochs", "plot"],
)
def test_the_limit_is_one_line_and_nothing_is_written(tmp_path, args, env, words):
    # the timeout guards the machine: without the checks some of these allocate tens of GiB
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert words in one_error_line(run(*args, env=env, timeout=20), args[0])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("command", "error", "words"),
    [
        (  # numpy's words when an allocation is refused
            "check",
            'MemoryError("Unable to allocate 7.45 GiB for an array with shape (1000000000,)")',
            "error: out of memory: Unable to allocate 7.45 GiB",
        ),
        ("catalog", 'KeyError("a bug")', "error: KeyError: 'a bug'"),
    ],
    ids=["memory", "unexpected"],
)
def test_memory_and_unexpected_errors_are_one_line(command, error, words):
    assert words in one_error_line(run(cmd=patched(command, error)), command)
    if "bug" in error:  # for a developer
        r = run(cmd=patched(command, error), env={"JACOBIANS_DEBUG": "1"})
        assert r.returncode == 1 and "Traceback" in r.stderr


def test_ctrl_c_in_any_command_is_one_line_and_exit_130():
    r = run(cmd=patched("derive", "KeyboardInterrupt"))
    assert r.returncode == 130 and r.stderr == "jacobians derive: interrupted\n"


def test_a_syntax_error_is_a_summary_line_and_a_caret_picture():
    r = run("derive", "x'*A*x)", "--wrt", "x")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    summary, text, caret = r.stderr.rstrip("\n").splitlines()
    assert summary.startswith("jacobians derive: error: jacobians.parse: bad argument 'text'.")
    assert "at column 7" in summary and "Received ')'" in summary
    assert text == "  x'*A*x)" and caret == "        ^"


# ----- standard output: a reader that leaves, a closed stream -----


def closed_reader():
    """A pipe whose reading end is closed before the command starts: every write breaks."""
    read, write = os.pipe()
    os.close(read)
    return write


@pytest.mark.parametrize(
    ("args", "status"),
    [(["catalog"], 0), (["derive", "--format", "json"], 0), (["check"], 0), (["--help"], 0)],
    ids=["catalog", "derive", "check", "help"],
)
def test_a_broken_pipe_ends_quietly_with_the_commands_status(args, status):
    write = closed_reader()
    try:
        r = run(*args, stdout=write)
    finally:
        os.close(write)
    assert r.returncode == status and r.stderr == ""


def test_head_c1_reads_one_byte_and_the_command_ends_quietly():
    producer = subprocess.Popen(
        [*CMD, "catalog"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
    )
    head = subprocess.Popen(["head", "-c1"], stdin=producer.stdout, stdout=subprocess.PIPE)
    producer.stdout.close()  # head alone reads it now
    first, _ = head.communicate(timeout=30)
    err = producer.stderr.read()
    producer.stderr.close()
    assert producer.wait(timeout=30) == 0 and err == b""
    assert len(first) == 1


def test_closed_stdout_is_one_line_before_the_work_unless_the_output_goes_to_a_file(tmp_path):
    for command in ("catalog", "derive"):
        r = run(command, prefix=CLOSED_STDOUT)
        assert "standard output is closed" in one_error_line(r, command)
    out = tmp_path / "t.md"
    r = run("derive", "-f", "md", "-o", str(out), prefix=CLOSED_STDOUT)
    assert r.returncode == 0 and r.stderr == f"wrote {out}\n"
    assert "| ∂z/∂W |" in out.read_text()


# ----- output paths, Ctrl-C, partial files -----


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--epochs", "100000000", "--output", "/nonexistent/x.png"],
        ["derive", "mlp", "--sizes", "4,4096,4096,4", "--output", "/nonexistent/t.txt"],
        ["plot", "--output", "/nonexistent/chain.png"],
        ["catalog", "--output", "."],
    ],
    ids=["train", "derive", "plot", "directory"],
)
def test_an_output_path_that_cannot_be_written_is_refused_before_the_work(args):
    # train would run for hours and derive build a 4096-wide network before reaching the file
    line = one_error_line(run(*args, timeout=20), args[0])
    assert "cannot write --output" in line
    assert "does not exist" in line or "got a directory" in line


def test_ctrl_c_during_train_exits_130_with_one_line_and_no_file(tmp_path):
    pytest.importorskip("matplotlib")
    import pty

    out = tmp_path / "sine.png"
    master, terminal = pty.openpty()  # on a terminal train draws its progress bar
    p = subprocess.Popen(
        [*CMD, "train", "--epochs", "1000000", "--output", str(out)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
        cwd=ROOT,
    )
    os.close(terminal)
    seen = b""
    try:
        while b"train [" not in seen:  # the bar is drawn: training has started
            ready, _, _ = select.select([master], [], [], 20)
            assert ready, f"no progress bar: {seen!r}"
            seen += os.read(master, 4096)
        p.send_signal(signal.SIGINT)
        assert p.wait(timeout=20) == 130
        with suppress(OSError):  # EIO: the terminal's other end is closed, everything is read
            while chunk := os.read(master, 4096):
                seen += chunk
    finally:
        if p.poll() is None:
            p.kill()
        p.stdout.close()
        os.close(master)
    text = seen.decode()
    assert "Traceback" not in text
    assert text.replace("\r", "").rstrip("\n").splitlines()[-1] == "jacobians train: interrupted"
    assert list(tmp_path.iterdir()) == []  # neither sine.png nor a temporary file


def test_an_interrupted_write_leaves_neither_the_file_nor_a_temporary_one(tmp_path):
    target = tmp_path / "table.txt"
    with pytest.raises(KeyboardInterrupt), atomic_output(str(target)) as tmp:
        Path(tmp).write_text("half a tab")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
    target.write_text("before")
    with pytest.raises(OSError), atomic_output(str(target)) as tmp:
        Path(tmp).write_text("half")
        raise OSError("disk full")
    assert list(tmp_path.iterdir()) == [target] and target.read_text() == "before"
    with atomic_output(str(target)) as tmp:
        assert tmp.endswith(".txt") and Path(tmp).parent == tmp_path
        Path(tmp).write_text("after")
    assert list(tmp_path.iterdir()) == [target] and target.read_text() == "after"


# ----- verify FILE.py: the file runs in a child process -----

HEAD = """\
import numpy as np
x = np.array([1.0, 2.0])
claimed = 2 * x
def f(x):
    {body}
    return np.sum(x ** 2)
"""


def verify(tmp_path, source, *args):
    path = tmp_path / "derivation.py"
    path.write_text(source)
    return run("verify", str(path), *args), path


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("import sys\nsys.exit(0)\n" + HEAD.format(body="pass"), ["sys.exit(0) at line 2"]),
        (HEAD.format(body="import sys; sys.exit(0)"), ["sys.exit(0) at line 5"]),
        (HEAD.format(body="import os; os._exit(0)"), ["exited with status 0", "os._exit"]),
        (HEAD.format(body="raise RuntimeError('boom')"), ["line 5:", "RuntimeError: boom"]),
        (HEAD.format(body="pass") + "1 / 0\n", ["line 7:", "ZeroDivisionError"]),
        (HEAD.format(body="import os, signal; os.kill(os.getpid(), signal.SIGKILL)"), ["SIGKILL"]),
    ],
    ids=["exit-import", "exit-f", "os-exit-f", "raise-f", "raise-import", "kill"],
)
def test_a_file_that_exits_crashes_or_raises_is_an_error_never_a_match(tmp_path, source, words):
    r, path = verify(tmp_path, source)
    line = one_error_line(r, "verify")
    assert r.stdout == "" and str(path) in line
    for w in words:
        assert w in line


def test_a_file_that_never_returns_is_stopped_by_the_timeout(tmp_path):
    r, _ = verify(tmp_path, HEAD.format(body="while True: pass"), "--timeout", "2")
    line = one_error_line(r, "verify")
    assert "did not finish within 2 s (--timeout)" in line


def test_bad_timeouts_are_refused(tmp_path):
    r, _ = verify(tmp_path, HEAD.format(body="pass"), "--timeout", "0")
    assert "--timeout must be a positive number" in one_error_line(r, "verify")
    r = run("verify", "x'*x", "--wrt", "x", "--claimed", "2*x", "--timeout", "5")
    assert "--timeout applies to a file" in one_error_line(r, "verify")


def test_ctrl_c_during_verify_stops_the_file_and_exits_130(tmp_path):
    path = tmp_path / "derivation.py"
    path.write_text('import sys\nprint("started", file=sys.stderr, flush=True)\nwhile True: pass\n')
    # its own process group, like a command at a terminal: Ctrl-C reaches parent and child
    p = subprocess.Popen(
        [*CMD, "verify", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        assert p.stderr.readline() == b"started\n"  # the child runs the file
        os.killpg(p.pid, signal.SIGINT)
        out, err = p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    assert p.returncode == 130 and out == b""
    assert err == b"jacobians verify: interrupted\n"
    with pytest.raises(ProcessLookupError):  # the child is gone too
        os.killpg(p.pid, 0)


def test_the_file_imports_a_module_beside_it_and_its_prints_go_to_stderr(tmp_path):
    (tmp_path / "helper_for_verify.py").write_text("def square(x):\n    return (x ** 2).sum()\n")
    source = textwrap.dedent(
        """
        import sys
        import numpy as np
        from helper_for_verify import square
        assert sys.argv[0].endswith("derivation.py")
        x = np.array([1.0, 2.0])
        claimed = 2 * x
        f = square
        print("a line the file prints")
        """
    )
    r, _ = verify(tmp_path, source, "--format", "json")  # run from ROOT, not the file's directory
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["matches"] is True
    assert r.stderr == "a line the file prints\n"


def test_a_mismatch_keeps_exit_1_when_the_reader_leaves(tmp_path):
    path = tmp_path / "derivation.py"
    path.write_text(HEAD.format(body="pass").replace("claimed = 2 * x", "claimed = 3 * x"))
    write = closed_reader()
    try:
        r = run("verify", str(path), stdout=write)
    finally:
        os.close(write)
    assert r.returncode == 1 and r.stderr == ""
