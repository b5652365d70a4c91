"""The `jacobians` command end to end, in a subprocess: every subcommand, formats, exit codes, and
bad input as one line on stderr with exit code 2."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from derivations import cli

ROOT = Path(__file__).resolve().parents[2]


def run(*args, cwd=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "derivations", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=120,
    )


def test_main_job_is_the_single_layer_table():
    r = run("derive")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("∂C/∂W for z = Wx + b, a = σ(z), C = ½‖a − y‖² (n = 3, m = 4)")
    for expected in ("(a − y)ᵀ", "I_n ⊗ xᵀ", "1×nm → n×m", "1×12 → 3×4", "ok", "15"):
        assert expected in out
    assert "FAILED" not in out and r.stderr == ""


def test_console_script():
    script = Path(sys.executable).with_name("jacobians")
    if not script.exists():
        pytest.skip(f"no console script next to {sys.executable} (package not installed)")
    r = subprocess.run([str(script), "derive", "--format", "json"], capture_output=True, text=True)
    assert r.returncode == 0 and json.loads(r.stdout)["kind"] == "derivation"


@pytest.mark.parametrize(
    "args, needle",
    [
        (["derive", "--format", "markdown"], "| ∂z/∂W | I\\_n ⊗ xᵀ | n×nm | 3×12 | kronecker |"),
        (["derive", "-f", "tex"], "\\begin{align*}"),
        (["derive", "--format", "latex", "--document"], "\\documentclass"),
        (["derive", "--n", "2", "--m", "3", "--matrices"], "∂z/∂W = I_n ⊗ xᵀ (2×6):"),
        (["derive", "--activation", "tanh", "--wrt", "b"], "1×n → n"),
        (["derive", "softmax"], "i ≠ j"),
        (["derive", "mlp", "--sizes", "2,4,3", "--wrt", "b1"], "∂z⁽¹⁾/∂b⁽¹⁾"),
        (
            ["derive", "mlp", "--loss", "cross_entropy", "--sizes", "2,3,3"],
            "diag(y⁽²⁾) − y⁽²⁾ y⁽²⁾ᵀ",
        ),
        (["catalog"], "I_n ⊗ Bᵀ"),
        (["catalog", "--format", "md"], "`softmax_cross_entropy`"),
    ],
)
def test_subcommands(args, needle):
    r = run(*args)
    assert r.returncode == 0, r.stderr
    assert needle in r.stdout


def test_json_output_parses():
    r = run("derive", "softmax", "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["source"] == "softmax_cross_entropy" and doc["passed"] is True


def test_output_file(tmp_path):
    r = run("derive", "--format", "latex", "--output", str(tmp_path / "t.tex"))
    assert r.returncode == 0 and r.stdout == ""
    assert "\\frac{\\partial C}{\\partial W}" in (tmp_path / "t.tex").read_text()


def test_check_agrees_and_disagrees():
    r = run("check", "--sizes", "2,3,1", "--activations", "tanh,identity")
    assert r.returncode == 0, r.stderr
    assert "agree within 1e-09" in r.stdout and "W1" in r.stdout
    # central differences (relu) are ~1e-10 off: an absurd tolerance must report disagreement
    r = run("check", "--sizes", "2,3,1", "--activations", "relu,identity", "--tol", "1e-15")
    assert r.returncode == 1 and "DISAGREE" in r.stdout


def test_check_fails_when_a_method_is_wrong(monkeypatch, capsys):
    """In process: break the shortcut and check must exit 1."""
    import net

    real = net.MLP.gradients

    def wrong(self, X, T, method="shortcut"):
        g = real(self, X, T, method)
        return {k: v * (1.001 if method == "shortcut" else 1) for k, v in g.items()}

    monkeypatch.setattr(net.MLP, "gradients", wrong)
    assert cli.main(["check"]) == 1
    assert "DISAGREE" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        ["derive", "--n", "0"],
        ["derive", "--n", "three"],
        ["derive", "--format", "xml"],
        ["derive", "--document", "--format", "markdown"],
        ["derive", "--output", "derivation.html"],  # an extension that names no format
        ["verify", "x'*x", "--wrt", "x", "--claimed", "2*x", "--format", "xml"],
        ["derive", "nonsense"],
        ["derive", "--activation", "swish"],
        ["derive", "--cost", "cross_entropy", "--activation", "relu"],
        ["derive", "--n", "40", "--matrices"],
        ["derive", "softmax", "--cost", "squared_error"],
        ["derive", "mlp", "--wrt", "W9"],
        ["derive", "mlp", "--sizes", "2,x,1"],
        ["derive", "mlp", "--activations", "tanh"],
        ["derive", "mlp", "--loss", "hinge"],
        ["check", "--sizes", "2"],
        ["check", "--samples", "0"],
        ["plot", "--output", "chain.bmp"],  # a picture format plot does not write
        ["train", "--epochs", "-1", "--no-plot"],
        ["frobnicate"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(args):
    r = run(*args)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("jacobians") and "error:" in lines[0]
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("mod", cli.COMMANDS, ids=lambda m: m.NAME)
def test_help_has_an_example_for_every_subcommand(mod):
    r = run(mod.NAME, "--help")
    assert r.returncode == 0
    assert "example" in r.stdout and f"jacobians {mod.NAME}" in r.stdout


def test_plot_png_and_svg(tmp_path):
    pytest.importorskip("matplotlib")
    r = run("plot", "--output", str(tmp_path / "chain.png"))
    assert r.returncode == 0, r.stderr
    data = (tmp_path / "chain.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    r = run("plot", "mlp", "--sizes", "2,3,1", "--wrt", "W1", "-o", str(tmp_path / "deep.svg"))
    assert r.returncode == 0 and "<svg" in (tmp_path / "deep.svg").read_text()


def test_without_matplotlib_the_command_says_how_to_install(tmp_path):
    """Simulate matplotlib missing: a path entry whose matplotlib cannot be imported. (train
    still trains without it: tests/derivations/test_cmd_train.py.)"""
    block = tmp_path / "block"
    (block / "matplotlib").mkdir(parents=True)
    (block / "matplotlib" / "__init__.py").write_text("raise ImportError('simulated')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(block), str(ROOT)]))
    r = run("plot", "-o", str(tmp_path / "c.png"), env=env, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert "pip install 'jacobians[plot]'" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "c.png").exists()


def test_train_writes_the_sine_picture(tmp_path):
    pytest.importorskip("matplotlib")
    r = run("train", "--epochs", "300", "--output", str(tmp_path / "sine.png"))
    assert r.returncode == 0, r.stderr
    assert "epochs" in r.stdout and "mean squared error" in r.stdout
    assert (tmp_path / "sine.png").read_bytes()[:4] == b"\x89PNG"


def test_no_subcommand_prints_help():
    r = run()
    assert r.returncode == 2 and "derive" in r.stdout


def test_output_to_dev_stdout_writes_into_a_pipe():
    r = run("derive", "-o", "/dev/stdout")  # stdout is a pipe here: /proc/…/fd/pipe:[…]
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("∂C/∂W for z = Wx + b")


def test_a_diverging_run_names_train_once():
    r = run("train", "--lr", "1e300", "--clip", "1e300", "--epochs", "5", "--quiet", "--no-plot")
    assert r.returncode == 1 and r.stderr.startswith("jacobians train: bad argument 'lr'")


def test_a_target_that_misfits_the_parameters_depth_says_how_deep_the_network_is(tmp_path):
    import numpy as np

    path = tmp_path / "net.npz"
    np.savez(path, W1=np.ones((3, 2)), b1=np.zeros(3), x=np.ones(2), t=np.array([0.5]))
    r = run("derive", "mlp", "--values", str(path))
    assert r.returncode == 2 and "as deep as the deepest parameter given" in r.stderr
    r = run("derive", "mlp", "--values", str(path), "--sizes", "2,3,3,1")
    assert r.returncode == 0, r.stderr


def test_check_refuses_an_infinite_tolerance():
    r = run("check", "--tol", "inf")
    assert r.returncode == 2 and "positive finite number" in r.stderr


def test_chain_figure_refuses_a_table_without_a_chain():
    pytest.importorskip("matplotlib")
    import derivations
    from derivations import plot
    from reshape import InputTypeError

    for table in (derivations.expression("x'*A*x", "x", ["A=3x3"]), derivations.rnn(3)):
        with pytest.raises(InputTypeError, match="chain_figure: bad argument 'd'"):
            plot.chain_figure(table)
