"""verify near a kink of f: a step that crosses it is looked at again, never blamed on the claim.

f(W) = ½‖relu(Wx) − y‖² is not complex-safe (abs), so verify differentiates it by Richardson,
whose first step, 1e-2·max(1, |Wᵢ|), crosses the kink of a unit with |z| ≈ 1e-3.
"""

import warnings

import numpy as np
import pytest

from jacobians import numeric, verify
from jacobians.checking._refine import settle


def relu(z):
    return (z + np.abs(z)) / 2  # abs: not complex-safe, so Richardson runs


def network(seed, n=32, m=20):
    """(f, W, the correct gradient, z = Wx)."""
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(n, m)) / np.sqrt(m)
    x, y = rng.normal(size=m), rng.normal(size=n)

    def f(W):
        return 0.5 * np.sum((relu(W @ x) - y) ** 2)

    z = W @ x
    return f, W, np.outer((relu(z) - y) * (z > 0), x), z


# ----- the user's case: a correct gradient, a unit at z = 0.0013 -----


def test_the_reported_case_passes_and_says_why_it_looked_again():
    f, W, g, z = network(7)
    assert np.abs(z).min() == pytest.approx(0.0013, abs=1e-4)
    r = verify(f, W, g)
    assert r.matches, str(r)
    assert r.n_differing == 0 and r.max_abs_error < 1e-8  # the kink entries' values were replaced
    note = next(n for n in r.notes if "does not look smooth at the first step" in n)
    assert "∂f/∂W[13, 3]" in note


@pytest.mark.parametrize("method", ["auto", "richardson", "central"])
@pytest.mark.parametrize("seed", [7, 15])  # the two of 20 seeds whose correct gradient failed
def test_correct_gradients_near_a_kink_pass_with_every_method(seed, method):
    f, W, g, _ = network(seed)
    assert verify(f, W, g, method=method).matches


@pytest.mark.parametrize("seed", [0, 7])  # 64×50 seeds whose fast check failed a correct claim
def test_the_fast_check_looks_again_along_the_directions(seed):
    f, W, g, _ = network(seed, 64, 50)
    r = verify(f, W, g, mode="fast")
    assert r.mode == "fast" and r.matches, str(r)
    d = verify(f, W, 2 * g, mode="fast").diagnosis
    assert d is not None and d.kind == "factor" and d.data["factor"] == 2


def test_slips_are_still_named_at_a_kink():
    f, W, g, _ = network(7)
    assert verify(f, W, 2 * g).diagnosis.data["factor"] == 2
    assert verify(f, W, g.T).diagnosis.kind == "transposed"
    wrong = g.copy()
    wrong[3, 4] += 1.0
    d = verify(f, W, wrong).diagnosis
    assert d.kind == "entries" and d.data["entries"] == [[0, 3 * 20 + 4]]  # the kink not blamed


def test_a_wrong_entry_at_the_kink_is_found_at_the_smaller_steps():
    f, W, g, _ = network(7)
    wrong = g.copy()
    wrong[13, 3] += 0.1  # where Richardson's own value is off by 0.5
    r = verify(f, W, wrong)
    assert not r.matches and r.diagnosis.kind == "entries"
    assert r.diagnosis.data["entries"] == [[0, 13 * 20 + 3]]
    assert r.entries[0].numeric == pytest.approx(g[13, 3], abs=1e-8)


# ----- a kink at x itself: the numeric side cannot judge, and says so -----


def dead_unit():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=5), rng.normal(size=4)
    W = rng.normal(size=(4, 5)) / 3
    W[1] = 0.0  # z₁ = 0: relu's kink at x along W[1, :]

    def f(W):
        return 0.5 * np.sum((relu(W @ x) - y) ** 2)

    z = W @ x
    return f, W, np.outer((relu(z) - y) * (z > 0), x)


@pytest.mark.parametrize("mode", ["full", "fast"])
def test_a_kink_at_x_is_not_smooth_not_a_wrong_claim(mode):
    f, W, g = dead_unit()
    r = verify(f, W, g, mode=mode)
    assert not r.matches  # nothing vouches for those entries
    assert r.diagnosis.kind == "not-smooth"
    assert "does not look smooth near W" in r.diagnosis.summary
    assert "not a mistake found in the claim" in r.diagnosis.summary
    assert not r.hint  # no σ′ hint, no "run the full check": the claim is not what failed
    if mode == "full":
        assert {c for _, c in r.diagnosis.data["entries"]} == set(range(5, 10))  # row 1 of W


def test_a_wrong_entry_beside_a_kink_at_x_is_named_and_the_kink_noted():
    f, W, g = dead_unit()
    wrong = g.copy()
    wrong[2, 2] += 1.0
    r = verify(f, W, wrong)
    assert r.diagnosis.kind == "entries" and r.diagnosis.data["entries"] == [[0, 12]]
    assert any("unreliable at 5 entries" in n for n in r.notes)


@pytest.mark.parametrize("mode", ["full", "fast"])
@pytest.mark.parametrize(
    ("w", "x"),
    [([2.0, -1.0], [1.0, 2.0]), ([1.0, -1.0], [1.0, 1.0])],  # z = Wx = 0: the kink
)  # (the second lies along a direction of ±1s, which a fixed check of ±1s would not cross)
def test_every_slope_between_the_two_at_a_kink_at_x_is_unsure_and_no_factor_is_named(mode, w, x):
    W, x = np.array([w]), np.array(x)
    f = lambda W: np.sum(np.maximum(W @ x, 0))
    for k in (0.0, 0.5, 1.0):  # the left slope, their mean (what central differences give), right
        r = verify(f, W, k * x[None], mode=mode)
        assert not r.matches and r.diagnosis.kind == "not-smooth", (k, str(r))
    for k in (2.0, -1.0):  # outside the range: wrong, but no factor of the mean is a slip
        r = verify(f, W, k * x[None], mode=mode)
        assert not r.matches and r.diagnosis is None, (k, str(r))


def test_richardson_says_how_far_apart_the_slopes_of_a_kink_at_x_are():
    N = numeric(np.abs, np.array([0.0, 1.0]), method="richardson")
    np.testing.assert_allclose(np.diag(N.matrix), [0.0, 1.0], atol=1e-12)  # the mean at 0
    assert N.error[0, 0] >= 0.9 and N.error[1, 1] < 1e-9  # ±1 around it; none where smooth


# ----- the cost: nothing more for a claim that matches a smooth f -----


def counted():
    rng = np.random.default_rng(0)
    W, x, y = rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=4)
    calls = [0]

    def f(W):  # the cast to float refuses complex step: Richardson
        calls[0] += 1
        return 0.5 * np.sum((np.tanh(np.asarray(W, float) @ x) - y) ** 2)

    a = np.tanh(W @ x)
    return f, W, np.outer((a - y) * (1 - a**2), x), calls


@pytest.mark.parametrize(("method", "per_entry"), [("richardson", 10), ("central", 6)])
def test_a_second_look_costs_only_where_the_claim_differs(method, per_entry):
    f, W, g, calls = counted()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy's ComplexWarning from the cast, under auto
        assert verify(f, W, g, method=method).matches
        assert calls[0] == 2 + per_entry * W.size  # prepare's two calls, then the Jacobian
        calls[0] = 0
        r = verify(f, W, 2 * g, method=method)
    assert r.diagnosis.data["factor"] == 2
    assert calls[0] == 2 + (per_entry + 2) * W.size  # one probe (two calls) per entry
    assert not any("smooth" in n for n in r.notes)


# ----- settle, one entry at a time -----


def kinked_pair(d):
    """The central differences of g(t) = |t − d| at t = 0 (its slope there is −1)."""

    def pair(h):
        return np.array([abs(h - d)]), np.array([abs(-h - d)]), 2 * h

    return pair


def test_settle_replaces_a_value_that_stepped_across_a_kink():
    first, error = np.array([0.4]), np.array([0.3])  # what a step of 1e-2 gives, roughly
    s = settle(kinked_pair(1e-3), 6e-8, first, error, np.array([1e-6]), np.array([1e-3]), 2e-16)
    assert s.moved.all() and not s.rough.any()
    assert s.value[0] == pytest.approx(-1.0, abs=1e-8)


def test_settle_keeps_a_value_the_probe_confirms():
    first = np.array([-1.0])
    s = settle(
        kinked_pair(1.0), 6e-8, first, np.array([1e-9]), np.array([1e-6]), np.array([1.0]), 2e-16
    )
    assert s is None


def test_settle_calls_a_kink_at_x_rough_with_both_slopes_in_its_range():
    first = np.array([0.0])  # central differences average the slopes −1 and 1
    s = settle(
        kinked_pair(0.0), 6e-8, first, np.array([1e-9]), np.array([1e-6]), np.array([0.0]), 2e-16
    )
    assert s.rough.all()
    assert s.lo[0] == pytest.approx(-1.0) and s.hi[0] == pytest.approx(1.0)
