"""The table's rows for the operations (one per entry of the registry, from its own examples),
the registry's public helpers, the checks (numeric, verify) and the expressions."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

import jacobians as J

from .spec import Arg, Entry, arg, exempt

# ----- the operations: one row each, read from the registry -----
# Which kinds are valid input for an operation's argument (an elementwise map takes any shape,
# so another shape is not a bad one), and which may give a finite result instead of an error.
ANY_SHAPE = {
    "function": {"z": "wrong_shape wrong_rows"},
    "activation": {"z": "wrong_shape wrong_rows"},
    "negate": {"u": "wrong_shape wrong_rows"},
    "transpose": {"X": "wrong_shape wrong_rows"},
    "vec": {"X": "wrong_shape wrong_rows"},
    "diag": {"v": "wrong_shape wrong_rows"},
    "kron": {"A": "wrong_shape wrong_rows", "B": "wrong_shape wrong_rows"},
    "matmul": {"A": "wrong_rows"},
    "sum": {"X": "wrong_shape wrong_rows"},
    "mean": {"X": "wrong_shape wrong_rows"},
    "logsumexp": {"X": "wrong_shape wrong_rows"},
    "norm1": {"X": "wrong_shape wrong_rows"},
    "norm2": {"X": "wrong_shape wrong_rows"},
    # a longer sequence (conv1d), a wider image (conv2d: a 3-D x is one sample), more queries,
    # or values of another width (attention): each still a valid input
    "conv1d": {"x": "wrong_shape"},
    "conv2d": {"x": "wrong_shape 3d"},
    "attention": {"Q": "wrong_shape", "V": "wrong_rows"},
    # more samples in a batch; a wider or longer table (the ids still within its vocabulary)
    "batchnorm": {"x": "wrong_shape"},
    "embedding": {"E": "wrong_shape wrong_rows"},
}
TOLERANT = {"function": "3d", "activation": "3d", "negate": "3d", "vec": "3d"}
OPTIONS = {
    "alpha": arg("alpha", "real", skip="negative", tolerant="huge"),
    "axis": None,
    "stride": arg("stride", "count"),
    "padding": arg("padding", "count", skip="zero"),  # no padding is the default
    "causal": arg("causal", "flag"),
    "eps": arg("eps", "real", tolerant="huge"),  # a huge eps flattens the output: finite
    # None takes every token once; a repeated id is a repeated token
    "ids": arg("ids", "index", skip="none repeated"),
}
# The valid value of an option where its default is not one the bad kinds can be made from:
# embedding's ids over its example's vocabulary of 4 (E is 3×4), each token once.
OPTION_VALUES = {"ids": [0, 1, 2, 3]}


def _operation(name: str) -> Entry:
    op = J.OPERATIONS[name]
    kind = name if name in ANY_SHAPE else op.family

    def valid() -> dict[str, Any]:
        return dict(op.examples(np.random.default_rng(0), 3, 4, 2, False))

    unary = kind in ("function", "activation", "negate")  # a 0-d input is one entry
    args: list[Arg] = [
        arg(
            p.name,
            "array",
            skip=ANY_SHAPE.get(kind, {}).get(p.name, ""),
            tolerant=TOLERANT.get(kind, ""),
            also="scalar" if unary and len(op.params) == 1 else "",
        )
        for p in op.params
    ]
    extra = {}
    for option, default in op.options.items():
        if option == "axis":
            args.append(arg("axis", "axis"))
            extra["axis"] = default if default is not None else 1
        elif OPTIONS.get(option) is not None:
            args.append(OPTIONS[option])
            extra[option] = OPTION_VALUES.get(option, default)
        else:
            raise AssertionError(f"no role for option {option!r} of {name}: add it to OPTIONS")

    def valid_with_options() -> dict[str, Any]:
        return {**valid(), **extra}

    return Entry(lambda **a: op(**a), valid_with_options, tuple(args))


def operations() -> dict[str, Entry]:
    """A row for every operation in the registry (read when the table is built, so a new
    operation has one at once)."""
    return {f"jacobians.{name}": _operation(name) for name in J.OPERATIONS}


# ----- the registry's helpers -----
def _entry(name: str = "fuzz_act", **changes: Any) -> J.Elementwise:
    fields = {
        "name": name,
        "value": np.tanh,
        "derivative": lambda z, a: 1 - a * a,
        "formula": "a = f(z)",
        "derivative_form": "1 − f($z)²",
        "doc": "A test's activation.",
        **changes,
    }
    return J.Elementwise(**fields)


def _register(entry: Any) -> Any:
    """register_activation, leaving the registry as it was whatever happens."""
    before = set(J.OPERATIONS)
    try:
        return J.register_activation(entry)
    finally:
        for name in set(J.OPERATIONS) - before:
            J.unregister(name)


def _unregister(name: Any) -> Any:
    J.register_activation(_entry("fuzz_gone"))
    try:
        return J.unregister(name)
    finally:
        if "fuzz_gone" in J.OPERATIONS:
            J.unregister("fuzz_gone")


def _elementwise(**fields: Any) -> Any:
    return _register(J.Elementwise(**fields))


_ELEMENTWISE_ARGS = (
    arg("name", "text", skip="bad_option"),
    arg("value", "function"),
    arg("derivative", "function"),
    arg("formula", "text", skip="bad_option"),
    arg("derivative_form", "text", skip="bad_option"),
    arg("doc", "text", skip="bad_option"),
)

REGISTRY: dict[str, Entry] = {
    **{f"jacobians.{n}": exempt("a record of the registry") for n in ("Context", "Param", "Rule")},
    "jacobians.Operation": exempt("a record of the registry: made by operation(), never by hand"),
    "jacobians.Result": exempt("a record: what calling an operation returns"),
    "jacobians.catalog": Entry(lambda: list(J.catalog()), why="takes no arguments"),
    "jacobians.register_activation": Entry(
        _register, lambda: {"entry": _entry()}, (arg("entry", "function", skip=""),)
    ),
    "jacobians.unregister": Entry(
        _unregister, lambda: {"name": "fuzz_gone"}, (arg("name", "choice"),)
    ),
    "jacobians.Elementwise": Entry(
        _elementwise,
        lambda: {
            k: getattr(_entry(), k)
            for k in ("name", "value", "derivative", "formula", "derivative_form", "doc")
        },
        _ELEMENTWISE_ARGS,
    ),
    "jacobians.Domain": Entry(
        J.Domain,
        lambda: {"bad": lambda z: z <= 0, "expected": "z > 0", "hint": ""},
        (
            arg("bad", "function"),
            arg("expected", "text", skip="bad_option"),
            arg("hint", "text", skip="bad_option"),
        ),
    ),
    "jacobians.Form": Entry(
        J.Form,
        lambda: {"text": "($a − $y)ᵀ", "latex": None},
        (arg("text", "text", skip="bad_option"), arg("latex", "text", skip="bad_option none")),
    ),
}


# ----- the checks -----
_FILE = Path(tempfile.mkdtemp(prefix="fuzz_")) / "claim.py"
_FILE.write_text(
    "import numpy as np\n\ndef f(v):\n    return v**2\n\nx = np.array([1.0, 2.0])\n"
    "claimed = np.diag([2.0, 4.0])\n",
    encoding="utf-8",
)


def _square(v: Any) -> Any:
    return v**2


CHECKING: dict[str, Entry] = {
    "jacobians.numeric": Entry(
        J.numeric,
        lambda: {
            "f": _square,
            "x": np.array([1.0, 2.0]),
            "method": "central",
            "step": 1e-5,
            "progress": None,
        },
        (
            arg("f", "function"),
            arg("x", "array", skip="3d wrong_shape wrong_rows"),
            arg("method", "choice"),
            arg("step", "real", skip="none"),
            arg("progress", "flag", skip="none"),  # None: on a terminal, when it is long
        ),
    ),
    "jacobians.verify": Entry(
        lambda f, x, claimed, **o: J.verify(f, x, claimed, **o),
        lambda: {
            "f": _square,
            "x": np.array([1.0, 2.0]),
            "claimed": np.diag([2.0, 4.0]),
            "layer": None,
            "form": None,
            "method": "auto",
            "rtol": 1e-6,
            "atol": None,
            "max_entries": 5,
            "mode": "auto",
            "progress": None,
        },
        (
            arg("f", "function"),
            arg("x", "array", skip="3d wrong_shape wrong_rows"),
            arg("claimed", "array", skip="3d wrong_shape wrong_rows"),
            arg("layer", "layer"),
            arg("form", "choice", skip="none"),
            arg("method", "choice"),
            arg("rtol", "real"),
            arg("atol", "real", skip="none"),
            arg("max_entries", "count", skip="zero"),  # 0: list no entries
            arg("mode", "choice"),
            arg("progress", "flag", skip="none"),  # None: on a terminal, when it is long
        ),
    ),
    "jacobians.verify[fast]": Entry(
        lambda f, x, claimed, **o: J.verify(f, x, claimed, mode="fast", **o),
        lambda: {
            "f": _square,
            "x": np.array([1.0, 2.0]),
            "claimed": np.diag([2.0, 4.0]),
            "layer": None,
            "form": None,
            "method": "auto",
            "rtol": 1e-6,
            "atol": None,
        },
        (
            arg("f", "function"),
            arg("x", "array", skip="3d wrong_shape wrong_rows"),
            arg("claimed", "array", skip="3d wrong_shape wrong_rows"),
            arg("layer", "layer"),
            arg("form", "choice", skip="none"),
            arg("method", "choice"),
            arg("rtol", "real"),
            arg("atol", "real", skip="none"),
        ),
    ),
    "jacobians.verify[expression]": Entry(
        lambda f, claimed, **o: J.verify(f, None, claimed, **o),
        lambda: {
            "f": "x'*A*x",
            "claimed": "A'*x + A*x",
            "wrt": "x",
            "shapes": ["A=3x3"],
            "draws": 2,
            "seed": 0,
        },
        (
            arg("f", "text"),
            arg("claimed", "text"),
            arg("wrt", "choice"),
            arg("shapes", "shapes"),
            arg("draws", "count"),
            arg("seed", "seed"),
        ),
    ),
    "jacobians.verify_file": Entry(
        J.verify_file, lambda: {"path": str(_FILE)}, (arg("path", "path"),), slow=True
    ),
    "jacobians.Layer": Entry(
        J.Layer,
        lambda: {"activation": "sigmoid", "pre": lambda W: W, "post": None},
        (
            arg("activation", "choice"),
            arg("pre", "function"),
            arg("post", "function", skip="none"),
        ),
    ),
    "jacobians.NumericJacobian": exempt("a record: what numeric() returns"),
    "jacobians.Report": exempt("a record: what verify() returns"),
    "jacobians.Diagnosis": exempt("a record: part of a Report"),
}


# ----- expressions -----
def _values() -> dict[str, np.ndarray]:
    return {"A": np.eye(3) + 0.1, "x": np.arange(3.0)}


_E = J.parse("x'*A*x", ["A=3x3"])

EXPRESSIONS: dict[str, Entry] = {
    "jacobians.parse": Entry(
        J.parse,
        lambda: {"text": "x'*A*x", "shapes": ["A=3x3"]},
        (arg("text", "text"), arg("shapes", "shapes")),
    ),
    "jacobians.Variable": Entry(
        J.Variable,
        lambda: {"name": "A", "shape": (3, 4)},
        (arg("name", "text"), arg("shape", "varshape")),
    ),
    "jacobians.Expression": exempt("made by parse and Variable, and by operations on them"),
    "jacobians.ParseError": exempt("an error type: raised, not called"),
    "Expression.evaluate": Entry(
        lambda values: _E.evaluate(values),
        lambda: {"values": _values()},
        (arg("values", "values"),),
    ),
    "Expression.jacobian": Entry(
        lambda **a: _E.jacobian(**a),
        lambda: {"wrt": "x", "values": _values(), "order": "C", "method": "cheapest"},
        (
            arg("wrt", "choice"),
            arg("values", "values"),
            arg("order", "choice"),
            arg("method", "choice"),
        ),
    ),
    "Expression.gradient": Entry(
        lambda **a: _E.gradient(**a),
        lambda: {"wrt": "x", "values": _values()},
        (arg("wrt", "choice"), arg("values", "values")),
    ),
    "Expression.gradient_expression": Entry(
        lambda wrt: _E.gradient_expression(wrt), lambda: {"wrt": "x"}, (arg("wrt", "choice"),)
    ),
    "Expression.costs": Entry(
        lambda **a: _E.costs(**a),
        lambda: {"wrt": "x", "values": _values()},
        (arg("wrt", "choice"), arg("values", "values")),
    ),
}
