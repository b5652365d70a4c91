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
(ours and numpy, or our three orders) are timed round by round together (``median_times``); jax
is timed right after, in rounds of its own against the same reference median, as run.py times
its peers: XLA's worker threads spin for a millisecond or two after each call, and interleaved
with numpy on this 2-core machine they made numpy's least-squares gradient at 4096×256 take
2.8× as long (730 µs against 262 µs) and jax's own 3.8× (1416 µs against 375 µs).

>>> rows = []
>>> case_expressions(rows, quick=True)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

# When run.py is the script, this imports it again as the module `run`: its helpers keep no state.
from run import _agree, _jax, _missing, _row, median_times, peak_memory

from jacobians.expressions import parse

_GIB = 2**30


def case_expressions(rows: list[dict], quick: bool) -> None:
    """Cases 6, 7 and 8, appended to ``rows`` in run.py's row format."""
    jax = _jax()
    case_structured(rows, quick, jax)
    case_gradients(rows, quick, jax)
    case_fan_out(rows, quick, jax)


def _available() -> int:
    """Bytes of memory the system can still give (MemAvailable), or 4 GiB if unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 4 * _GIB


def _size(b: float) -> str:
    for unit, scale in (("GiB", _GIB), ("MiB", 2**20)):
        if b >= scale:
            return f"{b / scale:,.0f} {unit}"
    return f"{b / 2**10:,.1f} KiB"


def _peers(
    rows: list[dict],
    quick: bool,
    case: str,
    label: str,
    peers: dict[str, Callable[[], Any]],
    reference: tuple[str, float],
    budget: float = 1.0,
) -> None:
    """Time jax's functions in rounds of their own and add a row for each against reference
    (its name and our median from the rounds just before)."""
    times = median_times(list(peers.values()), quick, budget)
    for name, t in zip(peers, times, strict=True):
        rows.append(_row(case, label, f"{name} ÷ {reference[0]}", t, reference[1], None))


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


def case_structured(rows: list[dict], quick: bool, jax: Any) -> None:
    """Case 6: ∂(AXB)/∂X and ∂X⁻¹/∂X as Kronecker products, against numpy's value and jax."""
    # The dense n⁴ result of jacrev, with room for the vmapped cotangents it is built from and for
    # XLA's buffers; --quick lowers the limit so that the test sees the row of a size not run.
    limit = 64 * 2**10 if quick else _available() // 4
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
            got_vjp = Jx.right(G.reshape(1, -1)).reshape(n, n)
            got_jvp = Jx.left(V.reshape(-1, 1)).reshape(n, n)
            _agree(got_vjp, vjp(A, X, B, G), f"{text} n={n}: J.right against the closed form")
            _agree(got_jvp, jvp(A, X, B, V), f"{text} n={n}: J.left against the closed form")
            dense = 8 * n**4
            label = f"∂({text})/∂X, n = {n}: {Jx.kind} ({n * n}×{n * n}, dense {_size(dense)})"
            ours = lambda: e.jacobian("X", values)
            numpy_value = lambda: value(A, X, B)
            run_jax = jax is not None and 3 * dense <= limit
            if run_jax:
                jacrev = _jacrev_checked(jax, text, n, A, X, B, G, V, got_vjp, got_jvp)
            times = median_times([ours, numpy_value], quick, budget=1.0)
            rows.append(_row("6", label, "ours ÷ numpy value alone", times[0], times[1], None))
            m_ours, m_value = peak_memory(ours), peak_memory(numpy_value)
            memory = _row(
                "6", f"{label}: peak memory", "ours ÷ numpy value alone", m_ours, m_value, None
            )
            rows.append({**memory, "unit": "bytes"})
            if jax is None:
                rows.append(_missing("6", label, "jax.jacrev", "pip install jax jaxlib"))
            elif run_jax:
                _peers(rows, quick, "6", label, {"jax.jit(jax.jacrev)": jacrev}, ("ours", times[0]))
            else:
                measure = f"jax.jit(jax.jacrev): would need {_size(dense)} for n⁴, not run"
                rows.append({**_missing("6", label, "", ""), "measure": measure})


def _jacrev_checked(
    jax: Any, text: str, n: int, A: Any, X: Any, B: Any, G: Any, V: Any, vjp: Any, jvp: Any
) -> Callable[[], Any]:
    """jax.jit(jax.jacrev) of the same function, checked against our J.right and J.left."""
    jnp = jax.numpy
    jA, jB = jnp.asarray(A), jnp.asarray(B)
    f = (lambda X_: jA @ X_ @ jB) if text == "AXB" else jnp.linalg.inv
    jac = jax.jit(jax.jacrev(f))
    jX = jnp.asarray(X)
    M = np.asarray(jac(jX)).reshape(n * n, n * n)
    _agree(vjp, (G.reshape(1, -1) @ M).reshape(n, n), f"{text} n={n}: J.right against jacrev")
    _agree(jvp, (M @ V.reshape(-1, 1)).reshape(n, n), f"{text} n={n}: J.left against jacrev")
    return lambda: jax.block_until_ready(jac(jX))


# ----- case 7: gradients of scalar losses -----
def _least_squares(A: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """2Aᵀ(Ax − y)."""
    return 2 * (A.T @ (A @ x - y))


def _logistic(X: np.ndarray, w: np.ndarray, y: np.ndarray) -> np.ndarray:
    """−Xᵀ(y ⊙ σ(−y ⊙ Xw)), with σ(−z) = 1 / (1 + eᶻ)."""
    return -(X.T @ (y / (1 + np.exp(y * (X @ w)))))


# text, the matrix's name, the variable's, the numpy gradient, the loss for jax (given jnp)
_LOSSES = (
    ("norm2(A*x - y)^2", "A", "x", _least_squares, lambda np_, M, v, y: np_.sum((M @ v - y) ** 2)),
    (
        "sum(log(exp(-y.*(X*w)) + vector(1)))", "X", "w", _logistic,
        lambda np_, M, v, y: np_.sum(np_.log(np_.exp(-y * (M @ v)) + 1)),
    ),
)  # fmt: skip


# (rows, columns) of A and X: tall matrices (m × m/16), and a square one of 4096 where the two
# products are most of the work, as they are in the least-squares problems of real size
_GRADIENT_SIZES = ((256, 16), (1024, 64), (4096, 256), (4096, 4096))


def case_gradients(rows: list[dict], quick: bool, jax: Any) -> None:
    """Case 7: our gradient (the expression built once, outside the timing) against numpy's."""
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
            _agree(e.gradient(v_name, values), ref, f"gradient of {text}, m={m}")
            peers = {}
            if jax is not None:
                jnp = jax.numpy
                jgrad = jax.jit(jax.grad(lambda v_, M_, y_: loss(jnp, M_, v_, y_)))
                jM, jv, jy = jnp.asarray(M), jnp.asarray(v), jnp.asarray(y)
                _agree(np.asarray(jgrad(jv, jM, jy)), ref, f"jax gradient of {text}, m={m}")
                peers["jax.jit(jax.grad)"] = lambda: jax.block_until_ready(jgrad(jv, jM, jy))
            fs = [lambda: e.gradient(v_name, values), lambda: by_hand(M, v, y)]
            times = median_times(fs, quick, budget=1.0)
            label = f"∇_{v_name} {text}, {M_name} {m}×{n}"
            rows.append(_row("7", label, "ours ÷ numpy by hand", times[0], times[1], 1.3))
            if jax is None:
                rows.append(_missing("7", label, "jax.jit(jax.grad)", "pip install jax jaxlib"))
            else:
                _peers(rows, quick, "7", label, peers, ("numpy by hand", times[1]))


# ----- case 8: a full Jacobian through fan-out -----
def case_fan_out(rows: list[dict], quick: bool, jax: Any) -> None:
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
        _agree(e.jacobian("x", values, method=m).matrix, ref, f"fan-out n={n}, {m}")
    peers = {}
    if jax is not None:
        jnp = jax.numpy
        f = lambda x_, A_, B_: jnp.tanh(A_ @ jnp.tanh(B_ @ x_)) + x_
        jx, jA, jB = jnp.asarray(x), jnp.asarray(A), jnp.asarray(B)
        for name, transform in (
            ("jax.jit(jax.jacrev)", jax.jacrev),
            ("jax.jit(jax.jacfwd)", jax.jacfwd),
        ):
            jac = jax.jit(transform(f))
            _agree(np.asarray(jac(jx, jA, jB)), ref, f"fan-out n={n}, {name}")
            peers[name] = lambda jac=jac: jax.block_until_ready(jac(jx, jA, jB))
    fs = [lambda m=m: e.jacobian("x", values, method=m).matrix for m in methods]
    t = dict(zip(methods, median_times(fs, quick, budget=2.0), strict=True))
    label = (
        f"full Jacobian of tanh(A*tanh(B*x)) + x, n = {n}; multiply-adds reverse "
        f"{counts['reverse']:,}, forward {counts['forward']:,}, cheapest {counts['cheapest']:,}"
        f" ({counts['strategy']})"
    )
    for other in ("reverse", "forward"):
        rows.append(_row("8", label, f"cheapest ÷ {other}", t["cheapest"], t[other], 1.1))
    if jax is None:
        rows.extend(
            _missing("8", label, p, "pip install jax jaxlib") for p in ("jax.jacrev", "jax.jacfwd")
        )
    else:
        _peers(rows, quick, "8", label, peers, ("ours (cheapest)", t["cheapest"]), budget=2.0)
