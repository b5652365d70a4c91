"""Benchmarks for issue 17's networks (cases 9, 10 and 12 of ``benchmarks/run.py``).

9. Many classes: 784-256-1000 with softmax as the last activation and ``cross_entropy``, the
   ``"jacobian"`` gradient ÷ ``"shortcut"`` at d = 16 and 256, time and peak memory (targets at
   d = 256: ≤ 1.3 and ≤ 2). While the batch softmax Jacobian is built as d dense n×n blocks, d = 256
   needs gigabytes: its size is foreseen from d = 16 and the row says "not run" where it would not
   fit (half the memory available) or take too long.
10. Small and deep: sigmoid layers of one width (and softmax with cross-entropy on the logits),
   widths 16, 64, 128, 512 at depths 2, 4, 8, 16, and the corners of width 4096 (depths 2 and
   16; its depths 4 and 8 would add a minute and are left out), at d = 1 and 32: ``"jacobian"``
   ÷ ``"shortcut"``, target ≤ 1.2.
12. Against JAX: the ``"jacobian"`` gradient's CPU time ÷ ``jax.jit(jax.grad)``'s, both on one
   thread, on 784-256-10 and 784-512-512-512-10 at d = 1, 32, 256 (targets ≤ 1.3 at d = 1,
   ≤ 1.0 at d ≥ 32); beside it the shortcut and the same arithmetic in bare numpy (its own
   process), both ÷ jax.
"""

from __future__ import annotations

import numpy as np
import peers
import report
from report import agree
from timing import Timing, available_memory, peak_memory, rounds

import jacobians as J
from net import MLP

SECONDS = 60  # the longest a single measurement of case 9 may be foreseen to take


def point(mlp: MLP, d: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Inputs X (m × d) and one-hot targets T (n × d)."""
    rng = np.random.default_rng(seed)
    m, n = mlp.sizes[0], mlp.sizes[-1]
    return rng.normal(size=(m, d)), np.eye(n)[:, rng.integers(0, n, d)]


def paired_gradients(
    mlp: MLP, X: np.ndarray, T: np.ndarray, what: str, quick: bool, budget: float = 0.6
) -> tuple[list[Timing], dict[str, np.ndarray]]:
    """The "shortcut" and "jacobian" gradients, checked to agree, then timed side by side:
    ([shortcut, jacobian] timings, the shortcut's gradients)."""
    ref = mlp.gradients(X, T, "shortcut")
    got = mlp.gradients(X, T, "jacobian")
    for name in ref:
        agree(got[name], ref[name], f"{what} {name}")
    fs = [lambda: mlp.gradients(X, T, "shortcut"), lambda: mlp.gradients(X, T, "jacobian")]
    return rounds(fs, quick, budget), ref


def peak_memories(mlp: MLP, X: np.ndarray, T: np.ndarray) -> tuple[int, int]:
    """Peak bytes (tracemalloc) of the "jacobian" and of the "shortcut" gradient."""
    return tuple(peak_memory(lambda m=m: mlp.gradients(X, T, m)) for m in ("jacobian", "shortcut"))


def network_task(mlp: MLP, X: np.ndarray, T: np.ndarray, expected: dict) -> peers.Task:
    """A peer's task: the gradient of mlp's cost at X, T (its parameters, activations, loss)."""
    return peers.Task(
        "mlp_grad",
        {"activations": list(mlp.activations), "loss": mlp.loss},
        {**mlp.params, "X": X, "T": T},
        expected,
    )


# ----- case 9: softmax with cross-entropy over many classes -----
def case_many_classes(rows: list[dict], quick: bool) -> None:
    sizes = [784, 256, 1000] if not quick else [12, 6, 20]
    mlp = MLP(sizes, ["sigmoid", "softmax"], "cross_entropy", seed=0)
    name = "-".join(map(str, sizes))
    first: tuple[int, int, float] | None = None  # d, peak bytes and seconds of the jacobian path
    ds = (16, 256) if not quick else (2, 8)
    for d in ds:
        X, T = point(mlp, d)
        label = f"{name}, softmax last with cross_entropy, gradient, d = {d}"
        target, memory_target = (1.3, 2.0) if d == ds[-1] else (None, None)
        if first is not None:
            why = _too_big(first, d, quick)
            if why:
                rows.append(report.not_run("9", label, "jacobian ÷ shortcut", why))
                rows.append(
                    report.not_run("9", f"{label}: peak memory", "jacobian ÷ shortcut", why)
                )
                continue
        (t_short, t_jac), _ = paired_gradients(mlp, X, T, f"many classes d={d}", quick, budget=2.0)
        rows.append(report.timed("9", label, "jacobian ÷ shortcut", t_jac, t_short, target))
        m_jac, m_short = peak_memories(mlp, X, T)
        row = report.memory("9", f"{label}: peak memory", "jacobian ÷ shortcut", m_jac, m_short)
        rows.append({**row, "target": memory_target})
        first = first or (d, m_jac, t_jac.median)


def _too_big(first: tuple[int, int, float], d: int, quick: bool) -> str:
    """Why the jacobian path at d samples should not run, foreseen from its peak memory and time
    at first[0] samples (both grow with d); empty if it may."""
    d0, peak, seconds = first
    peak_d, seconds_d = peak * d / d0, seconds * d / d0
    room = available_memory() // 2
    if peak_d > room:
        return (
            f"would need ≈ {peak_d / 2**30:.1f} GiB ({peak / 2**20:.0f} MiB at d = {d0},"
            f" × {d / d0:g}), more than half the memory available ({room / 2**30:.1f} GiB)"
        )
    if seconds_d > SECONDS and not quick:
        return f"would take ≈ {seconds_d:.0f} s a call ({seconds * 1e3:.0f} ms at d = {d0})"
    return ""


# ----- case 10: small and deep networks -----
def _grid(quick: bool) -> list[tuple[int, int]]:
    if quick:
        return [(3, 2), (5, 3)]
    full = [(w, L) for w in (16, 64, 128, 512) for L in (2, 4, 8, 16)]
    return [*full, (4096, 2), (4096, 16)]


def case_small_deep(rows: list[dict], quick: bool) -> None:
    for width, depth in _grid(quick):
        sizes = [width] * (depth + 1)
        label0 = f"{depth} layers of width {width}"
        params = 8 * depth * width * (width + 1)
        need = 3 * params  # the parameters, and one gradient of each method alive at once
        if need > available_memory() // 2:
            why = f"its parameters and two gradients would need {need / 2**30:.1f} GiB"
            rows.append(report.not_run("10", label0, "jacobian ÷ shortcut", why))
            continue
        acts = ["sigmoid"] * (depth - 1) + ["identity"]
        # 16 layers of 4096 hold 2.0 GiB of parameters, just over the default limit MLP keeps to
        previous = J.set_dense_limit(max(J.dense_limit(), 2 * params))
        try:
            mlp = MLP(sizes, acts, "softmax_cross_entropy", seed=0)
            for d in (1, 32) if not quick else (1, 2):
                X, T = point(mlp, d)
                label = f"{label0}, d = {d}"
                (t_short, t_jac), _ = paired_gradients(mlp, X, T, label, quick, budget=0.5)
                rows.append(report.timed("10", label, "jacobian ÷ shortcut", t_jac, t_short, 1.2))
        finally:
            J.set_dense_limit(previous)
        del mlp


# ----- case 12: against jax.jit(jax.grad), CPU time on one thread -----
def case_jax(rows: list[dict], quick: bool) -> None:
    nets = [[784, 256, 10], [784, 512, 512, 512, 10]] if not quick else [[6, 4, 3], [6, 5, 5, 3]]
    jobs: list[tuple[str, int, Timing, Timing, peers.Task]] = []
    for sizes in nets:
        acts = ["sigmoid"] * (len(sizes) - 2) + ["identity"]
        mlp = MLP(sizes, acts, "softmax_cross_entropy", seed=0)
        for d in (1, 32, 256) if not quick else (1, 4):
            X, T = point(mlp, d)
            label = f"{'-'.join(map(str, sizes))} gradient, d = {d}"
            (t_short, t_jac), ref = paired_gradients(mlp, X, T, label, quick)
            rows.append(report.timed("12", label, "jacobian ÷ shortcut", t_jac, t_short))
            jobs.append((label, d, t_jac, t_short, network_task(mlp, X, T, ref)))
    labels, tasks = [label for label, *_ in jobs], [task for *_, task in jobs]
    jax = peers.run_or_say(rows, "12", labels, "jax", "jax.jit(jax.grad)", tasks, quick)
    if jax is None:
        return
    by_hand = peers.run("numpy", tasks, quick).timings
    for (label, d, t_jac, t_short, _), t_jax, t_hand in zip(jobs, jax, by_hand, strict=True):
        target = 1.3 if d == 1 else 1.0
        for name, t, goal in (("jacobian", t_jac, target), ("shortcut", t_short, None)):
            measure = f"{name} ÷ jax.jit(jax.grad), CPU time"
            rows.append(
                report.timed("12", label, measure, t, t_jax, goal, paired=False, basis="cpu")
            )
        measure = "numpy by hand (own process) ÷ jax.jit(jax.grad), CPU time"
        rows.append(report.timed("12", label, measure, t_hand, t_jax, paired=False, basis="cpu"))
