"""Benchmarks for issue 6: full-Jacobian gradients at the cost of the shortcut, dense Jacobians at
memory speed, the chain's order, and peers (PyTorch, JAX) where installed.

Everything runs in one process, checks that every method agrees before timing, and prints a Markdown
table of medians and ratios; ``--json PATH`` also writes the results. ``--quick`` runs tiny sizes
once (the test suite does that, so the script cannot rot).

    python benchmarks/run.py                 # full run, ~1 minute on 2 cores
    python benchmarks/run.py --quick --json /tmp/bench.json

Peers are never dependencies: install by hand with ``pip install torch==2.13.0`` and
``pip install jax jaxlib``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

import jacobians as J
from net import MLP


def median_times(fs: list[Callable[[], Any]], quick: bool, budget: float = 0.6) -> list[float]:
    """Median wall time of each f() in seconds, after a warm-up call each, with the collector
    paused. The functions are called in rounds, in a fresh random order each round: drift in the
    machine's speed touches all alike, and none always runs after the same neighbour (a method
    timed right after one that fills the cache would pay for it in every round)."""
    for f in fs:
        f()
    times: list[list[float]] = [[] for _ in fs]
    shuffle = np.random.default_rng(0).permutation
    start = time.perf_counter()
    enabled = gc.isenabled()
    gc.disable()
    try:
        while True:
            for i in shuffle(len(fs)):
                t = time.perf_counter()
                fs[i]()
                times[i].append(time.perf_counter() - t)
            done = time.perf_counter() - start > budget and len(times[0]) >= 5
            if quick or done or len(times[0]) >= 400:
                break
    finally:
        if enabled:
            gc.enable()
    return [float(np.median(ts)) for ts in times]


def median_time(f: Callable[[], Any], quick: bool, budget: float = 0.6) -> float:
    """Median wall time of f() in seconds (see median_times)."""
    return median_times([f], quick, budget)[0]


def peak_memory(f: Callable[[], Any]) -> int:
    """Peak bytes allocated (numpy reports to tracemalloc) while f() runs."""
    gc.collect()
    tracemalloc.start()
    try:
        f()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _agree(a: np.ndarray, b: np.ndarray, what: str, rtol: float = 1e-10) -> None:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(np.abs(b).max(), 1e-300)
    err = np.abs(a - b).max() / scale
    if not err <= rtol:
        raise AssertionError(f"{what}: methods disagree before timing (relative {err:.2e})")


# ----- peers (optional) -----
def _torch() -> Any:
    try:
        import torch

        torch.set_num_threads(os.cpu_count() or 1)
        return torch
    except Exception:
        return None


def _jax() -> Any:
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        jax.config.update("jax_platforms", "cpu")
        return jax
    except Exception:
        return None


# ----- case 1: gradient of all parameters of 784-256-10 -----
def case_network(rows: list[dict], quick: bool, peers: bool, refs: dict) -> None:
    """Case 1 and 5 (ours, peers=False), then case 4's gradient rows (peers=True)."""
    sizes = [784, 256, 10] if not quick else [12, 6, 3]
    mlp = MLP(sizes, ["sigmoid", "identity"], "softmax_cross_entropy", seed=0)
    torch, jax = (_torch(), _jax()) if peers else (None, None)
    rng = np.random.default_rng(1)
    for d in (1, 32) if not quick else (1, 4):
        X = rng.normal(size=(sizes[0], d))
        T = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], d)]
        ref = mlp.gradients(X, T, "shortcut")
        label = f"{'-'.join(map(str, sizes))} gradient, d = {d}"
        if peers:
            _network_peers(rows, quick, torch, jax, mlp.params, X, T, ref, label, refs[label])
            continue
        got = mlp.gradients(X, T, "jacobian")
        for name in ref:
            _agree(got[name], ref[name], f"network d={d} {name}")
        t_short, t_jac = median_times(
            [lambda: mlp.gradients(X, T, "shortcut"), lambda: mlp.gradients(X, T, "jacobian")],
            quick,
        )
        refs[label] = t_short
        rows.append(_row("1", label, "jacobian ÷ shortcut", t_jac, t_short, 1.3))
        m_short = peak_memory(lambda: mlp.gradients(X, T, "shortcut"))
        m_jac = peak_memory(lambda: mlp.gradients(X, T, "jacobian"))
        rows.append(
            {
                "case": "5",
                "what": f"{label}: peak memory",
                "measure": "jacobian ÷ shortcut",
                "ours": m_jac,
                "reference": m_short,
                "ratio": m_jac / m_short,
                "target": None,
                "unit": "bytes",
            }
        )


def _network_peers(
    rows: list[dict],
    quick: bool,
    torch: Any,
    jax: Any,
    P: dict,
    X: np.ndarray,
    T: np.ndarray,
    ref: dict,
    label: str,
    t_short: float,
) -> None:
    """The same gradient through torch autograd and jax.jit(jax.grad), against our shortcut."""
    d = X.shape[1]
    if torch is None:
        rows.append(_missing("4", label, "torch autograd", "pip install torch==2.13.0"))
    else:
        tp = {k: torch.tensor(v, requires_grad=True) for k, v in P.items()}
        tX, tT = torch.tensor(X), torch.tensor(T)

        def torch_grad() -> Any:
            z1 = tp["W1"] @ tX + tp["b1"][:, None]
            z2 = tp["W2"] @ torch.sigmoid(z1) + tp["b2"][:, None]
            loss = -(tT * torch.log_softmax(z2, dim=0)).sum() / d
            return torch.autograd.grad(loss, list(tp.values()))

        for (name, r), g in zip(ref.items(), torch_grad(), strict=True):
            _agree(g.numpy(), r, f"torch {label} {name}")
        t = median_time(torch_grad, quick)
        rows.append(_row("4", label, "torch autograd ÷ shortcut", t, t_short, None))
    if jax is None:
        rows.append(_missing("4", label, "jax.jit(jax.grad)", "pip install jax jaxlib"))
    else:
        jnp = jax.numpy

        def loss(p: dict, X: Any, T: Any) -> Any:
            z1 = p["W1"] @ X + p["b1"][:, None]
            z2 = p["W2"] @ jax.nn.sigmoid(z1) + p["b2"][:, None]
            return -(T * jax.nn.log_softmax(z2, axis=0)).sum() / d

        jp = {k: jnp.asarray(v) for k, v in P.items()}
        jX, jT = jnp.asarray(X), jnp.asarray(T)
        jgrad = jax.jit(jax.grad(loss))
        jg = jgrad(jp, jX, jT)
        for name, r in ref.items():
            _agree(np.asarray(jg[name]), r, f"jax {label} {name}")
        t = median_time(lambda: jax.block_until_ready(jgrad(jp, jX, jT)), quick)
        rows.append(_row("4", label, "jax.jit(jax.grad) ÷ shortcut", t, t_short, None))


# ----- case 2: dense ∂z/∂W against allocating and filling an array of its size -----
def case_dense(rows: list[dict], quick: bool, peers: bool, refs: dict) -> None:
    """Case 2 (ours, peers=False), then case 4's dense rows (peers=True)."""
    torch, jax = (_torch(), _jax()) if peers else (None, None)
    for n in (64, 128, 256, 512) if not quick else (4, 8):
        rng = np.random.default_rng(n)
        W, x, b = rng.normal(size=(n, n)), rng.normal(size=n), rng.normal(size=n)
        M = J.linear(W, x, b).jacobians["W"].matrix
        _agree(M, np.kron(np.eye(n), x[None, :]) if n <= 256 else M, f"dense n={n}")
        label = f"dense ∂z/∂W, n = m = {n} ({n}×{n * n}, {n**3 * 8 / 2**20:.0f} MiB)"
        if not peers:

            def fill() -> None:
                a = np.empty((n, n * n))
                a.fill(0.0)

            def ours() -> None:
                J.linear(W, x, b).jacobians["W"].matrix  # noqa: B018 - the work is the property

            t_fill, t = median_times([fill, ours], quick, budget=2.0)
            refs[label] = t_fill
            target = 1.0 if n == 512 else None
            rows.append(_row("2", label, "ours ÷ np.empty + fill", t, t_fill, target))
            continue
        t_fill = refs[label]
        if torch is None:
            rows.append(_missing("4", label, "torch.func.jacrev", "pip install torch==2.13.0"))
        else:
            tW, tx, tb = torch.tensor(W), torch.tensor(x), torch.tensor(b)
            jac = torch.func.jacrev(lambda W_: W_ @ tx + tb)
            _agree(jac(tW).reshape(n, n * n).numpy(), M, f"torch dense n={n}")
            t = median_time(lambda: jac(tW), quick, budget=2.0)
            rows.append(_row("4", label, "torch.func.jacrev ÷ fill", t, t_fill, None))
        if jax is None:
            rows.append(_missing("4", label, "jax.jacrev", "pip install jax jaxlib"))
        else:
            jnp = jax.numpy
            jW, jx, jb = jnp.asarray(W), jnp.asarray(x), jnp.asarray(b)
            jjac = jax.jit(jax.jacrev(lambda W_: W_ @ jx + jb))
            _agree(np.asarray(jjac(jW)).reshape(n, n * n), M, f"jax dense n={n}")
            t = median_time(lambda: jax.block_until_ready(jjac(jW)), quick, budget=2.0)
            rows.append(_row("4", label, "jax.jit(jax.jacrev) ÷ fill", t, t_fill, None))


# ----- case 3: the chain's order on dense factors, and its multiply-add counts -----
def case_orders(rows: list[dict], quick: bool) -> None:
    for n in (16, 32, 64) if not quick else (3,):
        m = n
        rng = np.random.default_rng(n)
        W, x, b, y = rng.normal(size=(n, m)), rng.normal(size=m), rng.normal(size=n), rng.random(n)
        z = J.linear(W, x, b)
        a = J.sigmoid(z.value)
        C = J.squared_error(a.value, y)
        factors = [J.Dense(F.matrix) for F in (C.jacobian, a.jacobian, z.jacobians["W"])]
        counts = J.chain_costs(*factors)
        textbook = {"left": n * n + n * n * m, "right": n * n * n * m + n * n * m}
        if counts["left"] != textbook["left"] or counts["right"] != textbook["right"]:
            raise AssertionError(f"chain_costs {counts} differ from the textbook counts {textbook}")
        results = {o: J.chain(*factors, order=o).matrix for o in J.ORDERS}
        for o in J.ORDERS:
            _agree(results[o], results["left"], f"order {o} n={n}")
        medians = median_times([lambda o=o: J.chain(*factors, order=o) for o in J.ORDERS], quick)
        times = dict(zip(J.ORDERS, medians, strict=True))
        best = min(times["left"], times["right"])
        label = (
            f"chain 1×n · n×n · n×nm, dense, n = m = {n}; multiply-adds left {counts['left']:,},"
            f" right {counts['right']:,}, cheapest {counts['cheapest']:,}"
        )
        rows.append(
            _row("3", label, "cheapest ÷ best of left, right", times["cheapest"], best, 1.1)
        )


def _row(case: str, what: str, measure: str, ours: float, ref: float, target: float | None) -> dict:
    return {
        "case": case,
        "what": what,
        "measure": measure,
        "ours": ours,
        "reference": ref,
        "ratio": ours / ref,
        "target": target,
        "unit": "s",
    }


def _missing(case: str, what: str, peer: str, how: str) -> dict:
    return {
        "case": case,
        "what": what,
        "measure": f"{peer}: not installed ({how})",
        "ours": None,
        "reference": None,
        "ratio": None,
        "target": None,
        "unit": "s",
    }


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "bytes":
        return f"{v / 2**20:.2f} MiB"
    return f"{v * 1e6:.0f} µs" if v < 1e-2 else f"{v * 1e3:.1f} ms"


def markdown(rows: list[dict]) -> str:
    lines = [
        "| case | what | measure | ours | reference | ratio | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.3f}"
        target = (
            ""
            if r["target"] is None
            else f"≤ {r['target']}" + (" ✓" if r["ratio"] <= r["target"] else " ✗")
        )
        lines.append(
            f"| {r['case']} | {r['what']} | {r['measure']} | {_fmt(r['ours'], r['unit'])} "
            f"| {_fmt(r['reference'], r['unit'])} | {ratio} | {target} |"
        )
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.machine()
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as fh:
            names = [line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")]
        cpu = f"{names[0]} ({cpu})" if names else cpu
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run each (for tests)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    rows: list[dict] = []
    refs: dict[str, float] = {}
    # Ours first: PyTorch's and JAX's thread pools keep spinning after their calls and would slow
    # whatever numpy does next in this process. The peers' rows reuse our references.
    case_network(rows, args.quick, peers=False, refs=refs)
    case_dense(rows, args.quick, peers=False, refs=refs)
    case_orders(rows, args.quick)
    case_network(rows, args.quick, peers=True, refs=refs)
    case_dense(rows, args.quick, peers=True, refs=refs)
    from expressions import case_expressions  # cases 6-8; here, as it imports our helpers

    case_expressions(rows, args.quick)
    print(f"Machine: {machine()}\n")
    print(markdown(rows))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"machine": machine(), "quick": args.quick, "rows": rows}, fh, indent=2)
    missed = [r for r in rows if r["target"] is not None and not r["ratio"] <= r["target"]]
    return 1 if missed and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())
