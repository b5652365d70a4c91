"""The replayed gradient (jacobians.expressions._fast and its compiled closed form, _compiled):
the checked path's numbers to float64 rounding, and the checked path's errors, at values of
shapes met before."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jacobians import OPERATIONS, InputError, parse
from jacobians.expressions import _accumulate
from jacobians.expressions._fast import _KEPT

from .test_accumulate import build, seeds, sizes, steps
from .test_build import _values
from .test_symbolic import SCALAR


def _same(got, expected):
    """Equal to rounding: the compiled closed form groups the arithmetic its own way."""
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    scale = max(float(np.max(np.abs(expected), initial=0.0)), np.finfo(float).tiny)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12 * scale)


def _replayed(e, wrt, values, monkeypatch=pytest.MonkeyPatch):
    """The gradient with the checked path switched off: it must come from the program."""
    with monkeypatch.context() as m:
        m.setattr(_accumulate, "evaluate", lambda *a: pytest.fail("the checked path ran"))
        return e.gradient(wrt, values)


@pytest.mark.parametrize(("text", "shapes", "wrt"), SCALAR)
def test_a_replay_gives_the_checked_numbers(text, shapes, wrt, monkeypatch):
    e = parse(text, shapes)
    values = _values(e)
    first = e.gradient(wrt, values)  # checked, and the program kept
    again = _replayed(e, wrt, values, monkeypatch)
    _same(again, first)
    other = {k: v * 0.9 for k, v in values.items()}  # new numbers, same shapes: replayed too
    fresh = parse(text, shapes).gradient(wrt, other)
    _same(_replayed(e, wrt, other, monkeypatch), fresh)


@given(program=steps, final=st.sampled_from(["tr", "sum"]), n=sizes, seed=seeds)
def test_random_graphs_replay(program, final, n, seed):
    e = build(program, final, n)
    r = np.random.default_rng(seed)
    v = {"X": r.normal(size=(n, n)) / n, "A": r.normal(size=(n, n)) / n}
    first = e.gradient("X", v)
    assert e._programs  # kept for the next call
    w = {"X": r.normal(size=(n, n)) / n, "A": v["A"]}
    _same(_replayed(e, "X", w), build(program, final, n).gradient("X", w))
    _same(_replayed(e, "X", v), first)


def test_every_unchecked_gives_the_value_prepare_gives():
    """An operation's ``unchecked`` is its ``prepare`` without the checks: the same value, for
    arguments shaped as an expression gives them (vectors as columns)."""
    for op in OPERATIONS.values():
        if op.unchecked is None or op.family == "cost":
            continue
        for d in (1, 2):
            given = op.examples(np.random.default_rng(d), 3, 4, d, d > 1)
            c = op.prepare(**given, **op.options)
            shaped = [np.asarray(given[p.name]) for p in op.params]
            shaped = [a.reshape(-1, 1) if a.ndim == 1 else a for a in shaped]
            u = op.unchecked(*shaped, **op.options)
            np.testing.assert_array_equal(
                np.asarray(u.value).reshape(-1), np.asarray(c.value).reshape(-1), err_msg=op.name
            )


# (text, shapes, wrt, good values, values the checked path refuses)
REFUSED = [
    ("sum(log(x))", None, "x", {"x": np.ones(3)}, {"x": -np.ones(3)}),
    ("norm2(x)", None, "x", {"x": np.ones(3)}, {"x": np.zeros(3)}),  # no derivative at 0
    ("sum(sqrt(x))", None, "x", {"x": np.ones(3)}, {"x": np.zeros(3)}),  # infinite slope
    ("norm2(A*x - y)^2", ["A=3x2"], "x",
     {"A": np.ones((3, 2)), "x": np.ones(2), "y": np.ones(3)},
     {"A": np.full((3, 2), np.nan), "x": np.ones(2), "y": np.ones(3)}),  # proved by the product
    ("norm2(A*x - y)^2", ["A=3x2"], "x",
     {"A": np.ones((3, 2)), "x": np.ones(2), "y": np.ones(3)},
     {"A": np.ones((3, 2)), "x": np.ones(2), "y": np.array([1.0, np.inf, 1.0])}),
    ("x'*A*x", ["A=2x2"], "x", {"A": np.eye(2), "x": np.ones(2)},
     {"A": np.full((2, 2), 1e308), "x": np.full(2, 1e308)}),  # an overflow
    ("sum(x./y)", None, "x", {"x": np.ones(2), "y": np.ones(2)},
     {"x": np.ones(2), "y": np.array([1.0, 0.0])}),  # a zero divisor
    ("sum(x.^0.5)", None, "x", {"x": np.ones(2)}, {"x": np.array([-1.0, 1.0])}),
    ("sum(x) + sum(log(y))", None, "x", {"x": np.ones(2), "y": np.ones(2)},
     {"x": np.ones(2), "y": -np.ones(2)}),  # off the gradient's path, refused all the same
    ("sum(x)", None, "x", {"x": np.ones(2)}, {"x": np.ones(3)}),  # another shape: its own
]  # fmt: skip


@pytest.mark.parametrize(("text", "shapes", "wrt", "good", "bad"), REFUSED)
def test_a_program_refuses_what_the_checked_path_refuses(text, shapes, wrt, good, bad):
    e = parse(text, shapes)
    e.gradient(wrt, good)  # a program kept
    try:
        expected = parse(text, shapes).gradient(wrt, bad)
    except InputError as err:
        with pytest.raises(type(err)) as info:
            e.gradient(wrt, bad)
        assert str(info.value) == str(err)
    else:  # values of other shapes: a program of their own, the same numbers
        np.testing.assert_array_equal(e.gradient(wrt, bad), expected)


def test_values_of_other_kinds_take_the_checked_path():
    e = parse("sum(tanh(A*x))", ["A=2x3"])
    A, x = np.arange(6.0).reshape(2, 3) / 10, np.ones(3)
    g = e.gradient("x", {"A": A, "x": x})
    np.testing.assert_array_equal(e.gradient("x", {"A": A.tolist(), "x": [1, 1, 1]}), g)
    g32 = e.gradient("x", {"A": A.astype(np.float32), "x": x.astype(np.float32)})
    assert g32.dtype == np.float32  # a program of its own: the dtype is in its signature
    np.testing.assert_allclose(g32, g, rtol=1e-6)
    assert e.gradient("x", {"A": A, "x": x.reshape(3, 1)}).shape == (3, 1)  # shaped as given
    e = parse("sum(log(x))")
    e.gradient("x", {"x": np.ones(2, dtype=complex)})
    with pytest.raises(InputError, match="z > 0"):  # finite in complex numbers, refused still
        e.gradient("x", {"x": np.array([1.0, -1.0]) + 1e-20j})
    e = parse("sum(tanh(A*x))", ["A=2x3"])
    with pytest.raises(InputError, match="wrt"):
        e.gradient(["x"], {"A": A, "x": x})
    with pytest.raises(InputError, match="none for"):
        e.gradient("x", {"x": x})


def test_programs_are_kept_within_a_bound_and_share_nothing_with_the_caller():
    e = parse("sum(x.*x) + sum(vector(2).*x)")
    for n in range(1, _KEPT + 4):
        e.gradient("x", {"x": np.ones(n)})
    assert len(e._programs) == _KEPT
    g = e.gradient("x", {"x": np.ones(3)})
    g2 = e.gradient("x", {"x": np.ones(3)})
    g[:] = 0  # the caller may write into what it got
    np.testing.assert_array_equal(g2, np.full(3, 4.0))
    np.testing.assert_array_equal(e.gradient("x", {"x": np.ones(3)}), np.full(3, 4.0))


@pytest.mark.parametrize(
    ("text", "shapes", "wrt", "values", "expected"),
    [
        # a scalar where an operation's unchecked form takes a column or a 1×1 layer
        ("softmax(a)", [], "a", {"a": 0.3}, 0.0),
        ("softmax(a, 2)*b", [], "b", {"a": 0.3, "b": 2.0}, 1.0),
        (
            "sum(linear(W, a, y))",
            ["W=2x1", "y=2"],
            "W",
            {"W": [[1], [1]], "a": 3, "y": [1, 1]},
            [[3], [3]],
        ),
        (
            "sum(linear(W, a, y))",
            ["W=2x1", "y=2"],
            "a",
            {"W": [[1], [1]], "a": 3, "y": [1, 1]},
            2.0,
        ),
    ],
)
def test_scalar_arguments_take_the_kept_path_too(text, shapes, wrt, values, expected):
    e = parse(text, shapes)
    values = {k: np.asarray(v, dtype=float) for k, v in values.items()}
    for _ in range(3):  # checked, then kept (compiled or replayed)
        np.testing.assert_allclose(e.gradient(wrt, values), expected)


@pytest.mark.parametrize("text", ["mean(S)", "tr(-S)", "sum(S')"])
def test_a_constant_gradient_keeps_the_float32_it_came_in(text):
    e = parse(text, ["S=2x2"])
    values = {"S": np.ones((2, 2), np.float32)}
    assert [e.gradient("S", values).dtype for _ in range(3)] == [np.float32] * 3
