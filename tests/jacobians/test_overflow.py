"""Finite input never gives an infinity, a NaN or a RuntimeWarning: every operation either returns
finite values and Jacobians or refuses with an InputError naming the argument. Scalars (0-D) work
wherever an operation takes one, and a float32 input gives float32 values and Jacobians (numpy 1's
scalar promotion would make some float64: the suite runs at the numpy floor too)."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobians as J
from jacobians import OPERATIONS, InputError, ShapeError

BIG = float(np.finfo(np.float64).max)
# huge, tiny (subnormal) and zero entries, and a few ordinary ones
EXTREMES = [BIG, -BIG, 1e308, -1e308, 1e200, -1e200, 1e154, 1e-310, -1e-310, 5e-324, 0.0]
OPTIONS = {
    "leaky_relu": {"alpha": [0.01, 10.0, -3.0, 1e300]},
    "softmax": {"axis": [1, 2]},
    "sum": {"axis": [None, 1, 2]},
    "mean": {"axis": [None, 1, 2]},
    "logsumexp": {"axis": [None, 1, 2]},
}


def finite_or_refused(name, args, opts):
    """Call the operation and build every Jacobian's matrix with warnings as errors: all finite,
    or an InputError (the only outcome allowed besides)."""
    op = OPERATIONS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            r = op(**args, **opts)
            values = [("value", np.asarray(r.value))]
            values += [(w, r.jacobians[w].matrix) for w in op.rules]
        except InputError as err:
            return err
    for what, v in values:
        assert np.isfinite(v).all(), (name, what, args, opts, v)
    return None


# ----- worked examples: each returned inf (or NaN) with a RuntimeWarning before -----
REFUSED = [
    (lambda: J.linear([[1e308]], [1.0], [1e308]), ["linear", "'b'", "Wx + b", "overflows"]),
    (lambda: J.squared_error([1e200], [-1e200]), ["squared_error", "'a'", "½‖a − y‖²"]),
    (lambda: J.hadamard(1e200, 1e200), ["hadamard", "'u'", "u ⊙ v", "1e+200"]),
    (lambda: J.leaky_relu([-1e308], alpha=10), ["leaky_relu", "'z'", "-1e+308", "alpha"]),
    (lambda: J.cross_entropy([1e-310, 1], [1, 0]).jacobian,
     ["cross_entropy", "'a'", "−y ⊘ a", "a[0] = 1e-310"]),
    (lambda: J.cross_entropy([1.0, 0.0], [1.0, 0.0]).jacobians["y"],
     ["cross_entropy", "'a'", "a > 0 everywhere for ∂C/∂y"]),
    (lambda: J.binary_cross_entropy([1.0, 0.5], [1.0, 0.5]).jacobians["y"],
     ["binary_cross_entropy", "'a'", "0 < a < 1"]),
    (lambda: J.binary_cross_entropy([1e-310], [1.0]).jacobian, ["binary_cross_entropy", "'a'"]),
    (lambda: J.log(np.array([1.0, 1e-310])).jacobian, ["log", "'z'", "z[1] = 1e-310"]),
    (lambda: J.divide(1e-300, 1e-310).jacobians["u"], ["divide", "'v'", "1 ⊘ v"]),
    (lambda: J.power(1e-310, -0.5).jacobians["u"], ["power", "'u'", "v ⊙ u^(v−1)"]),
    (lambda: J.sum([1e308, 1e308]), ["sum", "'X'", "overflows"]),
    (lambda: J.tr(np.diag([1e308, 1e308])), ["tr", "'X'", "trace"]),
    (lambda: J.det(1e200 * np.eye(2)), ["det", "'X'", "logdet"]),
    (lambda: J.inv(1e-200 * np.eye(2)).jacobian, ["inv", "'X'", "1e+200"]),
    (lambda: J.kron([[1e200]], [[1e200]]), ["kron", "'A'", "A ⊗ B"]),
    (lambda: J.softmax_cross_entropy([1e308, -1e308], [1.0, 1.0]), ["softmax_cross_entropy"]),
    (lambda: J.sigmoid_binary_cross_entropy([1e200], [1e200]),
     ["sigmoid_binary_cross_entropy", "'z'"]),
]  # fmt: skip


@pytest.mark.parametrize(("call", "words"), REFUSED)
def test_an_overflow_is_refused_by_name(call, words):
    with pytest.raises(InputError) as info:  # filterwarnings = error: a warning fails first
        call()
    for word in words:
        assert word in str(info.value), str(info.value)


def test_finite_and_right_where_the_true_value_is_finite():
    # z − max overflows to −inf, whose exp is exactly the right 0
    np.testing.assert_array_equal(J.softmax(np.array([1e308, -1e308])).value, [1.0, 0.0])
    assert J.logsumexp(np.array([1e308, -1e308])).value == 1e308
    # the sum overflows, the mean does not
    assert J.mean(np.array([1e308, 1e308])).value == 1e308
    np.testing.assert_array_equal(J.mean(np.full((2, 2), BIG), axis=1).value, [[BIG, BIG]])
    # 1/(1 + z²) underflows to 0 where z² would overflow
    z = np.array([1e200, -1e308, 3.0, 1e-310])
    np.testing.assert_allclose(J.arctan(z).jacobian.matrix.diagonal(), [0, 0, 0.1, 1], atol=0)
    # the fused forms stay finite where the separate ones cannot
    r = J.softmax_cross_entropy(np.array([700.0, -13.0]), np.array([0.0, 1.0]))
    np.testing.assert_allclose(r.jacobian.matrix, [[1.0, -1.0]])


@pytest.mark.parametrize("name", list(OPERATIONS))
@given(data=st.data())
def test_extreme_finite_inputs_give_finite_results_or_a_refusal(name, data):
    """±max, ±1e308, ±1e200, subnormals and 0 in any entry of any argument (and extreme options):
    every value and every Jacobian's matrix finite, with no warning, or an InputError."""
    seed, m = data.draw(st.integers(0, 2**16)), data.draw(st.sampled_from([3, 4, 5]))
    batch = data.draw(st.booleans())
    args = OPERATIONS[name].examples(np.random.default_rng(seed), 3, m, 2 if batch else 1, batch)
    for key, value in args.items():
        a = np.array(value, dtype=float)
        if a.ndim == 0:
            a = np.array(data.draw(st.sampled_from([float(a), *EXTREMES])))
        else:
            flat = a.reshape(-1)
            for i in data.draw(st.lists(st.integers(0, a.size - 1), max_size=a.size)):
                flat[i] = data.draw(st.sampled_from(EXTREMES))
        args[key] = a
    opts = {k: data.draw(st.sampled_from(v)) for k, v in OPTIONS.get(name, {}).items()}
    err = finite_or_refused(name, args, opts)
    if err is not None:
        assert name in str(err) and f"'{err.arg}'" in str(err).splitlines()[0]


# ----- scalars -----
# Operations that take no scalar, by design: a product with a scalar is multiply's (matmul takes
# matrices only); batch norm normalizes over a batch's samples, and one sample (d < 2) has no
# batch statistics (its x̂ would be 0/0), so batchnorm refuses it by name
# (test_a_single_sample_to_batchnorm_is_refused_by_name).
SCALAR_FREE = {"matmul", "batchnorm"}


@pytest.mark.parametrize("name", [n for n in OPERATIONS if n not in SCALAR_FREE])
@pytest.mark.parametrize("kind", [float, np.float64, np.float32, np.array])
def test_every_operation_that_takes_a_scalar_takes_each_kind_of_scalar(name, kind):
    op = OPERATIONS[name]
    args = {p.name: kind(0.5) for p in op.params}
    if name in ("cross_entropy", "binary_cross_entropy"):
        args["y"] = kind(1.0)
    r = op(**args)
    assert np.asarray(r.value).size == 1 and np.isfinite(r.value).all()
    for w in op.rules:
        M = r.jacobians[w].matrix
        assert M.shape == (1, 1) and np.isfinite(M).all()
    assert np.allclose(r.value, op(**{k: np.asarray(v) for k, v in args.items()}).value)


@pytest.mark.parametrize("kind", [float, np.float64, np.float32, np.array])
def test_a_single_sample_to_batchnorm_is_refused_by_name(kind):
    with pytest.raises(ShapeError, match=r"(?s)batchnorm.*'x'.*at least 2 samples.*layernorm"):
        J.batchnorm(kind(0.5), kind(1.0), kind(0.0))
    one = np.ones((3, 1), dtype=np.float32)  # one sample of 3 features
    with pytest.raises(ShapeError, match=r"(?s)batchnorm.*'x'.*at least 2 samples"):
        J.batchnorm(one, np.ones(3, np.float32), np.zeros(3, np.float32))


def test_scalar_examples_from_the_issue():
    assert J.sigmoid(0.5).value == pytest.approx(1 / (1 + np.exp(-0.5)))
    assert J.softplus(np.array(0.5)).jacobian.matrix[0, 0] == pytest.approx(J.sigmoid(0.5).value)
    assert J.softmax(0.5).value.tolist() == [1.0]  # the softmax of one number
    assert J.linear(2.0, 3.0, 1.0).value.tolist() == [7.0]  # a 1×1 layer
    assert J.squared_error(3.0, 1.0).value == 2.0


# ----- dtypes: float32 in, float32 out -----
@pytest.mark.parametrize("scalar", [False, True])
@pytest.mark.parametrize("name", list(OPERATIONS))
def test_float32_inputs_give_float32_values_and_jacobians(name, scalar):
    op = OPERATIONS[name]
    if scalar:
        if name in SCALAR_FREE:  # its float32 matrices are the case below (scalar=False)
            pytest.skip(f"{name} takes no scalar (SCALAR_FREE)")
        args = {p.name: np.array(0.5, dtype=np.float32) for p in op.params}
        if name in ("cross_entropy", "binary_cross_entropy"):
            args["y"] = np.array(1.0, dtype=np.float32)
    else:
        n = 3 if name in ("tr", "det", "logdet", "inv") else 4
        args = op.examples(np.random.default_rng(0), 3, n, 2, True)
        args = {k: np.asarray(v, dtype=np.float32) for k, v in args.items()}
    r = op(**args)
    assert np.asarray(r.value).dtype == np.float32, (name, type(r.value), r.value)
    for w in op.rules:
        assert r.jacobians[w].matrix.dtype == np.float32, (name, w)
