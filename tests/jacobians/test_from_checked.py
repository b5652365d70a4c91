"""Structures made inside from_checked (by the rule builders, from contexts prepare checked) take
their arrays as given; outside it, a user's structures are checked in full."""

import numpy as np
import pytest

from jacobians import Dense, Diagonal, Identity, InputError, Kronecker, linear, tanh
from jacobians._structure_args import building, from_checked, products_are_tested, products_tested
from reshape import InputTypeError, assume_finite, finite_assumed


def test_the_block_sets_both_flags_and_restores_them():
    assert not building() and not finite_assumed()
    with from_checked():
        assert building() and finite_assumed()
        with from_checked():
            assert building()
        assert building()
    assert not building() and not finite_assumed()
    with pytest.raises(RuntimeError), from_checked():
        raise RuntimeError("restored on the way out")
    assert not building() and not finite_assumed()


def test_inside_arrays_are_taken_as_given_outside_they_are_checked():
    nan = np.array([1.0, np.nan])
    with from_checked():
        d = np.ones(3)
        assert Diagonal(d).d is d  # no copy, no scan
        assert Dense(np.ones((2, 3))).shape == (2, 3)
        assert Kronecker(2, np.ones((1, 3))).shape == (2, 6)
        assert Identity((4,)).shape == (4, 4)
        assert np.isnan(Diagonal(nan).d).any()  # not scanned: the builder vouched for it
        assert Diagonal(np.array([1, 2])).dtype == np.float64  # integers still promoted
        with pytest.raises(InputTypeError):
            Diagonal(np.array([True, False]))  # not a float array: checked as ever
    with pytest.raises(InputError, match="NaN"):
        Diagonal(nan)
    with pytest.raises(InputError):
        Identity((0,))


def test_an_operations_jacobians_are_built_inside_it_and_checked_as_before():
    J = tanh(np.array([0.0, 1.0])).jacobians["z"]
    np.testing.assert_allclose(J.matrix, np.diag(1 - np.tanh([0.0, 1.0]) ** 2))
    assert not building()


def test_products_tested_silences_numpy_and_untests_only_its_block():
    """Inside products_tested a rule builder leaves σ′ untested (the caller tests its products)
    and numpy's warnings are off; outside, both are as before, even after an error."""
    assert not products_are_tested()
    with products_tested():
        assert products_are_tested() and building() and finite_assumed()
        assert np.geterr()["over"] == "ignore"
        np.exp(np.array([1000.0]))  # no warning (filterwarnings = error would raise)
    assert not products_are_tested() and not building() and np.geterr()["over"] != "ignore"
    with pytest.raises(RuntimeError), products_tested():
        raise RuntimeError("restored on the way out")
    assert not products_are_tested() and not building()


def test_a_batch_bias_jacobian_shares_one_read_only_ones_column():
    W, X, b = np.ones((2, 3)), np.ones((3, 4)), np.zeros(2)
    J1, J2 = (linear(W, X, b).jacobians["b"] for _ in range(2))
    assert J1.R is J2.R and J1.R.shape == (4, 1) and not J1.R.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        J1.R[0, 0] = 2.0
    np.testing.assert_array_equal(J1.matrix, np.kron(np.eye(2), np.ones((4, 1))))


def test_a_builders_structures_start_with_the_default_labels_and_keep_their_own():
    """Inside from_checked a Diagonal or Kronecker made without labels sets only its shapes and
    data (the labels are the class's defaults); labelling one changes no other."""
    with from_checked():
        D1, D2 = Diagonal(np.ones((2, 3))), Diagonal(np.ones(4))
        K1, K2 = Kronecker(2, np.ones((1, 3))), Kronecker(np.ones((2, 2)), 3)
        labelled = Diagonal(np.ones(2), of="a", wrt="z", closed_form="diag(σ′(z))")
    assert (D1.out_shape, D1.in_shape, D2.shape) == ((2, 3), (2, 3), (4, 4))
    assert (K1.shape, K1.in_shape, K2.shape) == ((2, 6), (6,), (6, 6))
    assert {J.symbol for J in (D1, D2, K1, K2)} == {"∂f/∂x"}
    assert labelled.symbol == "∂a/∂z" and labelled.closed_form == "diag(σ′(z))"
    D1.label("a", "z", "diag(σ′(z))")
    assert (
        D1.symbol == "∂a/∂z"
        and D2.symbol == "∂f/∂x"
        and D2.closed_form == Diagonal(np.ones(4)).closed_form
    )
    assert K1.structure == Kronecker(2, np.ones((1, 3))).structure  # made when asked
    np.testing.assert_array_equal(K2.matrix, np.kron(np.ones((2, 2)), np.eye(3)))


@pytest.mark.parametrize("block", [assume_finite, from_checked, products_tested])
def test_a_block_entered_again_is_refused_and_leaves_every_check_on(block):
    b = block()
    with pytest.raises(RuntimeError, match="open already"):
        with b:
            with b:  # the same object: its token would be lost, and the checks with it
                pass
    assert not (finite_assumed() or building() or products_are_tested())
    assert np.geterr()["over"] != "ignore"
    with pytest.raises(InputError):
        tanh(np.array([np.nan, 1.0]))
    with b:  # closed, it opens again
        assert finite_assumed()
