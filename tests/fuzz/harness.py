"""One fuzz case run and judged: the valid call with one argument replaced by a bad kind.

The call must raise ``reshape.InputError`` (or a subclass, or ``DenseLimitError``) whose message
names the argument; a tolerant kind (a huge but finite value, say) may instead return a result
whose numbers are all finite. Anything else is a failure, named by :class:`Outcome`: Python's or
numpy's own exception, a warning (warnings are errors here), a bad input accepted, a NaN or
infinity returned, or a call that did not end within its time.
"""

from __future__ import annotations

import cmath
import dataclasses
import re
import signal
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple

import numpy as np

from jacobians import DenseLimitError, InputError, Jacobian, Result

from .roles import KINDS, TOLERANT_EVERYWHERE, VARIANTS
from .spec import Entry

TIME_LIMIT = 20  # seconds: a call past it is reported as a hang, not waited for
GOOD = ("clear", "finite")
LIMIT = "<the dense limit>"  # accepted: the limit's error for a size it refuses


class Outcome(NamedTuple):
    status: str  # clear, finite | unnamed, accepted, nonfinite, warning, hang, raised:<Type>
    detail: str

    @property
    def good(self) -> bool:
        return self.status in GOOD


class Hang(BaseException):
    """Raised by the alarm: a call ran past TIME_LIMIT."""


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: Any) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def nonfinite(x: Any, depth: int = 0) -> str:
    """Where a result holds NaN or infinity ('' if nowhere): arrays, numbers, Jacobians (their
    own arrays, never made dense), an operation's result and its Jacobians, containers."""
    if depth > 5:
        return ""
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "fc" and not np.isfinite(x).all():
            return f"an array of shape {x.shape}"
        return ""
    if isinstance(x, (float, complex, np.floating, np.complexfloating)):
        return "" if cmath.isfinite(x) else repr(x)
    if isinstance(x, Result):
        parts = {"value": x.value, **{f"∂/∂{k}": x.jacobians[k] for k in x.jacobians}}
        return nonfinite(parts, depth + 1)
    if isinstance(x, Jacobian):
        return nonfinite({k: v for k, v in vars(x).items() if isinstance(v, np.ndarray)}, depth + 1)
    if isinstance(x, Mapping):
        for k, v in x.items():
            where = nonfinite(v, depth + 1)
            if where:
                return f"{k}: {where}"
        return ""
    if isinstance(x, (list, tuple)):
        for i, v in enumerate(x):
            where = nonfinite(v, depth + 1)
            if where:
                return f"[{i}]: {where}"
        return ""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return nonfinite({f.name: getattr(x, f.name) for f in dataclasses.fields(x)}, depth + 1)
    return ""


def names(error: BaseException, accepted: tuple[str, ...]) -> bool:
    """Whether the error names one of the ``accepted`` arguments: as the argument it reports
    (``InputError.arg``, where ``sizes[1]`` names ``sizes``), quoted in its message, or for the
    limit's error (which has no argument field) anywhere in its message."""
    text = str(error)
    if isinstance(error, DenseLimitError) and LIMIT in accepted:
        return True  # it names the sizes of what it would build, and how to raise the limit
    for name in accepted:
        word = rf"(?<!\w){re.escape(name)}(?!\w)"
        if isinstance(error, InputError) and re.search(word, error.arg):
            return True
        if f"'{name}'" in text or (isinstance(error, DenseLimitError) and re.search(word, text)):
            return True
    return False


def judge(call: Any, accepted: tuple[str, ...], tolerant: bool) -> Outcome:
    """Run ``call()`` with warnings as errors and a deadline, and judge what came of it: the
    error must name one of the ``accepted`` arguments."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with _deadline(TIME_LIMIT):
                result = call()
                where = nonfinite(result) if tolerant else ""  # may build Jacobians: timed too
    except (InputError, DenseLimitError) as e:
        if names(e, accepted):
            return Outcome("clear", str(e).splitlines()[0])
        return Outcome("unnamed", f"{type(e).__name__}: {str(e)[:300]}")
    except Hang:
        return Outcome("hang", f"ran past {TIME_LIMIT} s")
    except Warning as w:
        return Outcome("warning", f"{type(w).__name__}: {w}")
    except Exception as e:  # any other exception is the finding
        return Outcome(f"raised:{type(e).__name__}", str(e)[:300])
    if not tolerant:
        return Outcome("accepted", f"returned {type(result).__name__}")
    if where:
        return Outcome("nonfinite", where)
    return Outcome("finite", "")


# Kinds that are bad only beside the other arguments (a shape that does not meet another's, a
# value whose product with another overflows, a size the limit refuses with what it would
# build): the error may name any argument of the call, as it names the one it checks against.
RELATIONAL = frozenset({"wrong_shape", "wrong_rows", "3d", "huge", "huge_size", "mismatch"})


def run(entry: Entry, arg_name: str, kind: str, rng: np.random.Generator | None = None) -> Outcome:
    """The valid call of ``entry`` with ``arg_name`` made of ``kind``."""
    spec = next(a for a in entry.args if a.name == arg_name)
    args = entry.valid()
    args[arg_name] = KINDS[spec.role][kind](args.get(arg_name), rng)
    tolerant = kind in spec.tolerant or kind in TOLERANT_EVERYWHERE
    accepted = spec.names
    if kind in RELATIONAL:
        accepted += tuple(a.name for a in entry.args) + tuple(args) + (LIMIT,)
    return judge(lambda: entry.call(**args), accepted, tolerant)


def run_valid(entry: Entry, arg_name: str | None = None, variant: str | None = None) -> Outcome:
    """The valid call, or with ``arg_name`` given in another valid form (``variant``: a list
    for an array, a numpy integer for a size): it must return finite numbers, with no warning."""
    args = entry.valid()
    if arg_name is not None:
        spec = next(a for a in entry.args if a.name == arg_name)
        args[arg_name] = VARIANTS[spec.role][variant](args.get(arg_name))  # type: ignore[index]
    return judge(lambda: entry.call(**args), (), tolerant=True)
