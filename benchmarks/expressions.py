"""Benchmarks for issue 14: matrix expressions (cases 6, 7 and 8 of ``benchmarks/run.py``).

6. The structured ∂(AXB)/∂X = A ⊗ Bᵀ and ∂X⁻¹/∂X = −X⁻¹ ⊗ X⁻ᵀ at n = 64, 256, 1024: time and
   peak memory of ``e.jacobian("X", values)`` (the Kronecker, never ``.matrix``) against numpy
   computing the value alone, and ``jax.jit(jax.jacrev)``, which builds all n⁴ entries; where
   those would not fit in memory the row says so instead of running.
7. Gradients of ``norm2(A*x - y)^2`` and of the logistic loss against a hand-written numpy
   gradient (target ≤ 1.3, parse excluded) and ``jax.jit(jax.grad)`` (compiled before timing),
   for A and X of 256×16, 1024×64, 4096×256 and 4096×4096.
8. The full Jacobian of f(x) = tanh(A·tanh(Bx)) + x (fan-out through ``+ x``): reverse, forward
   and cheapest, with their multiply-add counts, against ``jax.jit(jax.jacrev)``/``jacfwd``.

Every method is checked against the others before it is timed. The methods a target compares
(ours and numpy, or our three orders) are timed round by round together (``timing.rounds``); jax
runs in a process of its own (peers.py), checked there against our results: XLA's worker threads
spin for a millisecond or two after each call, and interleaved with numpy on a 2-core machine
they made numpy's least-squares gradient at 4096×256 take 2.8× as long.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import peers
import report
from report import agree
from timing import available_memory, peak_memory, rounds

from jacobians.expressions import parse

_GIB = 2**30


def case_expressions(rows: list[dict], quick: bool) -> None:
    """Cases 6, 7 and 8, appended to ``rows`` in report.py's row format."""
    case_structured(rows, quick)
    case_gradients(rows, quick)
    case_fan_out(rows, quick)


def size_text(b: float) -> str:
    for unit, scale in (("GiB", _GIB), ("MiB", 2**20)):
        if b >= scale:
            return f"{b / scale:,.0f} {unit}"
    return f"{b / 2**10:,.1f} KiB"


def _jax_rows(
    rows: list[dict], quick: bool, case: str, jobs: list[tuple[str, str, Any, peers.Task]]
) -> None:
    """Run the jax tasks in one process of its own; a row each, ÷ the timing given with it.
    jobs: (label, measure, our Timing, task)."""
    labels = [label for label, *_ in jobs]
    tasks = [task for *_, task in jobs]
    ts = (
        peers.run_or_say(rows, case, labels, "jax", "jax", tasks, quick, budget=1.0)
        if jobs
        else None
    )
    for (label, measure, ours, _), t in zip(jobs, ts, strict=True) if ts else ():
        rows.append(report.timed(case, label, measure, t, ours, paired=False))


# ----- case 6: fourth-order Jacobians kept as Kronecker products -----
_STRUCTURED = {
    # text, the numpy value, vjp G ↦ Gᵀ·J folded back, jvp V ↦ J·vec(V) unfolded
    "AXB": (
        lambda A, X, B: A @ X @ B,
        lambda A, X, B, G: A.T @ G @ B.T,
        lambda A, X, B, V: A @ V @ B,
    ),
    "inv(X)": (
        lambda A, X, B: np.linalg.inv(X),
        lambda A, X, B, G: -np.linalg.solve(X.T, np.linalg.solve(X, G.T).T),  # −X⁻ᵀ G X⁻ᵀ
        lambda A, X, B, V: -np.linalg.solve(X, np.linalg.solve(X.T, V.T).T),  # −X⁻¹ V X⁻¹
    ),
}


def case_structured(rows: list[dict], quick: bool) -> None:
    """Case 6: ∂(AXB)/∂X and ∂X⁻¹/∂X as Kronecker products, against numpy's value and jax."""
    # The dense n⁴ result of jacrev, with room for the vmapped cotangents it is built from and for
    # XLA's buffers; --quick lowers the limit so that the test sees the row of a size not run.
    limit = 64 * 2**10 if quick else available_memory() // 4
    jobs = []
    for text, (value, vjp, jvp) in _STRUCTURED.items():
        for n in (3, 16) if quick else (64, 256, 1024):
            rng = np.random.default_rng(n)
            A, B = rng.normal(size=(n, n)), rng.normal(size=(n, n))
            X = rng.normal(size=(n, n)) / np.sqrt(n) + 2 * np.eye(n)  # well-conditioned
            names = ["A", "X", "B"] if text == "AXB" else ["X"]
            e = parse(text.replace("AXB", "A*X*B"), [f"{k}={n}x{n}" for k in names])
            values = {k: v for k, v in (("A", A), ("X", X), ("B", B)) if k in names}
            Jx = e.jacobian("X", values)
            G, V = rng.normal(size=(n, n)), rng.normal(size=(n, n))
            got_vjp = Jx.right(G.reshape(1, -1))
            got_jvp = Jx.left(V.reshape(-1, 1))
            agree(got_vjp.reshape(n, n), vjp(A, X, B, G), f"{text} n={n}: J.right, closed form")
            agree(got_jvp.reshape(n, n), jvp(A, X, B, V), f"{text} n={n}: J.left, closed form")
            dense = 8 * n**4
            label = f"∂({text})/∂X, n = {n}: {Jx.kind} ({n * n}×{n * n}, dense {size_text(dense)})"
            ours = lambda: e.jacobian("X", values)
            numpy_value = lambda: value(A, X, B)
            t_ours, t_value = rounds([ours, numpy_value], quick, budget=1.0)
            rows.append(report.timed("6", label, "ours ÷ numpy value alone", t_ours, t_value))
            m_ours, m_value = peak_memory(ours), peak_memory(numpy_value)
            measure = "ours ÷ numpy value alone"
            rows.append(report.memory("6", f"{label}: peak memory", measure, m_ours, m_value))
            if 3 * dense <= limit:
                arrays = {"A": A, "X": X, "B": B, "u": G, "v": V}
                task = peers.Task("structured_jacrev", {"text": text}, arrays)
                task.expected = {"uM": got_vjp, "Mv": got_jvp}
                jobs.append((label, "jax.jit(jax.jacrev) ÷ ours", t_ours, task))
            else:
                why = f"would need {size_text(dense)} for n⁴"
                rows.append(report.not_run("6", label, "jax.jit(jax.jacrev)", why))
    _jax_rows(rows, quick, "6", jobs)


# ----- case 7: gradients of scalar losses -----
def _least_squares(A: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """2Aᵀ(Ax − y)."""
    return 2 * (A.T @ (A @ x - y))


def _logistic(X: np.ndarray, w: np.ndarray, y: np.ndarray) -> np.ndarray:
    """−Xᵀ(y ⊙ σ(−y ⊙ Xw)), with σ(−z) = 1 / (1 + eᶻ)."""
    return -(X.T @ (y / (1 + np.exp(y * (X @ w)))))


# text, the matrix's name, the variable's, the numpy gradient, the loss's name in peer_worker.py
_LOSSES = (
    ("norm2(A*x - y)^2", "A", "x", _least_squares, "least_squares"),
    ("sum(log(exp(-y.*(X*w)) + vector(1)))", "X", "w", _logistic, "logistic"),
)


# (rows, columns) of A and X: tall matrices (m × m/16), and a square one of 4096 where the two
# products are most of the work, as they are in the least-squares problems of real size
_GRADIENT_SIZES = ((256, 16), (1024, 64), (4096, 256), (4096, 4096))


def case_gradients(rows: list[dict], quick: bool) -> None:
    """Case 7: our gradient (the expression built once, outside the timing) against numpy's."""
    jobs = []
    for text, M_name, v_name, by_hand, loss in _LOSSES:
        for m, n in ((8, 3),) if quick else _GRADIENT_SIZES:
            rng = np.random.default_rng(m)
            M = rng.normal(size=(m, n)) / np.sqrt(n)
            v, y = rng.normal(size=n), rng.normal(size=m)
            if M_name == "X":
                y = np.where(y < 0, -1.0, 1.0)  # labels ±1
            e = parse(text, [f"{M_name}={m}x{n}"])
            values = {M_name: M, v_name: v, "y": y}
            ref = by_hand(M, v, y)
            agree(e.gradient(v_name, values), ref, f"gradient of {text}, m={m}")
            fs = [lambda: e.gradient(v_name, values), lambda: by_hand(M, v, y)]
            t_ours, t_hand = rounds(fs, quick, budget=1.0)
            label = f"∇_{v_name} {text}, {M_name} {m}×{n}"
            rows.append(report.timed("7", label, "ours ÷ numpy by hand", t_ours, t_hand, 1.3))
            task = peers.Task("loss_grad", {"loss": loss}, {"M": M, "v": v, "y": y}, {"grad": ref})
            jobs.append((label, "jax.jit(jax.grad) ÷ numpy by hand", t_hand, task))
    _jax_rows(rows, quick, "7", jobs)


# ----- case 8: a full Jacobian through fan-out -----
def case_fan_out(rows: list[dict], quick: bool) -> None:
    """Case 8: tanh(A·tanh(Bx)) + x, its Jacobian in each order, against jacrev and jacfwd."""
    n = 6 if quick else 512
    rng = np.random.default_rng(n)
    A, B = rng.normal(size=(n, n)) / np.sqrt(n), rng.normal(size=(n, n)) / np.sqrt(n)
    x = rng.normal(size=n)
    e = parse("tanh(A*tanh(B*x)) + x", [f"A={n}x{n}", f"B={n}x{n}"])
    values = {"A": A, "B": B, "x": x}
    counts = e.costs("x", values)
    if counts["cheapest"] > min(counts["reverse"], counts["forward"]):
        raise AssertionError(f"the cheapest order counts more than reverse or forward: {counts}")
    h = np.tanh(B @ x)
    ref = (1 - np.tanh(A @ h) ** 2)[:, None] * A @ ((1 - h**2)[:, None] * B) + np.eye(n)
    methods = ("reverse", "forward", "cheapest")
    for m in methods:
        agree(e.jacobian("x", values, method=m).matrix, ref, f"fan-out n={n}, {m}")
    fs = [lambda m=m: e.jacobian("x", values, method=m).matrix for m in methods]
    t = dict(zip(methods, rounds(fs, quick, budget=2.0), strict=True))
    label = (
        f"full Jacobian of tanh(A*tanh(B*x)) + x, n = {n}; multiply-adds reverse "
        f"{counts['reverse']:,}, forward {counts['forward']:,}, cheapest {counts['cheapest']:,}"
        f" ({counts['strategy']})"
    )
    for other in ("reverse", "forward"):
        rows.append(report.timed("8", label, f"cheapest ÷ {other}", t["cheapest"], t[other], 1.1))
    jobs = [
        (
            label,
            f"jax.jit(jax.{transform}) ÷ ours (cheapest)",
            t["cheapest"],
            peers.Task("fan_out", {"transform": transform}, values, {"J": ref}),
        )
        for transform in ("jacrev", "jacfwd")
    ]
    _jax_rows(rows, quick, "8", jobs)
