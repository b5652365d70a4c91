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


def median_time(
    f: Callable[[], Any], quick: bool, budget: float = 0.3, max_reps: int = 200
) -> float:
    """Median wall time of f() in seconds, after one warm-up call."""
    f()
    if quick:
        t = time.perf_counter()
        f()
        return time.perf_counter() - t
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < 5 or (time.perf_counter() - start < budget and len(times) < max_reps):
        gc.collect()
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


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
def case_network(rows: list[dict], quick: bool) -> None:
    sizes = [784, 256, 10] if not quick else [12, 6, 3]
    mlp = MLP(sizes, ["sigmoid", "identity"], "softmax_cross_entropy", seed=0)
    torch, jax = _torch(), _jax()
    rng = np.random.default_rng(1)
    for d in (1, 32) if not quick else (1, 4):
        X = rng.normal(size=(sizes[0], d))
        T = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], d)]
        ref = mlp.gradients(X, T, "shortcut")
        got = mlp.gradients(X, T, "jacobian")
        for name in ref:
            _agree(got[name], ref[name], f"network d={d} {name}")
        t_short = median_time(lambda: mlp.gradients(X, T, "shortcut"), quick)
        t_jac = median_time(lambda: mlp.gradients(X, T, "jacobian"), quick)
        label = f"{'-'.join(map(str, sizes))} gradient, d = {d}"
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
        P = mlp.params
        if torch is not None:
            tp = {k: torch.tensor(v, requires_grad=True) for k, v in P.items()}
            tX, tT = torch.tensor(X), torch.tensor(T)

            def torch_grad() -> Any:
                z1 = tp["W1"] @ tX + tp["b1"][:, None]
                z2 = tp["W2"] @ torch.sigmoid(z1) + tp["b2"][:, None]
                loss = -(tT * torch.log_softmax(z2, dim=0)).sum() / d
                return torch.autograd.grad(loss, list(tp.values()))

            tg = torch_grad()
            for (name, r), g in zip(ref.items(), tg, strict=True):
                _agree(g.numpy(), r, f"torch d={d} {name}")
            rows.append(
                _row(
                    "4",
                    label,
                    "torch autograd ÷ shortcut",
                    median_time(torch_grad, quick),
                    t_short,
                    None,
                )
            )
        else:
            rows.append(_missing("4", label, "torch autograd", "pip install torch==2.13.0"))
        if jax is not None:
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
                _agree(np.asarray(jg[name]), r, f"jax d={d} {name}")

            def jax_grad() -> Any:
                return jax.block_until_ready(jgrad(jp, jX, jT))

            rows.append(
                _row(
                    "4",
                    label,
                    "jax.jit(jax.grad) ÷ shortcut",
                    median_time(jax_grad, quick),
                    t_short,
                    None,
                )
            )
        else:
            rows.append(_missing("4", label, "jax.jit(jax.grad)", "pip install jax jaxlib"))


# ----- case 2: dense ∂z/∂W against allocating and filling an array of its size -----
def case_dense(rows: list[dict], quick: bool) -> None:
    torch, jax = _torch(), _jax()
    for n in (64, 128, 256, 512) if not quick else (4, 8):
        rng = np.random.default_rng(n)
        W, x, b = rng.normal(size=(n, n)), rng.normal(size=n), rng.normal(size=n)
        M = J.linear(W, x, b).jacobians["W"].matrix
        _agree(M, np.kron(np.eye(n), x[None, :]) if n <= 256 else M, f"dense n={n}")

        def fill() -> None:
            a = np.empty((n, n * n))
            a.fill(0.0)

        def ours() -> None:
            J.linear(W, x, b).jacobians["W"].matrix  # noqa: B018 - the work is the property

        t_fill = median_time(fill, quick, max_reps=20)
        label = f"dense ∂z/∂W, n = m = {n} ({n}×{n * n}, {n**3 * 8 / 2**20:.0f} MiB)"
        rows.append(
            _row(
                "2",
                label,
                "ours ÷ np.empty + fill",
                median_time(ours, quick, max_reps=20),
                t_fill,
                1.0 if n == 512 else None,
            )
        )
        if torch is not None:
            tW, tx, tb = torch.tensor(W), torch.tensor(x), torch.tensor(b)
            jac = torch.func.jacrev(lambda W_: W_ @ tx + tb)
            _agree(jac(tW).reshape(n, n * n).numpy(), M, f"torch dense n={n}")
            rows.append(
                _row(
                    "4",
                    label,
                    "torch.func.jacrev ÷ fill",
                    median_time(lambda: jac(tW), quick, max_reps=20),
                    t_fill,
                    None,
                )
            )
        else:
            rows.append(_missing("4", label, "torch.func.jacrev", "pip install torch==2.13.0"))
        if jax is not None:
            jnp = jax.numpy
            jW, jx, jb = jnp.asarray(W), jnp.asarray(x), jnp.asarray(b)
            jjac = jax.jit(jax.jacrev(lambda W_: W_ @ jx + jb))
            _agree(np.asarray(jjac(jW)).reshape(n, n * n), M, f"jax dense n={n}")
            rows.append(
                _row(
                    "4",
                    label,
                    "jax.jit(jax.jacrev) ÷ fill",
                    median_time(lambda: jax.block_until_ready(jjac(jW)), quick, max_reps=20),
                    t_fill,
                    None,
                )
            )
        else:
            rows.append(_missing("4", label, "jax.jacrev", "pip install jax jaxlib"))


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
        times = {o: median_time(lambda o=o: J.chain(*factors, order=o), quick) for o in J.ORDERS}
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
    case_network(rows, args.quick)
    case_dense(rows, args.quick)
    case_orders(rows, args.quick)
    print(f"Machine: {machine()}\n")
    print(markdown(rows))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"machine": machine(), "quick": args.quick, "rows": rows}, fh, indent=2)
    missed = [r for r in rows if r["target"] is not None and not r["ratio"] <= r["target"]]
    return 1 if missed and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())
