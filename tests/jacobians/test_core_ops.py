"""Every closed-form Jacobian of the registry against central and complex-step differences.

Parametrized over jacobians.OPERATIONS: a new operation inherits every test here.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobians
import reshape
from jacobians import OPERATIONS, numeric
from tests.jacobians.inputs import INPUTS, inputs

RULES = [(op, wrt) for op in OPERATIONS for wrt in OPERATIONS[op].rules]
sizes = st.integers(1, 8)
seeds = st.integers(0, 2**32 - 1)


def test_every_operation_has_inputs_and_a_rule_per_input():
    assert set(INPUTS) == set(OPERATIONS)
    for op in OPERATIONS.values():
        assert set(op.rules) == {p.name for p in op.params}, op.name
        for rule in op.rules.values():
            assert rule.closed_form and rule.latex and "×" in rule.shape


def partial(name, args, wrt):
    op = OPERATIONS[name]
    return lambda v: op(**{**args, wrt: v}).value


@pytest.mark.parametrize(("name", "wrt"), RULES)
@given(n=sizes, m=sizes, d=sizes, batch=st.booleans(), seed=seeds)
def test_closed_form_equals_central_differences(name, wrt, n, m, d, batch, seed):
    args = inputs(name, seed, n, m, d, batch)
    J = OPERATIONS[name](**args).jacobians[wrt]
    N = numeric(partial(name, args, wrt), args[wrt])
    assert J.shape == N.shape
    assert J.out_shape == N.out_shape and J.in_shape == N.in_shape
    scale = max(1.0, np.abs(N.matrix).max())
    np.testing.assert_allclose(J.matrix, N.matrix, rtol=1e-6, atol=1e-6 * scale)


@pytest.mark.parametrize(
    ("name", "wrt"), [r for r in RULES if OPERATIONS[r[0]].rules[r[1]].analytic]
)
@given(n=sizes, m=sizes, d=sizes, batch=st.booleans(), seed=seeds)
def test_closed_form_equals_complex_step(name, wrt, n, m, d, batch, seed):
    args = inputs(name, seed, n, m, d, batch)
    J = OPERATIONS[name](**args).jacobians[wrt]
    N = numeric(partial(name, args, wrt), args[wrt], method="complex")
    scale = max(1.0, np.abs(N.matrix).max())
    np.testing.assert_allclose(J.matrix, N.matrix, rtol=1e-12, atol=1e-12 * scale)


@pytest.mark.parametrize(("name", "wrt"), RULES)
@given(n=sizes, m=sizes, d=sizes, batch=st.booleans(), seed=seeds)
def test_tensor_and_matrix_correspond_through_flatten(name, wrt, n, m, d, batch, seed):
    args = inputs(name, seed, n, m, d, batch)
    res = OPERATIONS[name](**args)
    J = res.jacobians[wrt]
    assert J.tensor.shape == np.shape(res.value) + np.shape(args[wrt])
    np.testing.assert_array_equal(
        reshape.flatten(J.tensor, len(J.out_shape)).reshape(J.shape), J.matrix
    )
    assert J.symbol == f"∂{OPERATIONS[name].output}/∂{wrt}"
    assert J.closed_form == OPERATIONS[name].rules[wrt].closed_form


@pytest.mark.parametrize(("name", "wrt"), RULES)
def test_column_vectors_give_the_same_jacobian_matrix(name, wrt):
    args = inputs(name, 7, 4, 3, 1, False)
    as_columns = {k: (v[:, None] if v.ndim == 1 else v) for k, v in args.items()}
    J1 = OPERATIONS[name](**args).jacobians[wrt].matrix
    J2 = OPERATIONS[name](**as_columns).jacobians[wrt].matrix
    np.testing.assert_array_equal(J1, J2)


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_dtypes_follow_the_inputs(name):
    args = inputs(name, 3, 3, 2, 2, False)
    f32 = {k: v.astype(np.float32) for k, v in args.items()}
    res = OPERATIONS[name](**f32)
    assert np.asarray(res.value).dtype == np.float32
    for J in res.jacobians.values():
        assert J.matrix.dtype == np.float32, J
    as_int = {k: np.rint(v * 0 + 1).astype(int) for k, v in args.items()}
    # a = 1 is outside binary cross-entropy's domain where y ≠ 1; a matrix of ones is singular
    if name not in ("binary_cross_entropy", "inv", "logdet"):
        assert np.asarray(OPERATIONS[name](**as_int).value).dtype == np.float64


def test_linear_jacobians_have_the_closed_forms_of_the_write_up():
    n, m = 3, 4
    W, x, b = np.arange(12.0).reshape(n, m), np.arange(1.0, 5.0), np.ones(n)
    r = jacobians.linear(W, x, b)
    np.testing.assert_array_equal(r.value, W @ x + b)
    JW = r.jacobians["W"]
    assert (JW.kind, JW.shape, JW.tensor.shape, JW.closed_form) == (
        "kronecker",
        (3, 12),
        (3, 3, 4),
        "I_n ⊗ xᵀ",
    )
    np.testing.assert_array_equal(JW.matrix, np.kron(np.eye(n), x[None, :]))
    assert r.jacobians["x"].kind == "dense"
    np.testing.assert_array_equal(r.jacobians["x"].matrix, W)
    assert r.jacobians["b"].kind == "identity"
    np.testing.assert_array_equal(r.jacobians["b"].matrix, np.eye(n))


def test_softmax_jacobian_cases():
    z = np.array([1.0, 2.0, 0.5])
    s = jacobians.softmax(z).value
    J = jacobians.softmax(z).jacobian.matrix
    for i in range(3):
        for j in range(3):
            want = s[i] * (1 - s[i]) if i == j else -s[i] * s[j]
            assert J[i, j] == pytest.approx(want, rel=1e-14)


def test_relu_subgradient_at_zero_is_zero():
    J = jacobians.relu(np.array([-1.0, 0.0, 2.0])).jacobian
    np.testing.assert_array_equal(J.matrix, np.diag([0.0, 0.0, 1.0]))
    np.testing.assert_array_equal(
        jacobians.leaky_relu(np.array([0.0]), alpha=0.2).jacobian.matrix, [[0.2]]
    )


def test_leaky_relu_alpha_option():
    r = jacobians.leaky_relu(np.array([-2.0, 3.0]), alpha=0.1)
    np.testing.assert_allclose(r.value, [-0.2, 3.0])
    np.testing.assert_allclose(r.jacobian.matrix, np.diag([0.1, 1.0]))


BIG = [1e4, -1e4, 800.0, -800.0, 0.0]


@pytest.mark.parametrize("name", list(jacobians.ACTIVATIONS))
def test_activations_are_stable_for_large_inputs(name):
    large = OPERATIONS[name].stable_for  # the activation's own bound (1e4 for every one here)
    z = np.array([large, -large, *BIG[2:]])
    r = OPERATIONS[name](z)  # filterwarnings=error: an overflow warning fails here
    assert np.isfinite(r.value).all()
    assert np.isfinite(r.jacobian.matrix).all()


def test_large_input_values():
    z = np.array(BIG)
    np.testing.assert_array_equal(jacobians.sigmoid(z).value, [1.0, 0.0, 1.0, 0.0, 0.5])
    np.testing.assert_allclose(jacobians.softplus(z).value, [1e4, 0.0, 800.0, 0.0, np.log(2)])
    np.testing.assert_array_equal(jacobians.softmax(np.array([1e4, -1e4])).value, [1.0, 0.0])


def test_cross_entropies_are_stable_for_large_logits():
    z, y = np.array([1e4, -1e4, 0.0]), np.array([0.0, 1.0, 0.0])
    r = jacobians.softmax_cross_entropy(z, y)
    assert r.value == pytest.approx(2e4)
    np.testing.assert_allclose(r.jacobian.matrix, [[1.0, -1.0, 0.0]])
    r = jacobians.sigmoid_binary_cross_entropy(z, np.array([0.0, 1.0, 1.0]))
    assert r.value == pytest.approx(2e4 + np.log(2))
    assert np.isfinite(r.jacobian.matrix).all()
    # a softmax that underflows to 0 where the target is 0 is harmless for cross_entropy
    a = jacobians.softmax(np.array([1e4, -1e4])).value
    r = jacobians.cross_entropy(a, np.array([1.0, 0.0]))
    assert r.value == 0.0
    np.testing.assert_array_equal(r.jacobian.matrix, [[-1.0, 0.0]])
    with pytest.raises(jacobians.InputError, match="∂C/∂y"):  # the true ∂C/∂y is unbounded
        r.jacobians["y"]


@pytest.mark.parametrize(
    "name", [a for a in jacobians.ACTIVATIONS if OPERATIONS[a].rules["z"].analytic]
)
def test_complex_step_at_the_branch_point_zero(name):
    """The stable formulas switch branch at Re z = 0; complex step there must see one branch."""
    z = np.array([0.0, 0.0, 1e-300, -1e-300])
    J = OPERATIONS[name](z).jacobian.matrix
    N = numeric(lambda v: OPERATIONS[name](v).value, z, method="complex").matrix
    np.testing.assert_allclose(N, J, rtol=1e-15, atol=1e-15)


# ----- an operation's Jacobians are built on first access -----
def test_jacobians_are_a_mapping_built_once_on_first_access(monkeypatch):
    import dataclasses

    built = []
    rule = OPERATIONS["linear"].rules["x"]
    counting = dataclasses.replace(rule, build=lambda c: built.append(1) or rule.build(c))
    monkeypatch.setitem(OPERATIONS["linear"].rules, "x", counting)
    W, x, b = np.ones((3, 4)), np.arange(4.0), np.zeros(3)
    r = jacobians.linear(W, x, b)
    assert list(r.jacobians) == ["W", "x", "b"] and len(r.jacobians) == 3
    assert "x" in r.jacobians and "y" not in r.jacobians
    r.jacobians["W"], r.jacobians["b"]
    assert built == []  # never asked for: never built
    Jx = r.jacobians["x"]
    assert r.jacobians["x"] is Jx and built == [1]  # built once, then kept
    assert Jx.symbol == "∂z/∂x" and (Jx.out_shape, Jx.in_shape) == ((3,), (4,))
    np.testing.assert_array_equal(Jx.matrix, W)
    assert dict(r.jacobians.items())["x"] is Jx
    with pytest.raises(KeyError):
        r.jacobians["y"]


@pytest.mark.parametrize("batch", [False, True])
@pytest.mark.parametrize("name", list(OPERATIONS))
def test_prepare_then_build_is_what_calling_the_operation_gives(name, batch):
    """The module doc's two steps (net's gradient takes them): op.prepare with the options'
    defaults, then each rule's build on the context, give the call's value and Jacobians bit for
    bit, and op.result of that context is the call's Result."""
    op = OPERATIONS[name]
    args = inputs(name, 3, 4, 3, 2, batch)
    called = op(**args)
    ctx = op.prepare(**args, **op.options)
    np.testing.assert_array_equal(ctx.value, called.value)
    wrapped = op.result(ctx)
    for wrt, rule in op.rules.items():
        built = rule.build(ctx)
        assert type(built) is type(called.jacobians[wrt])
        np.testing.assert_array_equal(built.matrix, called.jacobians[wrt].matrix)
        assert wrapped.jacobians[wrt].symbol == called.jacobians[wrt].symbol
        assert wrapped.jacobians[wrt].closed_form == called.jacobians[wrt].closed_form
        assert wrapped.jacobians[wrt].in_shape == called.jacobians[wrt].in_shape


# ----- assume_finite: the scans are skipped, everything else is still checked -----
def test_assume_finite_skips_only_the_scans_for_nan_and_inf():
    W, x, b = np.ones((3, 4)), np.arange(1.0, 5.0), np.zeros(3)
    b_nan = np.array([0.0, np.nan, 0.0])
    with pytest.raises(reshape.InputError, match="'b'"):
        jacobians.linear(W, x, b_nan)
    with jacobians.assume_finite():
        assert np.isnan(jacobians.linear(W, x, b_nan).value[1])  # not scanned: assumed
        with pytest.raises(reshape.ShapeError, match="'x'"):
            jacobians.linear(W, np.ones(5), b)  # shapes are still checked
        with pytest.raises(reshape.InputTypeError):
            jacobians.sigmoid(np.array([True]))  # and kinds
        with pytest.raises(reshape.InputError, match="overflows"):
            jacobians.linear(np.full((2, 2), 1e308), np.full(2, 1e308), np.zeros(2))
        W_nan = W.copy()
        W_nan[2, 1] = np.nan  # reaches the product: the full check then names the argument
        with pytest.raises(reshape.InputError, match=r"'W'.*\n.*\n.*index \(2, 1\)"):
            jacobians.linear(W_nan, x, b)
    with pytest.raises(reshape.InputError, match="'b'"):  # the block's end restores the scans
        jacobians.linear(W, x, b_nan)


def test_assume_finite_ends_with_its_block_even_on_an_error():
    with pytest.raises(RuntimeError), reshape.assume_finite():
        assert reshape.finite_assumed()
        raise RuntimeError
    assert not reshape.finite_assumed()
