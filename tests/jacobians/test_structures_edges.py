"""The structures at their edges: overflow in narrow dtypes, the dtype of sums, plan_sum against
add_jacobians (numpy's copy protocol, plan's records and labelled: test_structure_records.py).

Float32 and float16 products refused by name, never ±inf or a warning; float32 sums kept
float32; plan_sum predicting the structure add_jacobians makes, a Sum holding a dense term
included.
"""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import jacobians as J
from jacobians import (
    BlockDiagonal,
    Dense,
    Diagonal,
    Identity,
    InputError,
    Kronecker,
    Product,
    Structure,
    Sum,
    Toeplitz,
    add_jacobians,
    compose,
)
from jacobians._planner import STRUCTURES
from jacobians._structure_args import _SAFE
from jacobians._sum import plan_sum

from .test_structures_more import LOW, SIZES, build, seeds


def make(kind, n, rng, pick, dtype=np.float64):
    """An n×n Jacobian of structure ``kind`` in ``dtype``: test_structures_more's ``build`` for
    the kinds it makes, and here a Toeplitz, a product and sums of any kinds, dense terms among
    them; ``pick(options)`` chooses among variants."""
    normal = lambda *shape: rng.normal(size=shape).astype(dtype)
    if kind == "toeplitz":  # a 3-tap kernel, padding 1: n outputs from n inputs
        return Toeplitz(normal(1, 1, 3), n, padding=1)
    if kind == "product":
        return Product(
            Diagonal(normal(n)),
            make(pick(["dense", "kronecker", "permutation"]), n, rng, pick, dtype),
        )
    if kind != "sum":
        return build(kind, n, n, rng, pick, dtype)
    flat = [k for k in STRUCTURES if k != "sum"]
    terms = [make(pick(flat), n, rng, pick, dtype) for _ in range(pick([1, 2, 3]))]
    if pick([True, False]):  # a sum holding a dense term (plan_sum once missed it)
        terms.insert(pick(range(len(terms) + 1)), make("dense", n, rng, pick, dtype))
    return Sum(terms)


@st.composite
def pairs(draw, dtypes=(np.float64,)):
    """Two n×n Jacobians of drawn kinds (every structure, sums holding dense terms among them)."""
    n = draw(st.sampled_from(SIZES))
    rng = np.random.default_rng(draw(seeds))
    pick = lambda options: draw(st.sampled_from(list(options)))
    A = make(draw(st.sampled_from(list(STRUCTURES))), n, rng, pick, draw(st.sampled_from(dtypes)))
    B = make(draw(st.sampled_from(list(STRUCTURES))), n, rng, pick, draw(st.sampled_from(dtypes)))
    return A, B


def close(got, want, rtol=1e-12):
    np.testing.assert_allclose(
        got, want, rtol=rtol, atol=rtol * max(1.0, float(np.abs(want).max()))
    )


# ----- a product past a narrow dtype's range is refused by name, never ±inf nor a warning -----
NARROW = [np.float32, np.float16, np.complex64]
KINDS5 = ["diagonal", "kronecker", "kronecker I_k", "dense", "block-diagonal"]


def _huge(dtype):
    """An entry whose square is past the dtype's largest number (3.4e38 for float32)."""
    return np.sqrt(float(np.finfo(dtype).max)) * 4


def _structures_at(value, dtype):
    """Each structure whose left/right is bounded (or scanned) with every entry ``value``."""
    v = lambda *shape: np.full(shape, value, dtype=dtype)
    return {
        "diagonal": Diagonal(v(2)),
        "kronecker": Kronecker(v(1, 1), v(2, 2)),
        "kronecker I_k": Kronecker(2, v(1, 1)),
        "dense": Dense(v(2, 2)),
        "block-diagonal": BlockDiagonal(v(1, 2, 2)),
    }


@pytest.mark.parametrize("dtype", NARROW)
@pytest.mark.parametrize("name", KINDS5)
def test_a_narrow_product_that_overflows_is_refused_by_name(dtype, name):
    big = _huge(dtype)
    F = _structures_at(big, dtype)[name]
    M = np.full((2, 1), big, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would fail the test, as would ±inf
        with pytest.raises(InputError, match="overflows") as err:
            F.left(M)
        assert err.value.arg == "M" and err.value.op == f"{type(F).__name__}.left"
        with pytest.raises(InputError, match="overflows") as err:
            F.right(M.T)
        assert err.value.arg == "M"
        with pytest.raises(InputError, match="overflows") as err:
            compose(F, Dense(M)).matrix  # noqa: B018
        assert (err.value.op, err.value.arg) == ("compose", "factors")
        with pytest.raises(InputError, match="overflows"):
            compose(Dense(M.T), F).matrix  # noqa: B018


def test_the_reports_float32_chain_through_operations_is_refused():
    f = np.float32
    W, x = np.full((2, 2), 1e20, f), np.full(2, 1e-20, f)
    z = J.linear(W, x, np.zeros(2, f))
    w = J.multiply(z.value, np.full(2, 1e20, f))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError, match="overflows") as err:
            compose(w.jacobians["u"], z.jacobians["x"])
    assert err.value.arg == "factors"


def test_a_kronecker_factor_whose_sums_pass_float32s_range_gives_no_warning():
    """The gain ‖L‖ is a row sum of |L|: 2·3e38 is past float32's range, so it is summed in
    float64, and the product (6e38, past it too) is refused."""
    K = Kronecker(np.full((1, 2), 3e38, np.float32), 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError, match="overflows"):
            K.left(np.ones((2, 1), np.float32))
        assert K._gain("left") == pytest.approx(2 * float(np.float32(3e38)))


@pytest.mark.parametrize(("dtype", "big"), [(np.float64, 1e200), (np.float32, 1e20)])
def test_a_kronecker_product_made_dense_past_the_range_is_refused(dtype, big):
    """L ⊗ R's entries are products of the factors' entries: made dense (.matrix, or by a
    product's generic rule), one past the range is refused naming L, never ±inf or a warning;
    one of the factors' entries squared within the range is exact."""
    L, R = np.full((1, 1), big, dtype), np.full((2, 2), big, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError, match="beyond") as err:
            Kronecker(L, R).matrix  # noqa: B018
        assert (err.value.op, err.value.arg) == ("Kronecker", "L")
        with pytest.raises(InputError, match="beyond"):  # diag_left: K made dense
            compose(Diagonal(np.ones(2, dtype)), Kronecker(L, R))
        with pytest.raises(InputError, match="overflows"):  # K applied to the row: compose's
            compose(Dense(np.ones((1, 2), dtype)), Kronecker(L, R))
    small = np.sqrt(big)  # (√big)² = big, within the range
    M = Kronecker(np.full((1, 1), small, dtype), np.full((2, 2), small, dtype)).matrix
    assert M.dtype == dtype
    np.testing.assert_array_equal(M, np.full((2, 2), dtype(small) * dtype(small)))


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_a_narrow_product_near_the_top_of_its_range_is_computed_not_refused(dtype):
    """Past the bound the result is scanned, not refused: 0.9 of the largest number is kept."""
    top = float(np.finfo(dtype).max)
    D = Diagonal(np.array([0.9 * top / 4, 1.0], dtype=dtype))
    out = D.left(np.array([[4.0], [2.0]], dtype=dtype))
    assert out.dtype == dtype and np.isfinite(out).all()
    assert out[0, 0] == np.array(0.9 * top / 4, dtype=dtype) * dtype(4.0)


@pytest.mark.parametrize(
    ("dtype", "exponents"), [(np.float32, st.integers(-20, 38)), (np.float16, st.integers(-4, 4))]
)
@given(data=st.data())
def test_narrow_products_are_the_exact_product_or_refused(dtype, exponents, data):
    """A product is refused by name exactly where its value passes the dtype's range (within a
    factor 2 either way, where rounding decides), and otherwise equals the float64 product of
    the same numbers, in the narrow dtype; never ±inf, never a warning."""
    a, b = data.draw(exponents), data.draw(exponents)
    value, entry = (float(dtype(x)) for x in (1.5 * 10.0**a, 1.25 * 10.0**b))  # representable
    name = data.draw(st.sampled_from(KINDS5))
    side = data.draw(st.sampled_from(["left", "right", "compose"]))
    F = _structures_at(value, dtype)[name]
    M = np.full((2, 1), entry, dtype=dtype)
    want = _structures_at(value, np.float64)[name].matrix @ M.astype(np.float64)
    top, peak = float(np.finfo(dtype).max), float(np.abs(want).max())
    assume(not top / 2 <= peak <= 2 * top)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            if side == "left":
                got = F.left(M)
            elif side == "right":
                got = F.T.right(M.T).T
            else:
                got = compose(F, Dense(M)).matrix
        except InputError as err:
            assert peak > top and "overflows" in str(err), (peak, err)
            return
    assert peak < top and got.dtype == dtype
    close(got.astype(np.float64), want, rtol=4 * float(np.finfo(dtype).eps))


def test_the_float64_bound_is_as_it_was_and_each_narrow_one_is_below_its_range():
    assert _SAFE[np.dtype(np.float64)] == 1e300  # the hot path's test is unchanged
    for dt, bound in _SAFE.items():
        top = min(float(np.finfo(dt).max), float(np.finfo(np.float64).max))
        assert bound * 1e8 <= top * 1.0000001 and bound > top * 1e-9, dt


# ----- a sum has the dtype numpy gives its terms' (float32 stays float32) -----
def test_the_reports_float32_sums_stay_float32():
    f = np.float32
    A, B = Kronecker(2, np.ones((2, 2), f)), Kronecker(np.ones((2, 2), f), np.ones((2, 2), f))
    S = add_jacobians(A, B)
    assert S.kind == "kronecker" and S.dtype == f and S.matrix.dtype == f
    close(S.matrix, A.matrix + B.matrix)
    S = add_jacobians(Identity((4,), dtype=f), Kronecker(2, np.ones((2, 2), f)))  # I_2 ⊗ (I + R)
    assert S.kind == "kronecker" and S.dtype == f and S.matrix.dtype == f
    np.testing.assert_array_equal(
        S.matrix, np.eye(4, dtype=f) + np.kron(np.eye(2), np.ones((2, 2)))
    )
    # a complex identity makes the factor complex; a float64 one, float64
    assert add_jacobians(Identity((4,), dtype=np.complex64), A).dtype == np.complex64
    assert add_jacobians(Identity((4,)), A).dtype == np.float64


def test_an_expressions_float32_jacobian_is_float32():
    """∂(x·(rᵀo) + x)/∂x = (rᵀo) I + I: an identity added to a Kronecker product's factor."""
    e = J.parse("x*r'*o + x", ["x=2", "r=3", "o=3"])
    f = np.float32
    values = {"x": np.ones(2, f), "r": np.ones(3, f), "o": np.full(3, 2.0, f)}
    G = e.jacobian("x", values)
    assert G.dtype == f and G.matrix.dtype == f
    np.testing.assert_array_equal(G.matrix, np.eye(2, dtype=f) * 7)


@given(AB=pairs(dtypes=(np.float32, np.float64, np.complex64)))
def test_a_sums_dtype_is_its_terms_result_type(AB):
    A, B = AB
    S = add_jacobians(A, B)
    want = np.result_type(A.dtype, B.dtype)
    assert S.dtype == want and S.matrix.dtype == want, (A, B, S)
    close(S.matrix, A.matrix + B.matrix, rtol=1e-5)


# ----- plan_sum predicts what add_jacobians makes, rule for rule -----
@pytest.mark.parametrize(
    "other", ["block-diagonal", "toeplitz", "product", LOW, "identity", "sum", "diagonal"]
)
def test_a_sum_holding_a_dense_term_makes_a_dense_sum_and_plan_sum_says_so(other):
    rng = np.random.default_rng(7)
    S = Sum([Dense(np.ones((4, 4))), Diagonal(np.ones(4))])
    B = make(other, 4, rng, lambda options: next(iter(options)))
    got = add_jacobians(S, B)
    assert got.kind == "dense"
    assert plan_sum(S.structure, B.structure) == (16, Structure("dense", 4, 4))
    assert plan_sum(B.structure, S.structure)[1].kind == add_jacobians(B, S).kind == "dense"
    close(got.matrix, S.matrix + B.matrix)


@given(AB=pairs())
def test_plan_sum_predicts_the_structure_add_jacobians_makes(AB):
    A, B = AB
    S = add_jacobians(A, B)
    planned = plan_sum(A.structure, B.structure)[1]
    assert planned.kind == S.structure.kind  # (a dense sum of one row is a "row" in S.kind)
    assert planned == S.structure, (A, B, S)
    assert plan_sum(A.structure, B.structure, dtype=np.float64)[1] == planned


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_plan_sum_weighs_the_dense_limit_in_the_sums_dtype(dtype):
    """A dense 4×4 sum is 16 entries of the dtype's size: just over the limit it stays a Sum of
    the terms, and plan_sum told the dtype says the same (untold, it takes 8 bytes an entry)."""
    S = Sum([Dense(np.ones((4, 4), dtype)), Diagonal(np.ones(4, dtype))])
    B = Diagonal(np.arange(4, dtype=dtype))
    need = 16 * np.dtype(dtype).itemsize
    for limit, kind in ((need, "dense"), (need - 1, "sum")):
        previous = J.set_dense_limit(limit)
        try:
            got = add_jacobians(S, B)
            planned = plan_sum(S.structure, B.structure, dtype=dtype)
            default = plan_sum(S.structure, B.structure)[1].kind
        finally:
            J.set_dense_limit(previous)
        assert got.kind == planned[1].kind == kind
        assert planned[1] == got.structure
        assert default == ("dense" if 16 * 8 <= limit else "sum")
        close(got.matrix, S.matrix + B.matrix)


def test_two_dense_terms_over_the_limit_stay_a_sum():
    """The limit holds for dense + dense too (before, their sum was made whatever its size)."""
    A, B = Dense(np.ones((4, 4))), Dense(np.eye(4))
    previous = J.set_dense_limit(100)
    try:
        S = add_jacobians(A, B)
        planned = plan_sum(A.structure, B.structure)[1]
    finally:
        J.set_dense_limit(previous)
    assert S.kind == planned.kind == "sum" and planned == S.structure
    close(S.matrix, np.ones((4, 4)) + np.eye(4))
