"""The expression graph: sizes, nodes, operators, evaluation and their errors."""

import numpy as np
import pytest

import jacobians
from jacobians.expressions import Expression, Variable, parse
from jacobians.expressions._shapes import Mismatch, Size, resolve, same, show
from reshape import InputError, InputTypeError, ShapeError


def test_open_sizes_are_equated_and_fixed_once():
    n, m, k = Size("n"), Size("m"), Size("k")
    same(n, m)
    assert resolve(n) is resolve(m)
    same(m, 4)
    assert resolve(n) == 4
    same(k, n)
    assert resolve(k) == 4
    with pytest.raises(Mismatch):
        same(k, 5)
    assert show((3, 1)) == "3×1" and show(()) == "scalar"


def test_variables_take_vectors_as_columns_and_refuse_bad_shapes():
    assert Variable("x", (3,)).shape == (3, 1)
    assert Variable("x", 3).shape == (3, 1)
    assert Variable("a", ()).shape == ()
    assert Variable("A", (2, 3)).shape == (2, 3)
    for bad in [(0, 2), (2, -1), (2, 3, 4), (True, 2), (2.5, 2)]:
        with pytest.raises(InputError, match="Variable"):
            Variable("A", bad)
    with pytest.raises(InputTypeError, match="name"):
        Variable("2x", (2,))


@pytest.mark.parametrize("name", ["eye", "vector", "matrix", "comm", "number", "sin", "_x", "x_"])
def test_a_variable_takes_only_names_the_language_prints_back(name):
    # a constant's or a function's name would make it that constant (its value ignored), and a
    # name not starting with a letter could not be printed in a closed form
    if name == "x_":
        x = Variable(name, (3,))
        assert str(x.T @ x) == "x_'*x_" and parse(str(x.T @ x), ["x_=3"]).shape == ()
        return
    with pytest.raises(InputError, match=r"Variable: bad argument 'name'"):
        Variable(name, (3, 3))
    if name == "number":
        with pytest.raises(jacobians.ParseError, match="column 5"):
            parse("x + number")


def test_operators_build_nodes_with_checked_shapes():
    A, x = Variable("A", (2, 3)), Variable("x", (3,))
    assert (A @ x).shape == (2, 1)
    assert (x.T @ x).shape == ()  # a 1×1 product is a scalar
    assert (2 * A).shape == (2, 3) and (A / 2).shape == (2, 3)
    with pytest.raises(ShapeError) as err:
        A @ A
    msg = str(err.value)
    assert "A*A" in msg and "2×3" in msg


def test_arrays_are_refused_as_operands_with_a_hint():
    x = Variable("x", (3,))
    with pytest.raises(InputTypeError, match="Variable"):
        x + np.ones(3)
    with pytest.raises(InputTypeError, match="Variable"):
        np.ones(3) + x


def test_registered_operations_build_nodes_on_expressions_and_compute_on_arrays():
    x = Variable("x", (3,))
    assert isinstance(jacobians.tanh(x), Expression)
    assert isinstance(jacobians.tanh(np.zeros(3)), jacobians.Result)


def test_evaluate_matches_numpy_and_open_sizes_come_from_the_values():
    e = parse("A*x + y")
    rng = np.random.default_rng(0)
    A, x, y = rng.normal(size=(2, 3)), rng.normal(size=3), rng.normal(size=2)
    got = e.evaluate({"A": A, "x": x, "y": y})
    np.testing.assert_allclose(got, (A @ x + y).reshape(2, 1), rtol=1e-15)
    with pytest.raises(ShapeError, match="x"):
        e.evaluate({"A": A, "x": np.ones(4), "y": y})
    with pytest.raises(InputError, match="none for"):
        e.evaluate({"A": A, "x": x})


def test_a_variable_used_twice_is_one_node():
    e = parse("x'*A*x")
    assert len([n for n in e.nodes() if n.is_variable]) == 2  # x and A, once each


def test_a_derivative_with_open_sizes_takes_them_from_the_values_of_its_expression():
    # a*eye, the Jacobian of a*x, holds no x: x's value still sizes its identity
    J = parse("a*x").jacobian_expression("x")
    np.testing.assert_array_equal(J.evaluate({"a": 2.0, "x": np.ones(3)}), 2 * np.eye(3))
    f, X = parse("X'*X"), np.arange(6.0).reshape(3, 2)
    np.testing.assert_allclose(
        f.jacobian_expression("X").evaluate({"X": X}), f.jacobian("X", {"X": X}).matrix
    )
    g = parse("sum(x)*sum(y)").gradient_expression("y")
    np.testing.assert_array_equal(g.evaluate({"x": np.ones(3), "y": np.ones(4)}).ravel(), 3.0)
    with pytest.raises(InputError, match="none for"):
        g.evaluate({"y": np.ones(4)})  # its own variables are still required


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_values_of_one_float_dtype_keep_it_as_the_operations_do(dtype):
    e = parse("sum(sigmoid(x))")
    v = {"x": np.ones(3, dtype)}
    assert e.evaluate(v).dtype == dtype and e.gradient("x", v).dtype == dtype
    mixed = parse("x'*A*x", ["A=3x3"])
    w = {"x": np.ones(3, dtype), "A": np.eye(3)}  # float64 among them: float64
    assert mixed.gradient("x", w).dtype == np.float64
