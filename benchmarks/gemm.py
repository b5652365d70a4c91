"""Case 12's last gap, below our code: the product that dominates 784-256-10, W (256×784) times a
batch of d samples, and the backward δXᵀ, in numpy (the BLAS it links) and in ``jax.jit``.

    OPENBLAS_NUM_THREADS=1 python benchmarks/gemm.py

CPU time on one CPU, BLAS on one thread, XLA without its thread pool; 30 rounds of 20 calls,
the contenders taken in turn within each round; min–median–max in µs. Not part of run.py: it
times no code of ours, only what the floor of case 12 is made of (benchmarks/README.md).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} --xla_cpu_multi_thread_eigen=false"


def rounds(fs: dict[str, Callable[[], object]], n: int = 30, k: int = 20) -> dict[str, tuple]:
    res: dict[str, list[float]] = {name: [] for name in fs}
    for f in fs.values():
        f()  # compiled (jax) and warm before timing
    for _ in range(n):
        for name, f in fs.items():
            start = time.process_time_ns()
            for _ in range(k):
                f()
            res[name].append((time.process_time_ns() - start) / k / 1e3)
    return {name: (min(v), statistics.median(v), max(v)) for name, v in res.items()}


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import jax
    import jax.numpy as jnp
    import numpy as np
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platforms", "cpu")
    rng = np.random.default_rng(0)
    forward, backward = jax.jit(lambda W, X: W @ X), jax.jit(lambda D, X: D @ X.T)
    for d in (1, 32, 256):
        W, X, D = rng.normal(size=(256, 784)), rng.normal(size=(784, d)), rng.normal(size=(256, d))
        XT, kept = np.ascontiguousarray(X.T), np.empty((d, 256))
        jW, jX, jD = map(jnp.asarray, (W, X, D))
        outer = d == 1  # numpy's fastest outer product is einsum (the toolkit's matmul uses it)
        fs = {
            "forward W·X, numpy": lambda: W @ X,
            "forward Xᵀ·Wᵀ into a kept array, numpy": lambda: np.matmul(XT, W.T, out=kept),
            "forward, jax.jit": lambda: forward(jW, jX).block_until_ready(),
            "backward δXᵀ, numpy": (
                (lambda: np.einsum("i,j->ij", D[:, 0], X[:, 0])) if outer else (lambda: D @ X.T)
            ),
            "backward, jax.jit": lambda: backward(jD, jX).block_until_ready(),
        }
        for name, (lo, mid, hi) in rounds(fs).items():
            print(f"d = {d:<4} {name:<42} {lo:8.1f} {mid:8.1f} {hi:8.1f}")


if __name__ == "__main__":
    main()
