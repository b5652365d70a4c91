"""numeric counts f's own rounding in its error: an f in float32 is checked as float32 allows."""

import numpy as np
import pytest

import jacobians
from jacobians import numeric, verify
from jacobians.checking._steps import EPS, output_eps


def tanh_layer(dtype=np.float32, seed=0, n=8, m=6):
    """(f computing in dtype, W in dtype, the exact gradient in float64): the user's case."""
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(n, m)).astype(dtype)
    x, y = rng.normal(size=m).astype(dtype), rng.random(n).astype(dtype)

    def f(W):
        return 0.5 * np.sum((np.tanh(np.asarray(W, dtype) @ x) - y) ** 2)

    W64, x64, y64 = W.astype(float), x.astype(float), y.astype(float)
    a = np.tanh(W64 @ x64)
    return f, W, np.outer((a - y64) * (1 - a**2), x64)


def test_output_eps_is_the_precision_f_returns():
    assert output_eps(np.zeros(2)) == EPS
    assert output_eps(np.zeros(2, np.float32)) == float(np.finfo(np.float32).eps)
    assert output_eps(np.zeros(2, np.float16)) == float(np.finfo(np.float16).eps)
    assert output_eps(np.zeros(2, np.complex64)) == float(np.finfo(np.float32).eps)
    assert output_eps(np.zeros(2, int)) == EPS


def test_the_reported_float32_gradient_matches():
    f, W, g = tanh_layer()
    r = jacobians.verify(f, W, g)
    assert r.matches, str(r)
    assert any("float32" in n for n in r.notes)


@pytest.mark.parametrize("method", ["richardson", "central"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_float32_estimate_covers_the_actual_error(method, seed):
    f, W, g = tanh_layer(seed=seed)
    N = numeric(f, W, method)
    actual = np.abs(N.matrix.reshape(g.shape) - g)
    assert (actual <= N.error.reshape(g.shape)).all()  # it was 2.4e-5 against 1.3e-4 (seed 0)
    assert N.error_max < 1e-2  # and not so wide that it says nothing


@pytest.mark.parametrize("mode", ["full", "fast"])
def test_float32_slips_are_still_named(mode):
    f, W, g = tanh_layer()
    assert verify(f, W, g, mode=mode).matches
    assert verify(f, W, 2 * g, mode=mode).diagnosis.data["factor"] == 2
    assert verify(f, W, g.T, mode=mode).diagnosis.kind == "transposed"
    wrong = g.copy()
    wrong[2, 3] += 0.01
    if mode == "full":
        assert verify(f, W, wrong).diagnosis.data["entries"] == [[0, 2 * 6 + 3]]


def test_a_float32_fast_check_at_size():
    f, W, g = tanh_layer(n=64, m=400)
    r = verify(f, W, g)
    assert r.mode == "fast" and r.matches
    assert verify(f, W, 2 * g).diagnosis.data["factor"] == 2


def test_float64_estimates_are_unchanged():
    # central's estimate is |D(h) − D(2h)|/3 + 8ε(|f(x+h)| + |f(x−h)|)/2h, ε float64's
    x = np.array([0.5, 2.0])
    N = numeric(np.sin, x, "central")
    h = np.cbrt(EPS) * np.maximum(1.0, np.abs(x))
    rounding = 8 * EPS * (np.abs(np.sin(x + h)) + np.abs(np.sin(x - h))) / ((x + h) - (x - h))
    assert (np.diag(N.error) >= rounding).all()
    assert np.diag(N.error) == pytest.approx(
        np.abs(np.diag(N.matrix) - (np.sin(x + 2 * h) - np.sin(x - 2 * h)) / (4 * h)) / 3
        + rounding,
        rel=1e-6,
    )


def test_float16_says_a_match_tells_little():
    f, W, g = tanh_layer(np.float16)
    r = verify(f, W, g)
    assert any("a match says little" in n and "float16" in n for n in r.notes)
    assert not any("a match says little" in n for n in verify(*tanh_layer()[:3]).notes)


@pytest.mark.parametrize("mode", ["full", "fast"])
def test_a_float32_f_that_is_not_complex_safe_is_found_out_near_its_minimum(mode):
    # |x| of a complex number is its modulus: complex step gives half the slope of x|x|; near
    # the minimum one central difference in float32 cannot tell (its own error is larger)
    x = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    y = x * np.abs(x) - np.float32(1e-3)
    f = lambda x: 0.5 * np.sum((x * np.abs(x) - y) ** 2)
    g = (x * np.abs(x) - y).astype(float) * 2 * np.abs(x)
    r = verify(f, x, g, mode=mode)
    assert r.matches and r.method == "Richardson extrapolation", str(r)  # not "2 ×"


@pytest.mark.parametrize("mode", ["full", "fast"])
def test_a_gradient_below_what_f_can_show_is_zero(mode):
    # at a fitted point the numeric gradient is one rounding of f's inner a − y (1.4e-16): the
    # claim 0 is right to f's precision, and a claim off by 1e-9 is still wrong
    f = lambda x: np.sum((np.tanh(x) - np.tanh(0.7)) ** 2) + 1.0
    x = np.full(3, 0.7)
    assert verify(f, x, np.zeros(3), mode=mode).matches
    assert not verify(f, x, np.full(3, 1e-9), mode=mode).matches
