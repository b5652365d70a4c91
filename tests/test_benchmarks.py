"""The benchmark script: its quick mode runs every case at tiny sizes (so the script cannot rot),
and its harness (rounds in pairs, ratios over rounds, peers in their own processes, the guards
that keep the full run short) does what it says, on fake workloads, with no timing asserted."""

import doctest
import importlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
CASES = {str(c) for c in range(1, 16)}
MODULES = ("timing", "report", "peers", "checks", "networks", "peer_layered", "layered")


def _import_benchmarks():
    """The benchmarks' modules, imported from their folder as run.py imports them, then taken
    off sys.path and sys.modules again: their short names must not be found by other tests."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return {m: importlib.import_module(m) for m in MODULES}
    finally:
        sys.path.remove(str(BENCHMARKS))
        for m in MODULES:
            sys.modules.pop(m, None)


B = _import_benchmarks()


@pytest.fixture
def bench():
    return B


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    run = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    return run, json.loads(out.read_text())


# ----- the script, at tiny sizes -----
def test_quick_mode_runs_every_case_and_says_how_blas_was_pinned(quick):
    run, result = quick
    assert result["quick"] is True and result["machine"]
    assert "1 thread" in result["blas"] and result["blas"] in run.stdout
    assert all("one thread" in about for about in result["peers"].values())
    assert "| case | what | measure | ours | reference | ratio" in run.stdout
    assert {row["case"] for row in result["rows"]} == CASES
    for case in CASES:  # progress, case by case, on stderr
        assert any(case in line.split(":")[0] for line in run.stderr.splitlines())


def test_quick_rows_carry_ratios_over_rounds_and_cpu_times(quick):
    _, result = quick
    timed = [r for r in result["rows"] if r["ours"] is not None and r["unit"] != "bytes"]
    assert len(timed) >= 30  # ours and the numpy references; the peers (jax, torch) are optional
    for r in timed:
        own_work = "own work" in r["measure"]  # a difference of two times: may dip below 0
        assert (r["ours"] > 0 or own_work) and r["ours_cpu"] is not None and r["rounds"] >= 1
        assert r["failed"] is None, r
        if r["reference"] is not None:
            assert r["ratio_min"] <= r["ratio"] <= r["ratio_max"], r
            assert r["reference_cpu"] is not None and r["basis"] in ("wall", "cpu")
        else:  # verify's time (held under 2 s at the largest size), numeric's own work
            assert r["case"] == "11" and r["ratio"] is None
    assert any(r["paired"] is False for r in timed) and any(r["paired"] for r in timed)
    assert any(r["limit"] == 2.0 for r in timed)


def test_quick_rows_not_run_say_why(quick):
    _, result = quick
    for r in result["rows"]:
        if r["ours"] is None:
            assert "not installed" in r["measure"] or "not run" in r["measure"], r
            if "not installed" in r["measure"]:
                assert "pip install" in r["measure"]


def test_cases_selects_groups(tmp_path):
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick", "--cases", "3", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert {r["case"] for r in json.loads(out.read_text())["rows"]} == {"3"}
    wrong = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--cases", "16"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wrong.returncode == 2 and "no case 16" in wrong.stderr


def test_quick_mode_runs_the_layered_networks_with_their_peers_or_says_why(quick):
    _, result = quick
    for case, kind in (("13", "transformer block"), ("14", "conv net"), ("15", "recurrent net")):
        rows = [r for r in result["rows"] if r["case"] == case]
        ratio = [r for r in rows if r["measure"] == "jacobian ÷ shortcut"]
        assert len(ratio) == 1 and kind in ratio[0]["what"], rows
        assert ratio[0]["target"] == 1.5 and ratio[0]["paired"] and ratio[0]["ratio"] > 0
        for peer, name in (("torch", "torch autograd"), ("jax", "jax.jit(jax.grad)")):
            (row,) = [r for r in rows if r["measure"].startswith(name)]
            if peer in result["peers"]:  # ran, and agreed with our gradient before timing
                assert row["measure"] == f"{name} ÷ shortcut" and row["paired"] is False
                assert row["reference"] == ratio[0]["reference"]
            else:
                assert "not installed" in row["measure"] and row["ratio"] is None


def test_the_modules_examples(bench):
    for name in ("timing", "report", "checks", "layered"):
        failed, tried = doctest.testmod(bench[name], optionflags=doctest.ELLIPSIS)
        assert failed == 0 and (tried > 0 or name == "report")


# ----- rounds in pairs -----
class FakeClock:
    """A clock that advances only when a fake method runs, by that call's given cost."""

    def __init__(self):
        self.now = 0.0
        self.log = []

    def __call__(self):
        return self.now

    def method(self, name, costs):
        costs = iter(costs)

        def f():
            self.log.append(name)
            self.now += next(costs)

        return f


def test_pairs_alternate_and_the_ratio_is_taken_within_each_round(bench):
    timing, report = bench["timing"], bench["report"]
    clock = FakeClock()
    ms = 1e-3
    # warm-up: ours twice (its first call is shorter than a sample), the reference once; then
    # five rounds of one call each
    ours = clock.method("ours", [ms / 2, ms, *(k * ms for k in (2, 4, 6, 8, 10))])
    reference = clock.method("ref", [2 * ms, *(k * ms for k in (1, 8, 3, 16, 5))])
    t_ours, t_ref = timing.rounds(
        [ours, reference], quick=False, budget=0.0, min_rounds=5, clock=clock, cpu_clock=clock
    )
    assert clock.log[:3] == ["ours", "ours", "ref"]
    assert clock.log[3:] == ["ours", "ref", "ref", "ours"] * 2 + ["ours", "ref"]
    row = report.timed("1", "fake", "ours ÷ reference", t_ours, t_ref, 1.3)
    assert row["ratio"] == pytest.approx(2.0)  # the median of 2, 0.5, 2, 0.5, 2
    assert t_ours.median / t_ref.median == pytest.approx(1.2)  # not the ratio of medians
    assert (row["ratio_min"], row["ratio_max"]) == (pytest.approx(0.5), pytest.approx(2.0))
    assert row["ours_cpu"] == pytest.approx(6 * ms) and row["rounds"] == 5
    assert report.met(row) is False


def test_a_fast_method_is_called_often_enough_each_round(bench):
    clock = FakeClock()
    f = clock.method("f", [2**-12] * 12)  # 244 µs: five calls make a 1 ms sample
    (t,) = bench["timing"].rounds([f], quick=False, budget=0.0, min_rounds=2, clock=clock)
    assert t.calls == 5 and len(clock.log) == 2 + 2 * 5
    assert t.wall == [2**-12] * 2


@given(st.integers(2, 6), st.integers(0, 50))
def test_every_method_goes_first_equally_often(n, start):
    order = B["timing"].order
    turns = [order(r, n) for r in range(start, start + 2 * n)]
    assert all(sorted(t) == list(range(n)) for t in turns)
    assert sorted(t[0] for t in turns) == sorted(list(range(n)) * 2)
    if n > 2:  # and not always after the same neighbour
        before = {(t[i - 1], t[i]) for t in turns for i in range(1, n)}
        assert len(before) > n - 1


@given(
    st.lists(st.floats(1e-6, 1.0), min_size=1, max_size=20),
    st.lists(st.floats(1e-6, 1.0), min_size=1, max_size=20),
)
def test_ratios_lie_between_their_min_and_max(a, b):
    ratios, unpaired = B["timing"].ratios, B["timing"].unpaired
    k = min(len(a), len(b))
    for r in (ratios(a[:k], b[:k]), unpaired(a, b)):
        assert r.min <= r.median * (1 + 1e-12) and r.median <= r.max * (1 + 1e-12)


def test_blas_is_held_to_one_thread_while_timing(bench):
    with bench["timing"].one_blas_thread() as how:
        assert "1 thread" in how or "NOT pinned" in how
        if "threadpoolctl" in how and "NOT" not in how:
            import threadpoolctl

            blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
            assert blas and all(i["num_threads"] == 1 for i in blas)


# ----- peers in processes of their own -----
def _tiny_network():
    rng = np.random.default_rng(0)
    params = {"W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=4)}
    params |= {"W2": rng.normal(size=(2, 4)), "b2": rng.normal(size=2)}
    X, T = rng.normal(size=(3, 5)), np.eye(2)[:, [0, 1, 1, 0, 1]]
    from net import MLP

    mlp = MLP([3, 4, 2], ["sigmoid", "identity"], "softmax_cross_entropy")
    mlp.params = params
    return params, X, T, mlp.gradients(X, T, "shortcut")


def test_a_peer_runs_in_its_own_process_checked_then_timed(bench):
    peers = bench["peers"]
    params, X, T, grads = _tiny_network()
    p = {"activations": ["sigmoid", "identity"], "loss": "softmax_cross_entropy"}
    task = peers.Task("mlp_grad", p, {**params, "X": X, "T": T}, grads)
    run = peers.run("numpy", [task, task], quick=True)
    assert "numpy" in run.about and "one thread" in run.about
    assert [len(t.wall) for t in run.timings] == [3, 3]
    assert all(c >= 0 for t in run.timings for c in t.cpu)
    wrong = peers.Task("mlp_grad", p, task.arrays, {**grads, "W1": 2 * grads["W1"]})
    with pytest.raises(AssertionError, match=r"numpy: .*W1: methods disagree before timing"):
        peers.run("numpy", [wrong], quick=True)
    with pytest.raises(RuntimeError, match="the numpy worker failed"):
        peers.run("numpy", [peers.Task("no such kind")], quick=True)


def test_a_peers_environment_holds_every_pool_to_one_thread(bench, monkeypatch):
    peers = bench["peers"]
    monkeypatch.setenv("XLA_FLAGS", "--xla_dump_to=/tmp/x")
    env = peers.environment()
    assert all(env[v] == "1" for v in bench["timing"].THREAD_VARIABLES)
    assert env["XLA_FLAGS"] == "--xla_dump_to=/tmp/x --xla_cpu_multi_thread_eigen=false"
    assert not peers.installed("no_such_peer_here")


def test_a_missing_peer_gets_a_row_saying_how_to_install_it(bench):
    rows = []
    got = bench["peers"].run_or_say(rows, "4", ["a", "b"], "no_such_peer", "it", [], quick=True)
    assert got is None and [r["what"] for r in rows] == ["a", "b"]
    assert rows[0]["measure"] == "it: not installed (pip install no_such_peer)"


# ----- the guards that keep the full run short -----
def test_many_classes_is_not_run_where_it_would_not_fit(bench, monkeypatch):
    networks = bench["networks"]
    monkeypatch.setattr(networks, "available_memory", lambda: 2 * 2**30)
    why = networks._too_big((16, 245 * 2**20, 0.085), 256, quick=False)
    assert why.startswith("would need ≈ 3.8 GiB (245 MiB at d = 16, × 16)")
    monkeypatch.setattr(networks, "available_memory", lambda: 64 * 2**30)
    assert networks._too_big((16, 245 * 2**20, 0.085), 256, quick=False) == ""
    assert "would take ≈ 80 s" in networks._too_big((16, 2**20, 5.0), 256, quick=False)


def test_a_long_numeric_check_is_foreseen_from_the_smaller_sizes(bench):
    foreseen = bench["checks"].foreseen
    quadratic = [(12544, 0.5), (50176, 8.0)]
    assert foreseen(quadratic, 200704) == pytest.approx(128.0)
    assert foreseen([(12544, 0.5), (50176, 2.0)], 200704) == pytest.approx(8.0)
    assert foreseen(quadratic[:1], 200704) == 0.0


# ----- the layered networks (cases 13–15) as the peers rebuild them -----
def test_describe_names_every_parameter_of_nested_blocks(bench):
    from net import Network

    describe = bench["layered"].describe
    net = Network("dense:2:tanh,residual(dense:2,residual(layernorm,dense:2)),relu", (3,))
    layers = describe(net)
    assert layers[0] == {"kind": "dense", "activation": "tanh", "W": "W1", "b": "b1"}
    inner = layers[1]["layers"][1]["layers"]
    assert inner[0] == {
        "kind": "layernorm",
        "eps": 1e-5,
        "gamma": "gamma2.2.1",
        "beta": "beta2.2.1",
    }
    assert (inner[1]["W"], layers[2]) == ("W2.2.2", {"kind": "activation", "name": "relu"})
    with pytest.raises(ValueError, match="the peers have no 'batchnorm' layer"):
        describe(Network("batchnorm,dense:1", (2,)))


def _softmax_keys(S):
    e = np.exp(S - S.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _causal(t, S):
    return np.where(np.arange(t)[:, None] <= np.arange(t)[None, :], S, -np.inf)


@pytest.mark.parametrize(
    "spec",
    [
        "residual(layernorm,attention:4),residual(layernorm,dense:8:relu,dense:8)",
        "attention:2:causal,tanh,flatten,dense:3",
    ],
)
def test_the_peers_layers_run_on_numpy_give_our_forward_pass(bench, spec):
    """peer_layered's conventions (samples last, layer norm per column, attention's heads and
    softmax down the keys, the residual's sum), checked without jax or torch, which CI lacks."""
    from net import Network

    peer = bench["peer_layered"]
    act = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh, "identity": lambda z: z}
    ops = {
        "dense": peer._dense(act),
        "activation": lambda s, P, X: act[s["name"]](X),
        "layernorm": peer._layernorm(np.sqrt),
        "attention": peer._attention(_softmax_keys, _causal),
    }
    net = Network(spec, (8,), seed=3)
    X = np.random.default_rng(4).normal(size=(8, 5))
    got = peer._run(ops, bench["layered"].describe(net), net.params, X)
    np.testing.assert_allclose(got, net.forward(X), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="no rule for a 'rnn' layer"):
        peer._run(ops, [{"kind": "rnn"}], net.params, X)
