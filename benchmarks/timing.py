"""The timing harness of the benchmarks: BLAS on one thread, methods timed side by side round by
round, wall and CPU time of every call, and peak memory.

Import this module before numpy (run.py does): where threadpoolctl is missing, the only way left to
hold OpenBLAS to one thread is its environment variable, which OpenBLAS reads once, when it loads.
The module itself never imports numpy, so the peers' worker (peer_worker.py) can use it too.

>>> t = rounds([lambda: None, lambda: None], quick=True)
>>> len(t[0].wall) == len(t[1].wall) == 3
True
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib.util
import math
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

# The variables each BLAS reads when it loads; one thread for all of them.
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_HOW_TO = "pip install threadpoolctl, or pip install -e '.[bench]'"


def _pin_by_environment() -> str:
    """Set the thread variables if threadpoolctl cannot limit the pool later; say what was done."""
    if importlib.util.find_spec("threadpoolctl") is not None:
        return ""
    if "numpy" in sys.modules:
        return (
            "BLAS threads NOT pinned: threadpoolctl is not installed and numpy was loaded before"
            f" OPENBLAS_NUM_THREADS=1 could be set ({_HOW_TO})"
        )
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    return f"BLAS on 1 thread by OPENBLAS_NUM_THREADS=1 (threadpoolctl is not installed: {_HOW_TO})"


_BY_ENVIRONMENT = _pin_by_environment()


# glibc's malloc hands a freed block of 128 KiB or more back to the kernel, and the next array of
# that size pays a page fault for every 4 KiB page it writes; on a virtual machine that can cost
# more than a one-sample gradient's arithmetic, and it varies with what ran before. jax keeps its
# own pool of buffers. So that every contender keeps freed memory alike, the benchmark's process
# sets these thresholds (mallopt), and the peers' processes get them as environment variables.
MALLOC_KEEP = {"MALLOC_MMAP_THRESHOLD_": str(32 * 2**20), "MALLOC_TRIM_THRESHOLD_": str(2**30)}
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h


def keep_freed_memory() -> str:
    """Tell this process's malloc (glibc's) to keep freed memory for reuse; says what was done."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        mmap = libc.mallopt(_M_MMAP_THRESHOLD, int(MALLOC_KEEP["MALLOC_MMAP_THRESHOLD_"]))
        trim = libc.mallopt(_M_TRIM_THRESHOLD, int(MALLOC_KEEP["MALLOC_TRIM_THRESHOLD_"]))
    except (OSError, AttributeError):
        return "malloc as the system has it (not glibc): freed memory may go back to the kernel"
    if mmap != 1 or trim != 1:
        return "malloc as glibc has it (mallopt refused): freed memory may go back to the kernel"
    return (
        "malloc keeping freed memory for reuse (glibc: mmap threshold 32 MiB, trim threshold"
        " 1 GiB), here and in the peers' processes"
    )


@contextlib.contextmanager
def one_blas_thread() -> Iterator[str]:
    """Hold every BLAS of this process to one thread while the block runs; yields how, in words."""
    if _BY_ENVIRONMENT:
        yield _BY_ENVIRONMENT
        return
    import threadpoolctl

    before = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        if not before:
            version = threadpoolctl.__version__
            yield f"BLAS threads NOT pinned: threadpoolctl {version} found no BLAS library"
            return
        libraries = ", ".join(
            f"{i['internal_api']} {i.get('version') or ''} (was {i['num_threads']})".replace(
                "  ", " "
            )
            for i in before
        )
        yield f"BLAS on 1 thread by threadpoolctl {threadpoolctl.__version__}: {libraries}"


# ----- rounds -----
@dataclass
class Timing:
    """One method's seconds per call, round by round: wall clock and CPU time of the process."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    calls: int = 1  # calls per round (a fast method is called several times in each)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    def to_dict(self) -> dict[str, Any]:
        return {"wall": self.wall, "cpu": self.cpu, "calls": self.calls}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Timing:
        return cls(list(d["wall"]), list(d["cpu"]), int(d["calls"]))


def order(r: int, n: int) -> list[int]:
    """The order of n methods in round r: rotated by r, so with two each goes first in every other
    round; with more, every other cycle runs backwards, so no method always follows the same one.

    >>> [order(r, 2) for r in range(3)], order(3, 3)
    ([[0, 1], [1, 0], [0, 1]], [2, 1, 0])
    """
    turn = [(i + r) % n for i in range(n)]
    return turn[::-1] if n > 2 and (r // n) % 2 else turn


def rounds(
    fs: Sequence[Callable[[], Any]],
    quick: bool,
    budget: float = 0.6,
    *,
    min_rounds: int = 5,
    max_rounds: int = 400,
    sample: float = 1e-3,
    clock: Callable[[], float] = time.perf_counter,
    cpu_clock: Callable[[], float] = time.process_time,
) -> list[Timing]:
    """Time each f() round by round, all of them in each round (in :func:`order`), with the
    collector paused, until ``budget`` seconds have passed and ``min_rounds`` are done.

    Each f is first called once to warm up, twice if that call took less than ``sample`` (it may
    have paid for cold caches; the second says how fast f is). Within a round, a method faster
    than ``sample`` seconds is called often enough to take that long, so the clock's jitter is
    small beside it. ``quick``: three rounds of one call each.

    Compare methods by the ratio within each round (:func:`ratios`): a change in the machine's
    speed between rounds touches both sides of it alike.
    """
    calls = []
    for f in fs:
        t = clock()
        f()
        if clock() - t < sample:  # the first call may pay for cold caches: measure a second
            t = clock()
            f()
        calls.append(1 if quick else max(1, math.ceil(sample / max(clock() - t, 1e-9))))
    timings = [Timing(calls=c) for c in calls]
    enabled = gc.isenabled()
    gc.disable()
    start = clock()
    try:
        for r in range(3 if quick else max_rounds):
            for i in order(r, len(fs)):
                f, k = fs[i], calls[i]
                t, c = clock(), cpu_clock()
                for _ in range(k):
                    f()
                timings[i].cpu.append((cpu_clock() - c) / k)
                timings[i].wall.append((clock() - t) / k)
            if not quick and r + 1 >= min_rounds and clock() - start > budget:
                break
    finally:
        if enabled:
            gc.enable()
    return timings


@dataclass(frozen=True)
class Ratio:
    """A ratio's median, min and max over rounds; ``paired`` says whether each is of one round's
    two times, or (for a peer timed in another process) the range of any round over any other."""

    median: float
    min: float
    max: float
    paired: bool = True


def ratios(ours: Sequence[float], reference: Sequence[float]) -> Ratio:
    """The ratio of each round's two times: its median, min and max (not a ratio of medians).

    >>> ratios([2.0, 3.0, 10.0], [1.0, 3.0, 5.0])
    Ratio(median=2.0, min=1.0, max=2.0, paired=True)
    """
    each = [a / b for a, b in zip(ours, reference, strict=True)]
    return Ratio(statistics.median(each), min(each), max(each))


def unpaired(ours: Sequence[float], reference: Sequence[float]) -> Ratio:
    """The ratio of medians, between the ratio of any round of ours over any of the reference's:
    for times taken in different processes, whose rounds do not correspond.

    >>> unpaired([2.0, 3.0, 4.0], [1.0, 2.0])
    Ratio(median=2.0, min=1.0, max=4.0, paired=False)
    """
    return Ratio(
        statistics.median(ours) / statistics.median(reference),
        min(ours) / max(reference),
        max(ours) / min(reference),
        paired=False,
    )


def best_of(*timings: Timing) -> list[float]:
    """The faster of several methods in each round (one round's times, method by method)."""
    return [min(ts) for ts in zip(*(t.wall for t in timings), strict=True)]


def peak_memory(f: Callable[[], Any]) -> int:
    """Peak bytes allocated (numpy reports to tracemalloc) while f() runs."""
    gc.collect()
    tracemalloc.start()
    try:
        f()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def available_memory() -> int:
    """Bytes of memory the system can still give (MemAvailable), or 4 GiB if unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 4 * 2**30
