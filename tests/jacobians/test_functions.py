"""The elementwise functions (sin … sqrt) and what every elementwise row shares.

The registry-wide tests (test_core_ops) check each function's Jacobian against central
differences and the complex step on its own in-domain draws. Here: domains and their messages,
the documented one-sided values, scalar (0-D) inputs to every elementwise operation, that the
functions stay out of ``ACTIVATIONS``, and each elementwise rule's ``expression`` and ``adjoint``
evaluated against the Jacobian it builds.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobians as J
from jacobians import ACTIVATIONS, OPERATIONS, InputError, numeric
from jacobians._functions import TABLE
from jacobians.expressions import Variable
from tests.jacobians.test_arith import check_symbolic, needs_expressions

FUNCTIONS = [entry.name for entry in TABLE]
ELEMENTWISE = [*FUNCTIONS, "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "identity"]
NUMPY = {"sin": np.sin, "cos": np.cos, "tan": np.tan, "arcsin": np.arcsin, "arccos": np.arccos,
         "arctan": np.arctan, "exp": np.exp, "log": np.log, "abs": np.abs, "sign": np.sign,
         "sqrt": np.sqrt}  # fmt: skip
sizes = st.integers(1, 5)
seeds = st.integers(0, 2**32 - 1)


def draw(name, seed, shape):
    """In-domain inputs of ``name`` (its own examples) of shape (n, m), (n, 1) or ()."""
    n, m = (*shape, 1, 1)[:2]
    z = OPERATIONS[name].examples(np.random.default_rng(seed), n, 3, m, True)["z"]
    return z.reshape(shape)


# ----- values, and scalars -----
@pytest.mark.parametrize("name", FUNCTIONS)
def test_values_are_numpy_s(name):
    z = draw(name, 0, (4, 3))
    np.testing.assert_allclose(OPERATIONS[name](z).value, NUMPY[name](z), rtol=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_a_scalar_input_gives_a_scalar_and_a_1x1_jacobian(name):
    z = draw(name, 1, (1,))
    one = OPERATIONS[name](z)
    r = OPERATIONS[name](z.reshape(()))
    assert r.value.shape == () and isinstance(r.value, np.ndarray)
    assert r.value == one.value[0]
    assert (r.jacobian.shape, r.jacobian.in_shape, r.jacobian.out_shape) == ((1, 1), (), ())
    np.testing.assert_array_equal(r.jacobian.matrix, one.jacobian.matrix)
    assert OPERATIONS[name](float(z[0])).value == one.value[0]  # a Python number


def test_sigmoid_of_a_python_number():
    r = J.sigmoid(0.5)
    assert r.value == pytest.approx(1 / (1 + np.exp(-0.5)), rel=1e-15)
    assert r.jacobian.matrix[0, 0] == pytest.approx(r.value * (1 - r.value), rel=1e-15)
    assert J.softplus(-800.0).value == 0.0 and J.sigmoid(np.float32(1)).value.dtype == np.float32


@pytest.mark.parametrize("name", [n for n in FUNCTIONS if OPERATIONS[n].rules["z"].analytic])
@given(n=sizes, m=sizes, seed=seeds)
def test_complex_step_on_matrices(name, n, m, seed):
    z = draw(name, seed, (n, m))
    Jz = OPERATIONS[name](z).jacobian
    N = numeric(lambda v: OPERATIONS[name](v).value, z, method="complex")
    np.testing.assert_allclose(Jz.matrix, N.matrix, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_complex_values_flow_through(name):
    z = draw(name, 2, (3,)) + 1e-30j
    r = OPERATIONS[name](z)
    assert r.value.dtype == np.complex128 and r.jacobian.matrix.dtype == np.complex128


# ----- domains, refused by name -----
REFUSED = [
    (lambda: J.log(np.array([1.0, 0.0])), ["log", "'z'", "z > 0", "index (1,)", "(0.0)"]),
    (lambda: J.log(-2.0), ["log", "z > 0", "positive"]),
    (lambda: J.sqrt(np.array([4.0, -1.0])), ["sqrt", "'z'", "z ≥ 0", "(-1.0)"]),
    (lambda: J.sqrt(np.array([4.0, 0.0])).jacobian, ["sqrt", "z > 0 for the derivative", "slope"]),
    (lambda: J.arcsin(1.5), ["arcsin", "−1 ≤ z ≤ 1", "(1.5)"]),
    (lambda: J.arccos(np.array([0.0, -1.01])), ["arccos", "−1 ≤ z ≤ 1", "(-1.01)"]),
    (lambda: J.arcsin(np.array([0.5, 1.0])).jacobian, ["arcsin", "−1 < z < 1", "infinite"]),
    (lambda: J.arccos(-1.0).jacobian, ["arccos", "−1 < z < 1"]),
    (lambda: J.exp(np.array([1.0, 710.0])), ["exp", "709.78", "(710.0)", "logsumexp"]),
    (lambda: J.exp(np.float32(89)), ["exp", "'z'", "(89.0)"]),  # float32 overflows above 88.7
    (lambda: J.sin(np.array([np.inf])), ["sin", "'z'", "finite"]),
]


@pytest.mark.parametrize(("call", "words"), REFUSED)
def test_refused_outside_the_domain(call, words):
    with pytest.raises(InputError) as info:
        call()
    msg = str(info.value)
    for word in words:
        assert word in msg, msg
    assert msg.splitlines()[0].endswith(".")


def test_values_at_the_edges_of_the_domains():
    assert J.sqrt(0.0).value == 0.0  # the value is there; the derivative is refused
    np.testing.assert_allclose(J.arcsin(np.array([-1.0, 1.0])).value, [-np.pi / 2, np.pi / 2])
    assert J.arccos(1.0).value == 0.0
    assert np.isfinite(J.exp(709.0).jacobian.matrix).all()
    assert J.exp(-1e4).value == 0.0 and J.log(1e-300).value < -690


# ----- one-sided values at kinks -----
def test_one_sided_values_at_the_kinks():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(J.abs(z).value, [2.0, 0.0, 3.0])
    np.testing.assert_array_equal(J.abs(z).jacobian.matrix, np.diag([-1.0, 0.0, 1.0]))
    np.testing.assert_array_equal(J.sign(z).value, [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(J.sign(z).jacobian.matrix, np.zeros((3, 3)))
    np.testing.assert_array_equal(J.relu(z).jacobian.matrix, np.diag([0.0, 0.0, 1.0]))
    assert not J.abs.rules["z"].analytic and not J.sign.rules["z"].analytic


# ----- the functions are operations, not activations -----
def test_functions_are_operations_but_not_activations():
    for name in FUNCTIONS:
        op = OPERATIONS[name]
        assert op.family == "function" and name not in ACTIVATIONS
        assert op.fn is None and op.deriv is None  # what net and jacobians.testing draw from
    assert {"sigmoid", "tanh", "relu", "leaky_relu", "softplus", "identity"} <= set(ACTIVATIONS)


def test_net_and_the_testing_strategies_never_draw_a_function():
    from hypothesis import find

    from jacobians.testing import networks
    from net import MLP

    with pytest.raises(InputError, match="activation"):
        MLP([2, 2], ["log"], "squared_error")
    layers = find(networks(min_layers=3, max_layers=3), lambda ls: len(ls) == 3)
    assert all(act in ACTIVATIONS for _, _, act in layers)
    with pytest.raises(InputError):
        find(networks(activations=["arcsin"]), lambda ls: True)


# ----- shapes, syntax and the symbolic forms -----
@pytest.mark.parametrize("name", [*ELEMENTWISE, "hadamard"])
def test_shape_of_and_syntax(name):
    op = OPERATIONS[name]
    shapes = [(3, 4)] * len(op.params)
    assert op.shape_of(lambda a, b: None, *shapes) == (3, 4)
    assert op.syntax == ("call", name)
    if name != "hadamard":
        assert op.shape_of(lambda a, b: None, ()) == ()


@needs_expressions
@pytest.mark.parametrize("shape", ["matrix", "column", "scalar"])
@pytest.mark.parametrize("name", ELEMENTWISE)
@given(n=sizes, m=sizes, seed=seeds)
def test_expression_and_adjoint_equal_the_built_jacobian(name, shape, n, m, seed):
    size = {"matrix": (n, m), "column": (n, 1), "scalar": ()}[shape]
    check_symbolic(name, {"z": draw(name, seed, size)}, np.random.default_rng(seed))


@needs_expressions
@given(n=sizes, m=sizes, seed=seeds)
def test_hadamard_expression_and_adjoint(n, m, seed):
    rng = np.random.default_rng(seed)
    check_symbolic("hadamard", {"u": rng.normal(size=(n, m)), "v": rng.normal(size=(n, m))}, rng)


@needs_expressions
def test_the_forms_read_as_the_mathematics():
    rng = np.random.default_rng(0)
    z = {"z": draw("tanh", 0, (3, 1))}
    forms = {name: check_symbolic(name, z, rng)["z"] for name in ("cos", "tanh", "relu", "sigmoid")}
    assert forms == {
        "cos": ("diag(-sin(z))", "G.*(-sin(z))"),
        "tanh": ("diag(1 - tanh(z).^2)", "G.*(1 - tanh(z).^2)"),
        "relu": ("diag(sign(relu(z)))", "G.*sign(relu(z))"),
        "sigmoid": ("diag(sigmoid(z).*(1 - sigmoid(z)))", "G.*(sigmoid(z).*(1 - sigmoid(z)))"),
    }
    Z = {"z": draw("identity", 0, (2, 3))}
    assert check_symbolic("identity", Z, rng)["z"] == ("eye(6)", "G")
    assert check_symbolic("sign", Z, rng)["z"][0] == "0*eye(6)"


@needs_expressions
def test_leaky_relu_reads_its_slope_from_the_node():
    from jacobians.expressions._evaluate import evaluate

    x, z = Variable("z", (3, 1)), np.array([[-2.0], [1.0], [-0.5]])
    node = J.leaky_relu(x, alpha=0.2)
    e = OPERATIONS["leaky_relu"].rules["z"].expression(node)
    np.testing.assert_allclose(evaluate(e, {"z": z}).value(e), np.diag([0.2, 1.0, 0.2]))
    np.testing.assert_allclose(evaluate(node, {"z": z}).value(node), [[-0.4], [1.0], [-0.1]])
