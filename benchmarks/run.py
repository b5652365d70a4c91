"""Benchmarks of the toolkit's speed and memory targets (issues 6, 14, 17 and 18), against the
shortcut, numpy and, where installed, PyTorch and JAX.

Every case checks that its methods agree before it times them, times compared methods side by
side round by round with BLAS on one thread, and prints a Markdown table of ratios (min, median,
max over rounds) with wall and CPU times; ``--json PATH`` also writes the results. Peers run in
processes of their own (peers.py). ``--quick`` runs every case at tiny sizes (the test suite does,
so the script cannot rot); ``--cases`` runs some of them. Progress goes to stderr.

    python benchmarks/run.py                 # every case, under 10 minutes on 2 cores
    python benchmarks/run.py --quick --json /tmp/bench.json
    python benchmarks/run.py --cases 9,11    # two cases, at full size

Peers are never dependencies: ``pip install torch==2.13.0`` and ``pip install jax jaxlib``;
``pip install -e '.[bench]'`` adds threadpoolctl, which pins BLAS to one thread while timing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable

# First of ours, before anything loads numpy: without threadpoolctl, it pins BLAS by environment.
import timing

# isort: split
import numpy as np
import peers
import report
from networks import network_task, paired_gradients, peak_memories, point
from report import agree

import jacobians as J
from net import MLP


# ----- cases 1, 4 and 5: the gradient of every parameter of 784-256-10 -----
def case_network(rows: list[dict], quick: bool) -> None:
    sizes = [784, 256, 10] if not quick else [12, 6, 3]
    mlp = MLP(sizes, ["sigmoid", "identity"], "softmax_cross_entropy", seed=0)
    labels, tasks, shortcut = [], [], []
    for d in (1, 32) if not quick else (1, 4):
        X, T = point(mlp, d)
        label = f"{'-'.join(map(str, sizes))} gradient, d = {d}"
        (t_short, t_jac), ref = paired_gradients(mlp, X, T, label, quick)
        rows.append(report.timed("1", label, "jacobian ÷ shortcut", t_jac, t_short, 1.3))
        m_jac, m_short = peak_memories(mlp, X, T)
        rows.append(
            report.memory("5", f"{label}: peak memory", "jacobian ÷ shortcut", m_jac, m_short)
        )
        labels.append(label)
        tasks.append(network_task(mlp, X, T, ref))
        shortcut.append(t_short)
    for peer, name in (("torch", "torch autograd"), ("jax", "jax.jit(jax.grad)")):
        ts = peers.run_or_say(rows, "4", labels, peer, name, tasks, quick)
        for label, t, ref in zip(labels, ts, shortcut, strict=True) if ts else ():
            rows.append(report.timed("4", label, f"{name} ÷ shortcut", t, ref, paired=False))


# ----- cases 2 and 4: dense ∂z/∂W against allocating and filling an array of its size -----
def case_dense(rows: list[dict], quick: bool) -> None:
    labels, tasks, fills = [], [], []
    for n in (64, 128, 256, 512) if not quick else (4, 8):
        rng = np.random.default_rng(n)
        W, x, b = rng.normal(size=(n, n)), rng.normal(size=n), rng.normal(size=n)
        M = J.linear(W, x, b).jacobians["W"].matrix
        agree(M, np.kron(np.eye(n), x[None, :]) if n <= 256 else M, f"dense n={n}")
        label = f"dense ∂z/∂W, n = m = {n} ({n}×{n * n}, {n**3 * 8 / 2**20:.0f} MiB)"

        def fill() -> None:
            a = np.empty((n, n * n))
            a.fill(0.0)

        def ours() -> None:
            J.linear(W, x, b).jacobians["W"].matrix  # noqa: B018 - the work is the property

        t_fill, t = timing.rounds([fill, ours], quick, budget=2.0)
        target = 1.0 if n == 512 else None
        rows.append(report.timed("2", label, "ours ÷ np.empty + fill", t, t_fill, target))
        u, v = rng.normal(size=n), rng.normal(size=n * n)
        probes = {"uM": u[None, :] @ M, "Mv": M @ v[:, None]}
        tasks.append(
            peers.Task("dense_jacrev", {}, {"W": W, "x": x, "b": b, "u": u, "v": v}, probes)
        )
        labels.append(label)
        fills.append(t_fill)
        del M
    for peer, name in (("torch", "torch.func.jacrev"), ("jax", "jax.jit(jax.jacrev)")):
        ts = peers.run_or_say(rows, "4", labels, peer, name, tasks, quick, budget=2.0)
        for label, t, ref in zip(labels, ts, fills, strict=True) if ts else ():
            rows.append(report.timed("4", label, f"{name} ÷ fill", t, ref, paired=False))


# ----- case 3: the chain's order on dense factors, and its multiply-add counts -----
def case_orders(rows: list[dict], quick: bool) -> None:
    # n = 192 and 256: the cheapest order (left) takes 2–6 ms, long enough that the clock's
    # jitter and the planner's few microseconds do not decide a 1.1 target.
    for n in (192, 256) if not quick else (3,):
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
            agree(results[o], results["left"], f"order {o} n={n}")
        fs = [lambda o=o: J.chain(*factors, order=o) for o in J.ORDERS]
        times = dict(zip(J.ORDERS, timing.rounds(fs, quick, budget=1.0), strict=True))
        best = timing.Timing(
            timing.best_of(times["left"], times["right"]),
            [min(a, b) for a, b in zip(times["left"].cpu, times["right"].cpu, strict=True)],
        )
        label = (
            f"chain 1×n · n×n · n×nm, dense, n = m = {n}; multiply-adds left {counts['left']:,},"
            f" right {counts['right']:,}, cheapest {counts['cheapest']:,}"
        )
        measure = "cheapest ÷ best of left, right"
        rows.append(report.timed("3", label, measure, times["cheapest"], best, 1.1))


def _cases() -> dict[str, tuple[str, Callable[[list[dict], bool], None]]]:
    """Each group of cases: what it measures, and its function; in the order they run."""
    from checks import case_numeric
    from expressions import case_expressions
    from layered import case_conv, case_rnn, case_transformer
    from networks import case_jax, case_many_classes, case_small_deep

    return {
        "1,4,5": ("784-256-10 gradient, its memory and peers", case_network),
        "2,4": ("dense ∂z/∂W and peers", case_dense),
        "3": ("the chain's order", case_orders),
        "6,7,8": ("matrix expressions", case_expressions),
        "9": ("many classes: softmax with cross-entropy, 1000 classes", case_many_classes),
        "10": ("small and deep networks", case_small_deep),
        "11": ("numeric Jacobians and verify at real sizes", case_numeric),
        "12": ("against jax.jit(jax.grad), CPU time", case_jax),
        "13": ("a transformer block", case_transformer),
        "14": ("a 1-D convolutional network", case_conv),
        "15": ("a recurrent network over 100 steps", case_rnn),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, three rounds (tests)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument(
        "--cases", metavar="N,N", help="only the groups holding these cases, e.g. 9,11"
    )
    args = parser.parse_args(argv)
    groups = _cases()
    if args.cases:
        wanted = set(args.cases.split(","))
        known = {c for key in groups for c in key.split(",")}
        if not wanted <= known:
            parser.error(f"--cases: no case {', '.join(sorted(wanted - known))} (cases 1–15)")
        groups = {k: v for k, v in groups.items() if wanted & set(k.split(","))}
    rows: list[dict] = []
    start = time.perf_counter()
    malloc = timing.keep_freed_memory()
    with timing.one_blas_thread() as blas:
        print(f"{blas}\n{malloc}", file=sys.stderr)
        for key, (what, case) in groups.items():
            t = time.perf_counter()
            print(f"case {key}: {what} …", file=sys.stderr, end="", flush=True)
            case(rows, args.quick)
            print(f" {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    print(f"all cases: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    ran = "; ".join(peers.SEEN.values())
    peers_line = f"\nPeers: {ran}" if ran else ""
    print(f"Machine: {report.machine()}\n{blas}\n{malloc}{peers_line}\n")
    print(report.markdown(rows))
    if args.json:
        result = {
            "machine": report.machine(),
            "blas": blas,
            "malloc": malloc,
            "peers": peers.SEEN,
            "quick": args.quick,
            "rows": rows,
        }
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=2)
    missed = [r for r in rows if report.met(r) is False]
    return 1 if missed and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())
