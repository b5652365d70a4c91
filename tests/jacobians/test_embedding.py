"""embedding: the lookup y = E[:, ids], its selection Jacobian I_n ⊗ S kept as a Kronecker, and
the refusal of ids that are not token ids."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jacobians import InputError, InputTypeError, Kronecker, ShapeError, embedding, numeric


def test_the_worked_example():
    E = np.arange(6.0).reshape(2, 3)
    r = embedding(E, ids=[2, 0, 2])
    np.testing.assert_array_equal(r.value, [[2.0, 0.0, 2.0], [5.0, 3.0, 5.0]])
    J = r.jacobians["E"]
    S = np.array([[0, 0, 1], [1, 0, 0], [0, 0, 1]])
    assert isinstance(J, Kronecker) and J.L == 2  # I_2 ⊗ S: the identity factor is never made
    np.testing.assert_array_equal(J.R, S)
    np.testing.assert_array_equal(J.matrix, np.kron(np.eye(2), S))
    assert (J.out_shape, J.in_shape, J.closed_form) == ((2, 3), (2, 3), "I_n ⊗ S, S[j, ids[j]] = 1")


def test_without_ids_every_token_is_taken_in_order():
    E = np.random.default_rng(0).normal(size=(3, 4))
    r = embedding(E)
    np.testing.assert_array_equal(r.value, E)
    np.testing.assert_array_equal(r.jacobian.matrix, np.eye(12))


@st.composite
def tables(draw):
    n, vocab, s = draw(st.integers(1, 5)), draw(st.integers(1, 6)), draw(st.integers(1, 7))
    ids = draw(st.lists(st.integers(0, vocab - 1), min_size=s, max_size=s))  # repeats allowed
    E = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).normal(size=(n, vocab))
    return E, np.array(ids)


@given(tables())
def test_jacobian_equals_complex_step(table):
    E, ids = table
    J = embedding(E, ids=ids).jacobian
    N = numeric(lambda v: embedding(v, ids=ids).value, E, method="complex")
    np.testing.assert_array_equal(J.matrix, N.matrix)  # a selection: exact
    assert J.shape == (E.shape[0] * ids.size, E.size)


@given(tables())
def test_a_row_times_the_jacobian_is_the_scatter_add(table):
    """g · (I_n ⊗ S) adds each token's gradient into the column of its id (repeats add up)."""
    E, ids = table
    G = np.random.default_rng(ids.size).normal(size=(E.shape[0], ids.size))
    want = np.zeros_like(E)
    np.add.at(want, (slice(None), ids), G)
    got = embedding(E, ids=ids).jacobian.right(G.reshape(1, -1)).reshape(E.shape)
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=1e-15)


def test_dtypes_follow_the_table():
    r = embedding(np.ones((2, 3), dtype=np.float32), ids=np.array([1, 1], dtype=np.int8))
    assert r.value.dtype == np.float32 and r.jacobian.matrix.dtype == np.float32
    assert embedding(np.ones((2, 3), dtype=int), ids=[0]).value.dtype == np.float64


@pytest.mark.parametrize(
    ("ids", "error", "text"),
    [
        ([0, 3], InputError, "ids[1] = 3"),
        ([-1], InputError, "ids[0] = -1"),
        ([0.0, 1.0], InputTypeError, "astype(int)"),
        ([0.5], InputTypeError, "dtype float64"),
        ([True, False], InputTypeError, "dtype bool"),
        ([[0, 1]], ShapeError, "shape (1, 2)"),
        (1, ShapeError, "ids=[v]"),
        ([], ShapeError, "at least one"),
        ("01", InputTypeError, "a str"),
    ],
)
def test_bad_ids_are_refused_by_name(ids, error, text):
    with pytest.raises(error) as e:
        embedding(np.ones((2, 3)), ids=ids)
    assert e.value.op == "embedding" and e.value.arg == "ids"
    assert text in str(e.value)
    assert "0..2" in str(e.value) or "vocabulary" in str(e.value)


def test_a_table_must_be_a_matrix():
    with pytest.raises(ShapeError) as e:
        embedding(np.ones(3), ids=[0])
    assert e.value.arg == "E"
