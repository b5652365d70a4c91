"""The compiled gradient (jacobians.expressions._compiled): the closed form evaluated in one
straight line, with the checked path's refusals kept."""

import inspect

import numpy as np
import pytest

from jacobians import OPERATIONS, InputError, parse
from jacobians._functions import TABLE
from jacobians.expressions import _accumulate
from jacobians.expressions._compiled import GUARDED, Compiled

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


def test_a_point_where_simplifying_removed_the_refusal_is_still_refused():
    """2‖r‖·r/‖r‖ simplifies to 2r, finite at r = 0, where norm2 has no derivative: the compiled
    gradient refuses it as the checked path does, with the checked path's message."""
    e = parse("norm2(A*x - y)^2", ["A=3x2"])
    A, x = np.ones((3, 2)), np.ones(2)
    e.gradient("x", {"A": A, "x": x, "y": np.zeros(3)})
    assert type(_kept(e)) is Compiled
    with pytest.raises(InputError, match="the norm has none at 0") as kept:
        e.gradient("x", {"A": A, "x": x, "y": np.full(3, 2.0)})
    with pytest.raises(InputError) as fresh:
        parse("norm2(A*x - y)^2", ["A=3x2"]).gradient("x", {"A": A, "x": x, "y": np.full(3, 2.0)})
    assert str(kept.value) == str(fresh.value)


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
