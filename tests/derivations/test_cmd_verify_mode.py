"""`jacobians verify FILE.py --mode fast|full|auto`: the check asked for runs, the report says
which, and a fast report survives the trip through JSON (the child's) into LaTeX."""

import json

import numpy as np
import pytest

from derivations._report_latex import report_from_dict, report_latex
from jacobians import verify
from tests.derivations.test_cmd_verify import run

TRANSPOSED = "claimed = np.outer((a - y) * a * (1 - a), xs).T\n"


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("fast", ["along 6 random directions", "fast check"]),
        ("full", ["full check, entry by entry", "first differing entries"]),
        ("auto", ["full check, entry by entry"]),  # 6 entries: auto runs the full check
    ],
)
def test_each_mode_runs_and_names_the_slip(tmp_path, mode, words):
    out = run(tmp_path, TRANSPOSED, "--mode", mode)
    assert out.returncode == 1, out.stderr
    assert "diagnosis (transposed)" in out.stdout
    for w in words:
        assert w in out.stdout


def test_mode_from_the_file_and_json(tmp_path):
    out = run(tmp_path, TRANSPOSED + "mode = 'fast'\n", "--format", "json")
    d = json.loads(out.stdout)
    assert (d["mode"], d["directions"], d["diagnosis"]["kind"]) == ("fast", 6, "transposed")
    assert d["n_differing"] is None and d["bound"] > 0


def test_a_bad_mode_is_refused(tmp_path):
    out = run(tmp_path, TRANSPOSED, "--mode", "quick")
    assert out.returncode == 2 and "--mode" in out.stderr and "Traceback" not in out.stderr
    out = run(tmp_path, TRANSPOSED + "mode = 'quick'\n")
    assert out.returncode == 2 and "'mode'" in out.stderr and len(out.stderr.splitlines()) == 1


def test_a_fast_report_round_trips_and_renders_in_latex():
    rng = np.random.default_rng(0)
    W, x = rng.normal(size=(30, 40)), rng.normal(size=40)
    r = verify(lambda W: np.sum(np.tanh(W @ x)), W, rng.normal(size=(30, 40)), mode="fast")
    back = report_from_dict(r.to_dict())
    assert str(back) == str(r) and back.mode == "fast" and back.directions == 6
    tex = report_latex(back)
    assert "random directions" in tex and "mode='full'" in tex.replace("\\_", "_")
