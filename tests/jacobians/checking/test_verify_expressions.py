"""jacobians.verify of a matrix expression against a closed form typed for it: checked at random
draws, with the diagnoses of any verify (transposed, factor, sign, column-major, entries)."""

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jacobians import verify
from jacobians.checking._draws import draw, shapes_of
from jacobians.expressions import ParseError, parse
from reshape import InputError, ShapeError

TRACE = "tr(A*X'*B*X*C)"
GRAD = "B'*X*A'*C' + B*X*C*A"
WIDE = ["X=3x4", "A=4x4"]  # X not square: a transposed gradient has another shape


@pytest.mark.parametrize(
    "f, wrt, claimed, shapes",
    [
        (TRACE, "X", GRAD, None),
        (TRACE, "X", GRAD, WIDE),
        ("x'*A*x", "x", "A*x + A'*x", None),
        ("x'*A*x", "x", "x'*A' + x'*A", None),  # the 1×n row: numerator layout, accepted
        ("norm2(A*x - y)^2", "x", "2*A'*(A*x - y)", ["A=4x3"]),
        ("A*X*B", "X", "kron(A, B')", ["A=2x3", "X=3x4", "B=4x2"]),
        ("logdet(X)", "X", "inv(X)'", None),
        ("inv(X)", "X", "-kron(inv(X), inv(X)')", None),
    ],
)
def test_a_correct_claim_matches_at_every_draw(f, wrt, claimed, shapes):
    r = verify(f, None, claimed, wrt=wrt, shapes=shapes)
    assert r.matches and r.diagnosis is None, str(r)
    assert r.symbol == f"∂f/∂{wrt}" and "matches at 3 random draws" in r.notes[0]


@pytest.mark.parametrize("shapes", [None, WIDE])
def test_a_transposed_claim_is_diagnosed(shapes):
    r = verify(TRACE, None, f"({GRAD})'", wrt="X", shapes=shapes)
    assert not r.matches and r.diagnosis.kind == "transposed", str(r)
    assert "at draw 1 of 3" in r.notes[0]
    if shapes is None:  # square: only the numbers tell, and the fix is the claim transposed
        assert r.diagnosis.fix == f"transpose it: {parse(GRAD)}"


@pytest.mark.parametrize(
    "claimed, kind, summary",
    [
        (f"2*({GRAD})", "factor", "2 ×"),
        (f"-({GRAD})", "factor", "−1 ×"),
        ("kron(B', A)", "column-major", "column-major"),
    ],
)
def test_other_slips_are_named(claimed, kind, summary):
    f, shapes = (TRACE, None) if "kron" not in claimed else ("A*X*B", ["A=2x3", "X=3x4"])
    r = verify(f, None, claimed, wrt="X", shapes=shapes)
    assert r.diagnosis is not None and r.diagnosis.kind == kind and summary in r.diagnosis.summary


def test_a_denominator_layout_jacobian_is_transposed():
    r = verify("A*x", None, "A'", wrt="x")
    assert r.diagnosis.kind == "transposed" and r.diagnosis.fix == "transpose it: A"


def test_a_claim_wrong_at_some_point_fails():
    r = verify("x'*A*x", None, "2*A*x", wrt="x")  # right only for a symmetric A
    assert not r.matches and r.n_differing > 0


def test_values_fix_variables_and_arrays_need_every_value():
    A = np.array([[2.0, 1.0], [0.0, 3.0]])
    r = verify("x'*A*x", {"A": A}, "A*x + A'*x", wrt="x")
    assert r.matches and "(seed 0; x 2×1, A 2×2)" in r.notes[0]
    x = np.array([1.0, -1.0])
    assert verify("x'*A*x", {"A": A, "x": x}, (A + A.T) @ x, wrt="x").matches
    with pytest.raises(InputError, match="closed form"):
        verify("x'*A*x", {"A": A}, (A + A.T) @ x, wrt="x")


def test_an_expression_object_and_a_single_variable():
    e = parse("sum(exp(x))", ["x=4"])
    assert verify(e, None, "exp(x)").matches  # wrt: the one variable


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"f": "x'*A*x", "claimed": "A*x", "wrt": "y"}, InputError, "one of x, A"),
        ({"f": "x'*A*x", "claimed": "A*x"}, InputError, "wrt"),
        ({"f": "x'*A*x", "claimed": "B*x", "wrt": "x"}, InputError, "uses B"),
        ({"f": "x'*A*", "claimed": "A*x", "wrt": "x"}, ParseError, "column 6"),
        ({"f": "x'*A*x", "claimed": "A", "wrt": "x"}, ShapeError, "entries"),
        ({"f": "x'*A*x", "claimed": "A*x", "wrt": "x", "draws": 0}, InputError, "draws"),
    ],
)
def test_bad_input(kwargs, error, match):
    f, claimed = kwargs.pop("f"), kwargs.pop("claimed")
    with pytest.raises(error, match=match):
        verify(f, None, claimed, **kwargs)


def test_functions_are_unchanged():
    W = np.arange(6.0).reshape(2, 3)
    assert verify(lambda W: np.sum(W**2), W, 2 * W).matches
    with pytest.raises(InputError, match="apply to an expression"):
        verify(lambda W: np.sum(W**2), W, 2 * W, draws=5)


@given(st.integers(0, 2**16))
def test_draws_respect_domains(seed):
    e = parse("logdet(X) + sum(log(y)) + sum(sqrt(z))", ["X=3x3"])
    values, how = draw(e, shapes_of(e, {}, "test"), {}, np.random.default_rng(seed))
    assert np.linalg.det(values["X"]) > 0 and (values["y"] > 0).all() and (values["z"] > 0).all()
    assert how == {"X": "N(0, 1) + 3·I", "y": "|N(0, 1)| + ½", "z": "|N(0, 1)| + ½"}


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "derivations", "verify", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_command():
    ok = _cli(TRACE, "--wrt", "X", "--claimed", GRAD)
    assert ok.returncode == 0 and ok.stdout.startswith("OK  ∂f/∂X matches"), ok.stderr
    bad = _cli(TRACE, "--wrt", "X", "--claimed", f"({GRAD})'", "--format", "json")
    assert bad.returncode == 1 and json.loads(bad.stdout)["diagnosis"]["kind"] == "transposed"
    wide = _cli(TRACE, "--wrt", "X", "--claimed", GRAD, "--shape", "X=3x4", "--shape", "A=4x4")
    assert wide.returncode == 0 and "X 3×4" in wide.stdout
    err = _cli("x'*A*", "--wrt", "x", "--claimed", "A*x")
    assert err.returncode == 2 and err.stderr.splitlines()[-1].strip() == "^"
    missing = _cli(TRACE, "--wrt", "X")
    assert missing.returncode == 2 and "needs --claimed" in missing.stderr
