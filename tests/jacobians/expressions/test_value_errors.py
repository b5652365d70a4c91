"""An operation's refusal while an expression is evaluated is reported against the call's values:
the variables under the operand it named, the node, and the operation's own message as detail."""

from __future__ import annotations

import numpy as np
import pytest

from jacobians import InputError, parse


def test_an_overflow_in_a_product_names_the_values_and_the_node():
    e = parse("x'*A*x", ["A=2x2"])
    values = {"A": np.full((2, 2), 1e308), "x": np.full(2, 1e308)}
    for call in (e.evaluate, lambda v: e.gradient("x", v), lambda v: e.jacobian("x", v)):
        with pytest.raises(InputError) as info:
            call(values)
        err = info.value
        assert err.arg == "values['x']"  # matmul's A is x' here
        assert "at x'*A, for matmul's argument 'A' = x'" in err.expected
        assert err.got.startswith("from values['x'], values['A']: a product that overflows")


def test_a_point_outside_a_domain_names_the_value_and_keeps_the_hint():
    with pytest.raises(InputError) as info:
        parse("sum(log(x))").evaluate({"x": -np.ones(3)})
    err = info.value
    assert str(err).startswith("Expression.evaluate: bad argument \"values['x']\".")
    assert "log's argument 'z' = x: z > 0" in err.expected
    assert err.hint == "log is real only for positive numbers"


def test_an_elementwise_product_blames_both_factors():
    with pytest.raises(InputError) as info:
        parse("x.*y").evaluate({"x": np.full(2, 1e200), "y": np.full(2, 1e200)})
    assert info.value.got.startswith("from values['x'], values['y']: ")


@pytest.mark.parametrize(
    ("x", "expected", "got"),
    [
        (np.ones(4), "shape 3×1 as the expression uses x, its size 3 fixed by values['A'] (an "
         "array of shape (2, 3))", "an array of shape (4,)"),  # as given, not as the column (4, 1)
        (None, "a numeric array", "None (a NoneType)"),  # not a 0-D object array
        (1.0, "a vector or a column, as x is", "the number 1.0"),
    ],
)  # fmt: skip
def test_a_value_of_the_wrong_shape_is_described_as_given(x, expected, got):
    with pytest.raises(InputError) as info:
        parse("A*x + y").evaluate({"A": np.ones((2, 3)), "x": x, "y": np.ones(2)})
    err = info.value
    assert err.arg == "values['x']" and expected in err.expected and err.got == got
    assert "x0" not in str(err)  # the graph's names for open sizes mean nothing to the user
