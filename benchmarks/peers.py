"""Peers (jax, torch, bare numpy) timed in processes of their own.

The parent never imports a peer: each run starts ``peer_worker.py`` in a fresh process, gives it
the inputs in a temporary ``.npz`` and the tasks as JSON, and reads back the timings as JSON. The
worker holds itself to one CPU and every thread pool it knows to one thread, checks each task's
result against what our method gave (the same 1e-10 as every case) and only then times it, with
the same rounds as ours. So XLA's and PyTorch's worker threads, which keep spinning after each
call, never run beside our timings, and the peer's CPU time is its own.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import report
from timing import MALLOC_KEEP, THREAD_VARIABLES, Timing

WORKER = Path(__file__).resolve().parent / "peer_worker.py"
INSTALL = {"jax": "pip install jax jaxlib", "torch": "pip install torch==2.13.0", "numpy": ""}
# XLA's CPU backend runs Eigen's thread pool unless told not to; the process's CPU affinity
# (peer_worker.py) holds whatever threads remain to one core.
XLA_ONE_THREAD = "--xla_cpu_multi_thread_eigen=false"
# Each peer's version and how it was held to one thread, as its worker said (for the output).
SEEN: dict[str, str] = {}


@dataclass
class Task:
    """One function for the peer to build (``kind``, with ``params``) from ``arrays``, whose
    checks must give ``expected`` before it is timed."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    expected: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class PeerRun:
    about: str  # the peer's version and how it was held to one thread, in words
    timings: list[Timing]


def installed(peer: str) -> bool:
    """Whether the peer can be imported (found without importing it here)."""
    return importlib.util.find_spec(peer) is not None


def environment() -> dict[str, str]:
    """The worker's environment: one thread for every pool whose size a variable sets."""
    env = dict(os.environ)
    env.update(dict.fromkeys(THREAD_VARIABLES, "1"))
    env.update(MALLOC_KEEP)  # as keep_freed_memory sets it in our own process
    env["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} {XLA_ONE_THREAD}".strip()
    env["JAX_PLATFORMS"] = "cpu"
    return env


def run(
    peer: str, tasks: list[Task], quick: bool, budget: float = 0.6, timeout: float = 900
) -> PeerRun:
    """Run the tasks through the peer in its own process; their timings, in order.

    Raises:
        AssertionError: a task's checks disagree with ``expected`` (nothing is timed).
        RuntimeError: the worker failed otherwise; its last lines of error output are given.
    """
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as tmp:
        spec, inputs, out = (Path(tmp) / n for n in ("spec.json", "inputs.npz", "out.json"))
        arrays = {}
        for i, t in enumerate(tasks):
            arrays.update({f"{i}/arrays/{k}": v for k, v in t.arrays.items()})
            arrays.update({f"{i}/expected/{k}": v for k, v in t.expected.items()})
        np.savez(inputs, **arrays)
        spec.write_text(
            json.dumps(
                {
                    "quick": quick,
                    "budget": budget,
                    "tasks": [{"kind": t.kind, "params": t.params} for t in tasks],
                }
            )
        )
        done = subprocess.run(
            [sys.executable, str(WORKER), peer, str(spec), str(inputs), str(out)],
            env=environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        result = json.loads(out.read_text()) if out.exists() else {}
    if "disagree" in result:
        raise AssertionError(f"{peer}: {result['disagree']}")
    if done.returncode != 0 or "timings" not in result:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"the {peer} worker failed (exit {done.returncode}):\n{tail}")
    SEEN[peer] = result["about"]
    return PeerRun(result["about"], [Timing.from_dict(t) for t in result["timings"]])


def run_or_say(
    rows: list[dict[str, Any]],
    case: str,
    labels: list[str],
    peer: str,
    name: str,
    tasks: list[Task],
    quick: bool,
    budget: float = 0.6,
) -> list[Timing] | None:
    """The tasks' timings (one task per label), or None after a row per label saying that the
    peer (called ``name`` there) is not installed, and how to install it."""
    if not installed(peer):
        how = INSTALL.get(peer, f"pip install {peer}")
        rows.extend(report.missing(case, label, name, how) for label in labels)
        return None
    return run(peer, tasks, quick, budget).timings
