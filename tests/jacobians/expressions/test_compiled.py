"""The compiled gradient (jacobians.expressions._compiled): the closed form evaluated in one
straight line, with the checked path's refusals kept."""

import inspect

import numpy as np
import pytest

from jacobians import OPERATIONS, DenseLimitError, InputError, parse, set_dense_limit
from jacobians._functions import TABLE
from jacobians.expressions import _accumulate
from jacobians.expressions._compiled import Compiled
from jacobians.expressions._compiled_parts import GUARDED

from .test_build import _values
from .test_symbolic import SCALAR

LOSSES = [
    ("norm2(A*x - y)^2", "A", "x", lambda A, x, y: 2 * (A.T @ (A @ x - y))),
    (
        "sum(log(exp(-y.*(X*w)) + vector(1)))",
        "X",
        "w",
        lambda X, w, y: -(X.T @ (y / (1 + np.exp(y * (X @ w))))),
    ),
]


def _kept(e):
    (p,) = e._programs.values()
    return p


@pytest.mark.parametrize(("text", "M", "v", "by_hand"), LOSSES)
def test_the_benchmark_losses_compile_to_what_a_person_writes(text, M, v, by_hand, monkeypatch):
    r = np.random.default_rng(0)
    A, x, y = r.normal(size=(40, 6)), r.normal(size=6), np.sign(r.normal(size=40))
    e = parse(text, [f"{M}=40x6"])
    values = {M: A, v: x, "y": y}
    e.gradient(v, values)
    c = _kept(e)
    assert type(c) is Compiled
    # no step makes an array of the matrix's size but its transpose, a view: the scalar 2 of
    # 2*A'*(A*x - y) multiplies the product, not A; the adjoints' repeats are computed once
    big = [s for s in c.steps if np.prod(s[4]) == A.size and s[1] is not np.transpose]
    assert big == []
    assert len(c.steps) <= (7 if M == "A" else 12)
    with monkeypatch.context() as m:
        m.setattr(_accumulate, "evaluate", lambda *a: pytest.fail("the checked path ran"))
        got = e.gradient(v, {M: A * 1.1, v: x, "y": y})
    np.testing.assert_allclose(got, by_hand(A * 1.1, x, y), rtol=1e-12)


def test_an_exact_fit_has_the_gradient_zero_kept_or_fresh():
    """‖Ax − y‖² at r = Ax − y = 0: norm2 has no derivative there, but the square takes it with
    slope 2‖r‖ = 0, so the gradient exists, 0 (2r). The compiled 2Aᵀ(Ax − y) would hide norm2's
    point, so it hands it to the checked path, which gives the same zero as a fresh call."""
    e = parse("norm2(A*x - y)^2", ["A=3x2"])
    A, x = np.ones((3, 2)), np.ones(2)
    e.gradient("x", {"A": A, "x": x, "y": np.zeros(3)})
    assert type(_kept(e)) is Compiled
    fit = {"A": A, "x": x, "y": np.full(3, 2.0)}
    np.testing.assert_array_equal(e.gradient("x", fit), np.zeros(2))
    np.testing.assert_array_equal(parse("norm2(A*x - y)^2", ["A=3x2"]).gradient("x", fit), 0)
    np.testing.assert_array_equal(e.jacobian("x", fit, method="forward").matrix, np.zeros((1, 2)))


@pytest.mark.parametrize(
    ("text", "gradient"),
    [
        ("cos(norm2(x))", 0.0),  # slope −sin 0 = 0
        ("a*norm2(x)", 0.0),  # slope a = 0
        ("norm2(x)^2 + sum(x)", 1.0),  # the other path's sum
        ("norm2(x)", None),  # the norm itself: no derivative
        ("norm2(x)*(a + 1)", None),  # slope 1
        ("sqrt(norm2(x))", None),  # sqrt has none at 0 either (and is not Lipschitz there)
    ],
)
def test_a_norm_at_zero_is_differentiable_through_a_use_of_slope_zero_only(text, gradient):
    e, v = parse(text, ["x=3"]), {"x": np.zeros(3), "a": 0.0}
    for method in ("reverse", "forward", "cheapest"):
        if gradient is None:
            with pytest.raises(InputError, match=r"norm2|sqrt"):
                e.jacobian("x", v, method=method)
        else:
            np.testing.assert_array_equal(e.jacobian("x", v, method=method).matrix, gradient)
    if gradient is None:
        with pytest.raises(InputError, match=r"norm2|sqrt"):
            e.gradient("x", v)
    else:
        np.testing.assert_array_equal(e.gradient("x", v), np.full(3, gradient))


def test_every_builder_that_may_refuse_is_guarded():
    """An operation whose rule builder refuses points of a finite value (a derivative's domain)
    must have that builder run by the compiled gradient, or simplifying could hide the point."""
    refusing = {entry.name for entry in TABLE if entry.derivative_domain is not None}
    for name, op in OPERATIONS.items():
        if op.syntax is None or name in {entry.name for entry in TABLE}:
            continue
        for rule in op.rules.values():
            source = inspect.getsource(rule.build)
            if "raise " in source or "domain(" in source:
                refusing.add(name)
    assert refusing == GUARDED, sorted(refusing ^ GUARDED)


def test_an_expression_without_a_closed_form_keeps_the_replayed_steps():
    e = parse("sum(X)", ["X=2x2"])  # the gradient is a constant: no line to compile
    e.gradient("X", {"X": np.ones((2, 2))})
    assert type(_kept(e)) is not Compiled
    np.testing.assert_array_equal(e.gradient("X", {"X": np.zeros((2, 2))}), np.ones((2, 2)))


@pytest.mark.parametrize(("text", "shapes", "wrt"), SCALAR)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_a_nan_or_infinity_in_any_variable_is_refused_as_the_checked_path_refuses(
    text, shapes, wrt, bad
):
    """Nodes whose every use passes a NaN on are not tested themselves (PASSES_ON): whatever
    variable holds it, the kept program still refuses the point with the checked message."""
    e = parse(text, shapes)
    values = _values(e)
    e.gradient(wrt, values)  # the program kept
    for name in values:
        spoiled = {**values, name: np.array(values[name], dtype=float)}
        spoiled[name].reshape(-1)[0] = bad
        with pytest.raises(InputError) as fresh:
            parse(text, shapes).gradient(wrt, spoiled)
        with pytest.raises(InputError) as kept:
            e.gradient(wrt, spoiled)
        assert str(kept.value) == str(fresh.value)


# (text, shapes, wrt, the first call's values, values where the closed form would lose digits)
UNSTABLE = [
    # x − logsumexp(x) cancels at large x: a vector's gradient is its softmax
    ("logsumexp(x)", ["x=2"], "x", {"x": [1.0, 2.0]}, {"x": [1e16, 1e16]}),
    ("logsumexp(X)", ["X=2x2"], "X", {"X": np.eye(2)}, {"X": np.full((2, 2), 1e16)}),
    # −u/v² where v² overflows (x/∞ = 0 drops a path) or is subnormal (digits lost)
    ("sum((x./x).*x)", ["x=2"], "x", {"x": [1.0, 2.0]}, {"x": [1e200, 2.0]}),
    ("sum(x./x)", ["x=2"], "x", {"x": [1.0, 2.0]}, {"x": [1e-160, 2.0]}),
    (
        "sum(x./y)",
        ["x=2"],
        "y",
        {"x": [1.0, 1.0], "y": [1.0, 1.0]},
        {"x": [1e-300, 1], "y": [1e-160, 1]},
    ),
    # a norm whose squares are subnormal: the builder scales them
    ("norm2(x)", ["x=2"], "x", {"x": [1.0, 2.0]}, {"x": [1e-161, 2e-161]}),
]


@pytest.mark.parametrize(("text", "shapes", "wrt", "first", "then"), UNSTABLE)
def test_where_the_closed_form_would_lose_digits_the_checked_path_runs(
    text, shapes, wrt, first, then
):
    e = parse(text, shapes)
    e.gradient(wrt, {k: np.asarray(v, float) for k, v in first.items()})
    then = {k: np.asarray(v, float) for k, v in then.items()}
    fresh = parse(text, shapes).gradient(wrt, then)
    np.testing.assert_allclose(e.gradient(wrt, then), fresh, rtol=1e-14)


def test_log_near_its_pole_is_refused_kept_or_fresh():
    e = parse("log(a*b)")
    e.gradient("a", {"a": np.array(1.0), "b": np.array(2.0)})
    for g in (e, parse("log(a*b)")):  # log′ = 1/(ab) overflows at a subnormal ab
        with pytest.raises(InputError, match="log"):
            g.gradient("a", {"a": np.array(2.0), "b": np.array(5e-324)})


def test_a_kept_gradient_is_an_array_of_its_own():
    e = parse("x'*vec(A)", ["A=2x3", "x=6"])
    A, x = np.arange(6.0).reshape(2, 3), np.ones(6)
    for _ in range(2):  # checked, then kept: the gradient is A's entries, never A itself
        g = e.gradient("x", {"A": A, "x": x})
        assert not np.shares_memory(g, A) and g.flags.writeable
    assert parse("sum(x')", ["x=3"]).gradient("x", {"x": np.ones(3)}).flags.writeable
    e = parse("sum(x')", ["x=3"])
    e.gradient("x", {"x": np.ones(3)})
    assert e.gradient("x", {"x": np.ones(3)}).flags.writeable  # not the kept constant's view


def test_kept_constants_meet_a_lowered_memory_limit():
    n = 50
    values = {"A": np.ones((n, n)), "x": np.ones(n)}
    e = parse("x'*(A+eye)*x", [f"A={n}x{n}"])
    e.gradient("x", values)
    previous = set_dense_limit(1000)
    try:
        with pytest.raises(DenseLimitError, match="eye"):
            e.gradient("x", values)
    finally:
        set_dense_limit(previous)
