"""`jacobians train` and `jacobians plot` in a subprocess: a warning when the loss grows far past
its start, training without matplotlib, and pictures in the format of --output's extension."""

import os

import pytest

from .test_cli import ROOT, run


def test_a_loss_that_grows_far_past_its_start_is_warned_about_on_stderr():
    r = run("train", "--lr", "2", "--epochs", "60", "--no-plot", "-q")
    assert r.returncode == 0, r.stderr  # finite to the end: trained, with a warning
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("jacobians train: warning: the loss grew to 192× its start")
    assert "(0.0695 → 13.4 at epoch 8; 5.8 at the end)" in lines[0]
    assert lines[0].endswith("lower --lr (2) or --clip (1)")
    assert "cost 0.06954 -> 5.8" in r.stdout


def test_a_healthy_run_says_nothing_on_stderr():
    r = run("train", "--epochs", "200", "--no-plot", "-q")
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_without_matplotlib_train_still_trains_and_says_how_to_get_the_picture(tmp_path):
    block = tmp_path / "block"
    (block / "matplotlib").mkdir(parents=True)
    (block / "matplotlib" / "__init__.py").write_text("raise ImportError('simulated')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(block), str(ROOT)]))
    r = run("train", "--epochs", "20", "-o", str(tmp_path / "sine.png"), env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "cost" in r.stdout and "mean squared error" in r.stdout  # it trained
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert lines[0].startswith("jacobians train: no picture: it needs matplotlib")
    assert "pip install 'jacobians[plot]'" in lines[0] and "--no-plot" in lines[0]
    assert not (tmp_path / "sine.png").exists()
    quiet = run("train", "--epochs", "20", "--no-plot", env=env, cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == ""


@pytest.mark.parametrize(
    ("command", "name", "magic"),
    [
        ("plot", "chain.pdf", b"%PDF"),
        ("plot", "chain.svg", b"<?xml"),
        ("train", "sine.pdf", b"%PDF"),
        ("train", "sine.svg", b"<?xml"),
    ],
)
def test_the_picture_is_written_in_the_format_of_its_extension(tmp_path, command, name, magic):
    pytest.importorskip("matplotlib")
    extra = ["--epochs", "20"] if command == "train" else []
    r = run(command, *extra, "-o", str(tmp_path / name))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / name).read_bytes().lstrip()[: len(magic)] == magic


@pytest.mark.parametrize("command", ["plot", "train"])
def test_an_extension_that_is_not_a_picture_format_is_refused_before_the_work(tmp_path, command):
    r = run(
        command, "--epochs" if command == "train" else "--n", "3", "-o", str(tmp_path / "x.jpg")
    )
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "'--output'" in lines[0] and ".png, .pdf or .svg" in lines[0]
    assert not (tmp_path / "x.jpg").exists()
