"""verify's fast check (claimed·v against J·v along random directions) agrees with the full,
entry-by-entry check: on matches, and on the slip it names, for every rule of the registry and
for matrix problems where every reading applies, each with a slip planted (none, transposed, a
factor, the sign, column-major, one wrong entry).

The fast check can miss a wrong claim only if, in every one of its 6 directions, the error's
effect on J·v stays under its bound: for one entry off by δ, with probability at most
(0.8·bound/δ)⁶ (jacobians/checking/_fast.py). The planted single-entry errors here are
δ ≥ 1 + 10·max|J|, while the bound is about 8·√n·1e-6 × the Jacobian's root-mean-square entry,
so a miss has probability below (1e-4)⁶ = 1e-24 per example; and the directions come from a
fixed seed (hypothesis is deterministic in CI), so the test is deterministic.
"""

import numpy as np
import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from jacobians import OPERATIONS, verify
from jacobians.checking import FULL_UP_TO
from jacobians.checking._fast import DIRECTIONS, mode_for
from reshape import InputError, reorder
from tests.jacobians.inputs import inputs

RULES = [(op, w) for op in OPERATIONS for w in OPERATIONS[op].rules]
SLIPS = ["correct", "transposed", "factor", "sign", "column-major", "one entry"]


def planted(J, out_shape, in_shape, slip, rng):
    """The Jacobian (numerator-layout matrix) with ``slip`` in it, or None if it has no effect."""
    if slip == "correct":
        return J
    if slip == "transposed":
        return J.T
    if slip == "factor":
        return rng.choice([2.0, 0.5, 1 / 3]) * J
    if slip == "sign":
        return -J
    if slip == "column-major":
        G = reorder(J, out_shape or (1,), in_shape or (1,), "C", "F")
        return None if np.array_equal(G, J) else G
    G = J.copy()
    r, c = rng.integers(J.shape[0]), rng.integers(J.shape[1])
    G[r, c] += (1 + 10 * np.abs(J).max()) * rng.choice([-1.0, 1.0])
    return G


def kind(report):
    return report.diagnosis.kind if report.diagnosis else None


def assert_agree(f, x, G, slip):
    """fast and full: the same verdict, and the same slip named (or, for a few wrong entries,
    which only the full check lists, none and the way to run the full check)."""
    full = verify(f, x, G, mode="full")
    fast = verify(f, x, G, mode="fast")
    event(f"{slip}: {kind(full)}")  # --hypothesis-show-statistics: what was covered
    assert (full.mode, fast.mode) == ("full", "fast")
    assert fast.matches == full.matches, f"{slip}\nfull: {full}\nfast: {fast}"
    if kind(full) == "entries":
        assert kind(fast) is None and "mode='full'" in fast.example, str(fast)
    else:
        assert kind(fast) == kind(full), f"{slip}\nfull: {full}\nfast: {fast}"
    if kind(full) in ("transposed", "column-major", "factor"):
        assert fast.diagnosis.data["reading"] == full.diagnosis.data.get("reading")
    if kind(full) in ("transposed", "column-major"):
        assert fast.diagnosis.code == full.diagnosis.code
    if kind(full) == "factor":
        assert fast.diagnosis.data["factor"] == pytest.approx(full.diagnosis.data["factor"])


@settings(max_examples=60)
@given(
    rule=st.sampled_from(RULES),
    n=st.integers(1, 4),
    m=st.integers(1, 4),
    d=st.integers(1, 3),
    batch=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
    slip=st.sampled_from(SLIPS),
)
def test_fast_and_full_agree_on_the_registry(rule, n, m, d, batch, seed, slip):
    name, wrt = rule
    args = inputs(name, seed, n, m, d, batch)
    op = OPERATIONS[name]
    J = op(**args).jacobians[wrt]
    assume(slip in ("correct", "one entry") or np.abs(J.matrix).max() > 1e-6)
    G = planted(J.matrix, J.out_shape, J.in_shape, slip, np.random.default_rng(seed))
    assume(G is not None)

    def f(v):
        return op(**{**args, wrt: v}).value

    assert_agree(f, args[wrt], G, slip)


@settings(max_examples=60)
@given(
    p=st.integers(2, 4),
    q=st.integers(2, 4),
    r=st.integers(1, 3),
    scalar=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
    slip=st.sampled_from(SLIPS),
)
def test_fast_and_full_agree_on_matrix_problems(p, q, r, scalar, seed, slip):
    """tanh(W X) ⊙ C, or its sum: W and (for r > 1) the output matrices, so every reading
    (transposed, column-major on either side or both) applies."""
    rng = np.random.default_rng(seed)
    W, X, C = rng.normal(size=(p, q)), rng.normal(size=(q, r)), rng.normal(size=(p, r))

    def f(W):
        out = np.tanh(W @ X) * C
        return out.sum() if scalar else out

    s = (1 - np.tanh(W @ X) ** 2) * C  # ∂out/∂(WX), entry by entry
    J = np.zeros((p, r, p, q))  # ∂out[i, k]/∂W[i, j] = s[i, k] X[j, k]
    for i in range(p):
        J[i, :, i, :] = s[i][:, None] * X.T
    J = J.reshape(p * r, p * q)
    if not scalar:
        G = planted(J, (p, r), (p, q), slip, rng)
    elif slip == "transposed":  # the gradient shaped like Wᵀ
        G = J.sum(axis=0).reshape(p, q).T
    else:
        G = planted(J.sum(axis=0, keepdims=True), (), (p, q), slip, rng)
        G = None if G is None else G.reshape(p, q)  # the gradient, shaped like W
    assume(G is not None)
    assert_agree(f, W, G, slip)


# ----- at the size of a 256×784 layer: the case the benchmark times -----


def layer_cost(n_out=256, n_in=784, seed=0):
    """C(W) = ½‖σ(Wx) − y‖², its gradient, and a counter of the calls of C."""
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(n_out, n_in)) / np.sqrt(n_in)
    x, y = rng.normal(size=n_in), rng.random(n_out)
    calls = []

    def cost(W):
        calls.append(1)
        a = 1 / (1 + np.exp(-(W @ x)))
        return 0.5 * np.sum((a - y) ** 2)

    a = 1 / (1 + np.exp(-(W @ x)))
    return cost, W, np.outer((a - y) * a * (1 - a), x), calls


@pytest.mark.parametrize(
    ("slip", "expected", "code"),
    [
        (lambda g: g, None, None),
        (lambda g: g.T, "transposed", "claimed.T"),
        (lambda g: 2 * g, "factor", "claimed / 2"),
        (lambda g: -g.T, "factor", "-claimed.T"),
        (lambda g: g.reshape(-1, order="F").reshape(g.shape), "column-major", None),
    ],
)
def test_a_200704_entry_gradient_is_verified_in_a_few_calls(slip, expected, code):
    cost, W, grad, calls = layer_cost()
    r = verify(cost, W, slip(grad))  # auto: fast above 20,000 entries
    assert r.mode == "fast" and r.directions == DIRECTIONS
    assert r.matches == (expected is None)
    assert kind(r) == expected
    if code:
        assert r.diagnosis.code == code
    assert len(calls) == 2 + DIRECTIONS + 10  # at x twice, one per direction, 10 to check it


def test_a_wrong_entry_is_caught_and_the_full_check_offered_with_its_cost():
    cost, W, grad, _ = layer_cost()
    G = grad.copy()
    G[3, 5] += 0.01  # far above the bound (about 2e-4): escapes with probability < 1e-70
    r = verify(cost, W, G)
    assert not r.matches and r.diagnosis is None and r.bound < 1e-3
    assert "cannot list the entries that differ" in r.hint
    assert "200,704 calls of f" in r.hint and "12 matrices of 1×200704 float64" in r.hint
    assert r.example == "verify(cost, W, claimed, mode='full')"
    text = str(r)
    assert "along 6 random directions" in text and "fast check" in text
    assert "none of the slips the fast check tests" in text


def test_errors_at_the_tolerance_of_each_entry_pass():
    cost, W, grad, _ = layer_cost(64, 100)
    noise = np.random.default_rng(1).choice([-1.0, 1.0], grad.shape)
    r = verify(cost, W, grad * (1 + 1e-7 * noise), mode="fast")
    assert r.matches, str(r)


@pytest.mark.parametrize("method", ["central", "richardson", "complex", "auto"])
def test_fast_with_each_numeric_method(method):
    cost, W, grad, _ = layer_cost(8, 10)
    assert verify(cost, W, grad, mode="fast", method=method).matches
    r = verify(cost, W, 2 * grad.T, mode="fast", method=method)
    assert r.diagnosis.code == "claimed.T / 2"


def test_fast_falls_back_to_richardson_when_f_is_not_complex_safe():
    A = np.random.default_rng(2).normal(size=(5, 7))
    x = np.linspace(-1, 1, 7)
    r = verify(
        lambda v: np.abs(A @ v) ** 3, x, 3 * np.diag(np.abs(A @ x) * (A @ x)) @ A, mode="fast"
    )
    assert r.matches and r.method == "Richardson extrapolation" and r.notes


# ----- which check runs -----


def test_auto_runs_full_up_to_the_documented_size_and_fast_above():
    assert FULL_UP_TO == 20_000
    assert mode_for("auto", 1, FULL_UP_TO) == "full"
    assert mode_for("auto", 2, FULL_UP_TO // 2 + 1) == "fast"
    assert mode_for("full", 10**6, 10**6) == "full" and mode_for("fast", 1, 1) == "fast"
    small = verify(np.sin, np.ones(3), np.diag(np.cos(np.ones(3))))
    assert small.mode == "full" and "full check, entry by entry" in str(small)


def test_the_report_says_which_check_ran_in_every_format():
    cost, W, grad, _ = layer_cost(4, 5)
    r = verify(cost, W, grad.T, mode="fast")
    d = r.to_dict()
    assert (d["mode"], d["directions"], d["n_differing"]) == ("fast", DIRECTIONS, None)
    assert 0 < d["bound"] < 1e-3
    assert "along 6 random directions" in r._repr_markdown_()
    assert "along 6 random directions" in r._repr_html_()
    assert "off by 10 × the bound escapes all 6 with probability below 3e-07" in str(r)


@pytest.mark.parametrize("bad", ["quick", None, 1, ["fast"]])
def test_a_bad_mode_is_refused_by_name(bad):
    with pytest.raises(InputError, match="'mode'") as e:
        verify(np.sin, np.ones(2), np.eye(2), mode=bad)
    assert "'auto'" in str(e.value) and "'fast'" in str(e.value) and "'full'" in str(e.value)


def test_fast_names_the_activation_slips_of_a_layer():
    from jacobians import Layer

    rng = np.random.default_rng(3)
    W, x, y = rng.normal(size=(40, 30)), rng.normal(size=30), rng.random(40)
    sig = lambda t: 1 / (1 + np.exp(-t))
    cost = lambda W: 0.5 * np.sum((sig(W @ x) - y) ** 2)
    layer = Layer("sigmoid", pre=lambda W: W @ x, post=lambda a: 0.5 * np.sum((a - y) ** 2))
    a = sig(W @ x)
    slip = np.outer((a - y) * sig(a) * (1 - sig(a)), x)  # σ′(a) where σ′(z) is meant
    for mode in ("fast", "full"):
        r = verify(cost, W, slip.T, layer=layer, mode=mode)
        assert r.diagnosis.data == {"hypothesis": "evaluated at a", "reading": "transposed"}


def test_fast_weighs_the_claim_against_the_dense_limit_before_any_work():
    from jacobians import set_dense_limit
    from reshape import DenseLimitError

    cost, W, grad, calls = layer_cost(8, 10)
    previous = set_dense_limit(3 * 8 * grad.size - 1)  # the claim and two readings of it
    try:
        with pytest.raises(DenseLimitError, match="2 more of that size") as e:
            verify(cost, W, grad, mode="fast")
    finally:
        set_dense_limit(previous)
    assert "verify" in str(e.value) and "1×80 matrix" in str(e.value)
    assert len(calls) == 2  # f at x, twice: nothing else was done
    assert verify(cost, W, grad, mode="fast").matches
