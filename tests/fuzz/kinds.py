"""The bad kinds of the values an argument takes as arrays, numbers and sizes: each turns the
valid value of an argument into a bad one, ``ARRAY[kind](valid, rng)``.

With ``rng`` None a kind gives its canonical value (the parametrized sweep); with a numpy
generator (drawn by hypothesis) it varies what it can: where a NaN sits, how huge, which shape.
The kinds of other roles (text, functions, Jacobians, …) are in :mod:`tests.fuzz.roles`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Make = Callable[[Any, np.random.Generator | None], Any]


def arr(v: Any) -> np.ndarray:
    return np.array(v, dtype=np.float64, copy=True)


def at(v: Any, value: float, rng: np.random.Generator | None) -> np.ndarray:
    """A float copy of v with ``value`` at one entry (the first, or one rng picks)."""
    a = arr(v)
    flat = a.reshape(-1)
    flat[0 if rng is None else rng.integers(flat.size)] = value
    return a


def huge(v: Any, rng: np.random.Generator | None) -> np.ndarray:
    a = arr(v)
    if rng is None:
        return np.full(a.shape, 1e308)
    return rng.choice([-1.0, 1.0], a.shape) * 10.0 ** rng.uniform(300, 308.2, a.shape)


def wrong_shape(v: Any, rng: np.random.Generator | None) -> np.ndarray:
    """The last axis longer (so a square matrix is no longer square), random entries."""
    shape = np.shape(v) or (1,)
    longer = 1 if rng is None else int(rng.integers(1, 4))
    new = (*shape[:-1], shape[-1] + longer)
    return np.ones(new) if rng is None else rng.normal(size=new)


def wrong_rows(v: Any, rng: np.random.Generator | None) -> np.ndarray:
    """The first axis longer (the number of rows, or a vector's length)."""
    shape = np.shape(v) or (1,)
    new = (shape[0] + (1 if rng is None else int(rng.integers(1, 4))), *shape[1:])
    return np.ones(new) if rng is None else rng.normal(size=new)


def three_d(v: Any, rng: np.random.Generator | None) -> np.ndarray:
    # never one entry: a 3-D array of one entry is a scalar to the operations that take one
    shape = (2, 2, 2) if rng is None else tuple(rng.integers(2, 4, size=rng.integers(3, 5)))
    return np.ones(shape)


def empty(v: Any, rng: np.random.Generator | None) -> np.ndarray:
    ndim = max(np.ndim(v), 1)
    return np.empty((0,) + (np.shape(v)[1:] if ndim > 1 else ()))


def const(value: Any) -> Make:
    return lambda v, rng: value


ARRAY: dict[str, Make] = {
    "str": const("x"),
    "none": const(None),
    "object": lambda v, rng: object(),
    "str_list": const(["a", "b"]),
    "bool": const(True),
    "object_array": lambda v, rng: np.asarray(v).astype(object),
    "str_array": lambda v, rng: np.asarray(v).astype(str),
    "bool_array": lambda v, rng: np.ones(np.shape(v), dtype=bool),
    "nan": lambda v, rng: at(v, np.nan, rng),
    "inf": lambda v, rng: at(v, np.inf if rng is None else rng.choice([np.inf, -np.inf]), rng),
    "empty": empty,
    "3d": three_d,
    "wrong_shape": wrong_shape,
    "wrong_rows": wrong_rows,
    "huge": huge,
}


def fraction(v: Any, rng: np.random.Generator | None) -> float:
    return 2.5 if rng is None else float(rng.integers(1, 50)) + rng.uniform(0.01, 0.99)


def negative(v: Any, rng: np.random.Generator | None) -> int:
    return -2 if rng is None else -int(rng.integers(1, 10**6))


def huge_size(v: Any, rng: np.random.Generator | None) -> int:
    return 10**12 if rng is None else 10 ** int(rng.integers(11, 40))


SIZE: dict[str, Make] = {
    "str": lambda v, rng: str(v),
    "none": const(None),
    "object": lambda v, rng: object(),
    "bool": const(True),
    "fraction": fraction,
    "negative": negative,
    "zero": const(0),
    "huge_size": huge_size,
    "inf": const(float("inf")),
    "nan": const(float("nan")),
}
COUNT = {k: f for k, f in SIZE.items() if k != "huge_size"}  # a count of steps, not memory


def with_first(v: Any, value: Any) -> tuple:
    return (value, *tuple(v)[1:]) if len(tuple(v)) else (value,)


SHAPE: dict[str, Make] = {
    "str": const("ab"),
    "none": const(None),
    "object": lambda v, rng: object(),
    "str_list": const(["a", "b"]),
    "bool": const(True),
    "fraction": lambda v, rng: with_first(v, fraction(v, rng)),
    "negative": lambda v, rng: with_first(v, negative(v, rng)),
    "zero": lambda v, rng: with_first(v, 0),
    "huge_size": lambda v, rng: with_first(v, huge_size(v, rng)),
    "nan": lambda v, rng: with_first(v, float("nan")),
    "wrong_shape": lambda v, rng: with_first(v, next(iter(v)) + 1 if len(tuple(v)) else 2),
}

CHOICE: dict[str, Make] = {
    "none": const(None),
    "object": lambda v, rng: object(),
    "bool": const(True),
    "int": const(3),
    "str_list": const(["a"]),
    "bad_option": const("nonsense"),
}

REAL: dict[str, Make] = {
    "str": const("0.5"),
    "none": const(None),
    "object": lambda v, rng: object(),
    "bool": const(True),
    "str_list": const(["a"]),
    "nan": const(float("nan")),
    "inf": lambda v, rng: float("inf") if rng is None else float(rng.choice([np.inf, -np.inf])),
    "negative": lambda v, rng: -1.0 if rng is None else -float(rng.uniform(1e-6, 1e6)),
    "huge": lambda v, rng: 1e308 if rng is None else float(10.0 ** rng.uniform(300, 308.2)),
}

BYTES: dict[str, Make] = {
    "str": const("4e9"),
    "object": lambda v, rng: object(),
    "bool": const(True),
    "str_list": const(["a"]),
    "nan": const(float("nan")),
    "inf": const(float("inf")),
    "fraction": lambda v, rng: 0.5 if rng is None else float(rng.integers(0, 10**9)) + 0.5,
    "negative": negative,
    "zero": const(0),
}

FLAG: dict[str, Make] = {
    "str": const("yes"),
    "int": const(2),
    "object": lambda v, rng: object(),
    "none": const(None),
}

SEED: dict[str, Make] = {
    "str": const("0"),
    "fraction": fraction,
    "negative": negative,
    "bool": const(True),
    "object": lambda v, rng: object(),
}
