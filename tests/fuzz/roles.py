"""The bad kinds of the other roles an argument plays (text, functions, Jacobians, structures,
mappings of values, dtypes, lists of sizes or names, …), all roles in :data:`KINDS`, and the
other valid forms of a value (:data:`VARIANTS`) that must be accepted like the value itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import net
from jacobians import Dense, Identity, Structure

from .kinds import (
    ARRAY,
    BYTES,
    CHOICE,
    COUNT,
    FLAG,
    REAL,
    SEED,
    SHAPE,
    SIZE,
    Make,
    at,
    const,
    fraction,
    huge,
    huge_size,
    negative,
    three_d,
    wrong_shape,
)

TEXT: dict[str, Make] = {
    "none": const(None),
    "int": const(3),
    "object": lambda v, rng: object(),
    "str_list": const(["a", "b"]),
    "bad_option": const("x +* )"),
}

FUNCTION: dict[str, Make] = {
    "str": const("f"),
    "none": const(None),
    "int": const(3),
    "object": lambda v, rng: object(),
}

JACOBIAN: dict[str, Make] = {
    "str": const("J"),
    "none": const(None),
    "object": lambda v, rng: object(),
    "array": const(np.ones((2, 2))),
    "wrong_shape": lambda v, rng: Dense(np.ones((5, 7))),
}

STRUCTURE: dict[str, Make] = {
    "str": const("dense"),
    "none": const(None),
    "object": lambda v, rng: object(),
    "tuple": const(("dense", 3, 3)),
    "bad_option": const(Structure("nonsense", 3, 3)),
    "negative": const(Structure("dense", -3, 3)),
    "wrong_shape": const(Structure("dense", 7, 5)),
}

VALUES: dict[str, Make] = {
    "str": const("x=1"),
    "object": lambda v, rng: object(),
    "str_list": const(["a", "b"]),
    "nan": lambda v, rng: {k: at(a, np.nan, rng) for k, a in v.items()},
    "inf": lambda v, rng: {k: at(a, np.inf, rng) for k, a in v.items()},
    "str_array": lambda v, rng: {k: np.asarray(a).astype(str) for k, a in v.items()},
    "bool_array": lambda v, rng: {k: np.ones(np.shape(a), dtype=bool) for k, a in v.items()},
    "wrong_shape": lambda v, rng: {k: wrong_shape(a, rng) for k, a in v.items()},
    "huge": lambda v, rng: {k: huge(a, rng) for k, a in v.items()},
}

DTYPE: dict[str, Make] = {
    "str": const("nonsense"),
    "object": lambda v, rng: object(),
    "bool": const(bool),
    "object_dtype": const(object),
    "str_dtype": const(str),
}

FACTOR: dict[str, Make] = {  # a Kronecker factor: a matrix, or an int k for I_k (of any size)
    **{k: ARRAY[k] for k in ARRAY if k not in ("wrong_shape", "wrong_rows")},
    "negative": negative,
    "zero": const(0),
    "fraction": fraction,
}

INDEX: dict[str, Make] = {
    "str": const("012"),
    "none": const(None),
    "object": lambda v, rng: object(),
    "str_list": const(["a", "b"]),
    "bool_array": lambda v, rng: np.ones(len(v), dtype=bool),
    "float_array": lambda v, rng: np.arange(len(v), dtype=float),
    "negative": lambda v, rng: [-1, *range(len(v) - 1)],
    "repeated": lambda v, rng: [0, *range(len(v) - 1)],
    "empty": const([]),
    "3d": three_d,
}

PATH: dict[str, Make] = {
    "none": const(None),
    "int": const(3),
    "object": lambda v, rng: object(),
    "missing": const("/nonexistent/fuzz_missing.py"),
}

STREAM: dict[str, Make] = {"str": const("out"), "int": const(1), "object": lambda v, rng: object()}

LAYER: dict[str, Make] = {
    "str": const("sigmoid"),
    "int": const(3),
    "object": lambda v, rng: object(),
}

LAYERS: dict[str, Make] = {  # a network's layers: a list of layer objects, or a spec string
    "none": const(None),
    "int": const(3),
    "object": lambda v, rng: object(),
    "empty": const([]),
    "str_list": const(["a", "b"]),
    "bad_option": const("x +* )"),  # a spec that does not parse
    # layers that do not fit together: a convolution after a layer giving a vector
    "mismatch": lambda v, rng: [net.Dense(2), net.Conv1d(1, 1)],
}

MLP_ROLE: dict[str, Make] = {
    "str": const("net"),
    "none": const(None),
    "object": lambda v, rng: object(),
}

TERMS: dict[str, Make] = {
    "str": const("J"),
    "none": const(None),
    "object": lambda v, rng: object(),
    "jacobian": lambda v, rng: Identity((3,)),
    "str_list": const(["a"]),
    "empty": const([]),
    "mismatch": lambda v, rng: [Identity((3,)), Identity((4,))],
}

AXIS: dict[str, Make] = {
    "str": const("0"),
    "fraction": const(0.5),
    "bool": const(True),
    "object": lambda v, rng: object(),
    "huge_size": huge_size,
    "negative": lambda v, rng: -5,
}

SIZES: dict[str, Make] = {  # a list of layer widths
    "str": const("2,3,1"),
    "none": const(None),
    "object": lambda v, rng: object(),
    "bool": const(True),
    "str_list": const(["a", "b"]),
    "fraction": lambda v, rng: [v[0], fraction(v, rng), *v[2:]],
    "negative": lambda v, rng: [v[0], negative(v, rng), *v[2:]],
    "zero": lambda v, rng: [v[0], 0, *v[2:]],
    "huge_size": lambda v, rng: [v[0], huge_size(v, rng), *v[2:]],
    "nan": lambda v, rng: [v[0], float("nan"), *v[2:]],
    "short": lambda v, rng: list(v[:1]),
}

NAMES: dict[str, Make] = {  # a list of names (activations, methods)
    "str": lambda v, rng: v[0],
    "none": const(None),
    "object": lambda v, rng: object(),
    "int_list": lambda v, rng: [3] * len(v),
    "bad_option": lambda v, rng: ["nonsense", *v[1:]],
    "short": lambda v, rng: [*v, *v],
}

VARSHAPE: dict[str, Make] = {  # a variable's shape: ints, or names of open sizes
    "str": const(""),
    "object": lambda v, rng: object(),
    "bool": const(True),
    "fraction": lambda v, rng: (fraction(v, rng), 3),
    "negative": lambda v, rng: (negative(v, rng), 3),
    "zero": const((0, 3)),
    "3d": const((2, 2, 2)),
    "nan": const((float("nan"), 3)),
}

SHAPES: dict[str, Make] = {  # sizes for parse: ["A=3x4"] or {"A": (3, 4)}
    "int": const(3),
    "object": lambda v, rng: object(),
    "bool": const(True),
    "bad_option": const(["A=3xq"]),
    "negative": const({"A": (-3, 3)}),
    "zero": const(["A=0x3"]),
    "fraction": const({"A": (2.5, 3)}),
    "huge_size": const({"A": (10**12, 10**12)}),
    "str_list": const(["a", "b"]),
}

KINDS: dict[str, dict[str, Make]] = {
    "terms": TERMS,
    "axis": AXIS,
    "sizes": SIZES,
    "names": NAMES,
    "varshape": VARSHAPE,
    "shapes": SHAPES,
    "array": ARRAY,
    "size": SIZE,
    "count": COUNT,
    "shape": SHAPE,
    "choice": CHOICE,
    "real": REAL,
    "bytes": BYTES,
    "flag": FLAG,
    "seed": SEED,
    "text": TEXT,
    "function": FUNCTION,
    "jacobian": JACOBIAN,
    "structure": STRUCTURE,
    "values": VALUES,
    "dtype": DTYPE,
    "factor": FACTOR,
    "index": INDEX,
    "path": PATH,
    "stream": STREAM,
    "layer": LAYER,
    "layers": LAYERS,
    "mlp": MLP_ROLE,
}

# Kinds whose value is finite and well-formed: a callable may refuse them or return a finite
# result (1e308 is a number; a 3-D array is an array to an elementwise map).
TOLERANT_EVERYWHERE = frozenset({"huge"})


# ----- other valid forms of a valid value: each must be accepted like the value itself -----
def _numpy_int(v: Any) -> Any:
    return np.int64(v) if isinstance(v, int) else v


VARIANTS: dict[str, dict[str, Callable[[Any], Any]]] = {
    "array": {"list": lambda v: np.asarray(v).tolist()},
    "size": {"numpy_int": _numpy_int},
    "count": {"numpy_int": _numpy_int},
    "seed": {"numpy_int": _numpy_int},
    "shape": {
        "list": lambda v: v if v is None else list(v),
        "numpy_ints": lambda v: v if v is None else tuple(np.int64(s) for s in v),
    },
    "real": {
        "numpy_float": lambda v: v if v is None else np.float32(v),
        "zero_d": lambda v: v if v is None else np.array(v),
    },
    "bytes": {"numpy_int": _numpy_int, "whole_float": lambda v: float(v)},
    "flag": {"numpy_bool": lambda v: np.bool_(v)},
}
# opt-in variants (Arg.also), valid only where the argument says so: a 0-d input
VARIANTS["array"]["scalar"] = lambda v: np.float64(np.asarray(v).reshape(-1)[0])
OPT_IN = frozenset({"scalar"})
