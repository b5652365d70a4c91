"""`jacobians verify FILE.py` end to end, in a subprocess: the report, and the exit status."""

import json
import subprocess
import sys
import textwrap

import pytest

HEAD = """
import numpy as np
W, xs, b, y = np.arange(6.0).reshape(2, 3) / 6, np.array([1.0, 2.0, -1.0]), np.zeros(2), np.ones(2)
sig = lambda z: 1 / (1 + np.exp(-z))
def f(W):
    return 0.5 * np.sum((sig(W @ xs + b) - y) ** 2)
x = W
a = sig(W @ xs + b)
"""


def run(tmp_path, body, *args):
    path = tmp_path / "derivation.py"
    path.write_text(textwrap.dedent(HEAD + body))
    cmd = [sys.executable, "-m", "derivations", "verify", str(path), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def test_correct_derivation_exits_0(tmp_path):
    out = run(tmp_path, "claimed = np.outer((a - y) * a * (1 - a), xs)\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("OK  ∂f/∂W matches")


def test_wrong_derivation_exits_1_and_names_the_mistake(tmp_path):
    out = run(tmp_path, "claimed = np.outer((a - y) * a * (1 - a), xs).T\n")
    assert out.returncode == 1
    assert "diagnosis (transposed)" in out.stdout and "first differing entries" in out.stdout


def test_layer_and_options_from_the_file_and_json_output(tmp_path):
    body = """
    from jacobians import Layer
    layer = Layer("sigmoid", pre=lambda W: W @ xs + b, post=lambda a: 0.5 * np.sum((a - y) ** 2))
    claimed = np.outer((a - y) * sig(a) * (1 - sig(a)), xs)   # sigma'(a) instead of sigma'(z)
    """
    out = run(tmp_path, textwrap.dedent(body), "--format", "json")
    assert out.returncode == 1
    d = json.loads(out.stdout)
    assert d["diagnosis"]["kind"] == "activation-derivative"
    assert d["diagnosis"]["data"]["hypothesis"] == "evaluated at a"


def test_form_option_and_markdown(tmp_path):
    out = run(
        tmp_path,
        "claimed = np.outer((a - y) * a * (1 - a), xs)\n",
        "--form",
        "matrix",
        "--format",
        "markdown",
    )
    assert out.returncode == 1 and "**diagnosis (shape)**" in out.stdout


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("claimed = np.ones(5)\n", ["claimed", "6 entries"]),
        ("del f\nclaimed = 1\n", ["which defines no f"]),
        ("claimed = undefined_name\n", ["NameError"]),
        ("claimed = (\n", ["SyntaxError"]),
        ("claimed = np.full((2, 3), np.nan)\n", ["NaN"]),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(tmp_path, body, words):
    out = run(tmp_path, body)
    assert out.returncode == 2
    assert out.stdout == "" and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    for w in words:
        assert w in out.stderr


def test_missing_file_exit_2(tmp_path):
    cmd = [sys.executable, "-m", "derivations", "verify", str(tmp_path / "nope.py")]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "no such file" in out.stderr and "Traceback" not in out.stderr


def test_a_shape_for_a_name_f_lacks_is_refused_by_its_flag(capsys):
    from derivations import cli

    code = cli.main(["verify", "tr(A*X)", "--wrt", "X", "--claimed", "A'", "--shape", "Q=2x2"])
    err = capsys.readouterr().err
    assert code == 2 and "--shape: bad argument 'NAME=SHAPE'" in err and "'Q'" in err
