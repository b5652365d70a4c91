"""The recurrence table: its products against numpy, vanishing and exploding norms, its formats
and the command."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from derivations._rnn import rnn
from reshape import InputError

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "derivations", *args], capture_output=True, text=True, cwd=ROOT,
        timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize(("steps", "scale"), [(1, 1.0), (5, 0.5), (7, 1.5)])
def test_products_equal_numpy_products(steps, scale):
    t = rnn(steps=steps, n=3, m=2, seed=4, scale=scale)
    assert [p.t for p in t.products] == list(range(steps, 0, -1))
    W = scale * np.linalg.qr(np.random.default_rng(4).normal(size=(3, 3)))[0]
    P = np.eye(3)
    for p in t.products:
        if p.t < steps:
            P = P @ (np.diag(1 - t.states[p.t + 1] ** 2) @ W)
        np.testing.assert_allclose(p.jacobian.matrix, P, rtol=1e-12, atol=1e-15)
        assert p.frobenius == pytest.approx(np.linalg.norm(P))
        assert p.sigma_max == pytest.approx(np.linalg.svd(P, compute_uv=False)[0])
    assert t.passed


def test_norms_vanish_below_one_and_explode_above():
    small = rnn(steps=8, scale=0.5)
    assert np.all(np.diff(small.sigmas) < 0) and small.sigmas[-1] < 0.5**6
    large = rnn(steps=8, scale=1.5)
    assert np.all(np.diff(large.sigmas[1:]) > 0) and large.sigmas[-1] > 5


def test_every_format_renders():
    t = rnn(steps=4)
    text = t.render("text")
    assert "closed form: ∂h_T/∂h_t = Π_(τ = T … t+1) diag(1 − h_τ²) W" in text
    assert text.count("diag(1 − h_τ²) W") == 2  # the factor's rule, the product's closed form
    assert "| t | T − t |" in t.render("markdown")
    assert r"\prod_{\tau = T}^{t+1}" in t.render("latex", document=True)
    doc = json.loads(t.render("json"))
    assert doc["kind"] == "rnn" and len(doc["products"]) == 4 and doc["passed"]


@pytest.mark.parametrize(
    ("kwargs", "arg"),
    [({"steps": 0}, "steps"), ({"steps": 201}, "steps"), ({"n": 2.5}, "n"),
     ({"scale": -1.0}, "scale"), ({"scale": "2"}, "scale"), ({"seed": -1}, "seed")],
)  # fmt: skip
def test_bad_arguments_are_named(kwargs, arg):
    with pytest.raises(InputError) as info:
        rnn(**kwargs)
    assert info.value.arg == arg


def test_cli_derive_and_plot(tmp_path):
    r = run("derive", "rnn", "--steps", "5", "--scale", "0.5", "--n", "3")
    assert r.returncode == 0, r.stderr
    assert "∂h_5/∂h_4 ⋯ ∂h_2/∂h_1" in r.stdout
    r = run("derive", "rnn", "--steps", "3", "--format", "json")
    assert json.loads(r.stdout)["steps"] == 3
    r = run("derive", "rnn", "--activation", "tanh")
    assert r.returncode == 2 and "--activation" in r.stderr
    r = run("derive", "--steps", "3")
    assert r.returncode == 2 and "--steps" in r.stderr
    pytest.importorskip("matplotlib")
    out = tmp_path / "rnn.png"
    r = run("plot", "rnn", "--steps", "6", "--output", str(out))
    assert r.returncode == 0 and out.read_bytes()[:4] == b"\x89PNG", r.stderr
