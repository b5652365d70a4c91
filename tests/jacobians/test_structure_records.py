"""What a Jacobian hands to numpy and takes from a caller: ``np.array(J)`` a copy of its own,
plan refusing Structure records it cannot read (naming sa or sb), and labelled checking its
arguments."""

import numpy as np
import pytest
from hypothesis import given

import jacobians as J
from jacobians import (
    Dense,
    Diagonal,
    Identity,
    InputError,
    InputTypeError,
    Kronecker,
    Product,
    ShapeError,
    Structure,
)
from jacobians._planner import STRUCTURES
from jacobians._planner_records import check_structure

from .test_structures_edges import LOW, pairs


# ----- numpy's copy protocol -----
def test_np_array_of_a_dense_is_a_copy_of_its_own():
    W = np.ones((2, 2))
    D = Dense(W)
    A = np.array(D)  # numpy 2 asks __array__ for copy=True
    assert not np.shares_memory(A, W) and A.flags.writeable
    A[0, 0] = 5.0
    assert W[0, 0] == 1.0 and D.matrix[0, 0] == 1.0
    view = np.asarray(D)  # copy=None: the read-only view, no copy
    assert np.shares_memory(view, W) and not view.flags.writeable
    assert np.asarray(D, dtype=np.float32).dtype == np.float32


NUMPY_2 = np.lib.NumpyVersion(np.__version__) >= "2.0.0"


@pytest.mark.skipif(not NUMPY_2, reason="numpy 1's asarray has no copy argument")
def test_copy_false_is_given_only_what_needs_no_copy():
    W = np.ones((2, 2))
    D = Dense(W)
    assert np.shares_memory(np.asarray(D, copy=False), W)
    assert np.shares_memory(np.asarray(D, dtype=np.float64, copy=False), W)
    with pytest.raises(ValueError, match="copy"):
        np.asarray(D, dtype=np.float32, copy=False)
    with pytest.raises(ValueError, match="copy") as err:
        np.asarray(Kronecker(2, np.array([[1.0, 2.0]])), copy=False)
    assert isinstance(err.value, InputError) and err.value.arg == "copy"


def test_np_array_of_a_structure_builds_its_matrix():
    K = Kronecker(2, np.array([[1.0, 2.0]]))
    for M in (np.array(K), np.asarray(K)):
        np.testing.assert_array_equal(M, K.matrix)
        assert M.flags.writeable
    assert np.array(K, dtype=np.float32).dtype == np.float32
    # a product's matrix may be a factor's own array passed through by identities: still copied
    W = np.arange(4.0).reshape(2, 2)
    P = Product(Identity((2,)), Dense(W))
    A = np.array(P)
    assert not np.shares_memory(A, W) and A.flags.writeable
    np.testing.assert_array_equal(A, W)


# ----- plan refuses records it cannot read, naming sa or sb -----
S_ = Structure
MALFORMED = [
    (S_("toeplitz", 3, 3), "block"),
    (S_("toeplitz", 3, 3, block=0), "block"),
    (S_("product", 3, 3), "terms"),
    (S_("product", 3, 3, terms=()), "terms"),
    (S_("product", 3, 3, terms=(S_("dense", 3, 2), S_("dense", 3, 3))), "columns before"),
    (S_("product", 3, 3, terms=(S_("dense", 3, 2), S_("dense", 2, 4))), "product 3×3"),
    (S_("sum", 3, 3), "terms"),
    (S_("sum", 3, 3, terms=()), "terms"),
    (S_("sum", 3, 3, terms=(S_("dense", 3, 3), S_("dense", 3, 2))), "in a sum"),
    (S_("sum", 3, 3, terms=(S_("toeplitz", 3, 3),)), "terms[0] of"),
    (S_("kronecker", 4, 4), "left and right"),
    (S_("kronecker", 4, 4, left=(2, 2), right=(2, 2)), "triple"),
    (S_("kronecker", 4, 4, left=(2, 2, 1), right=(2, 2, True)), "bool"),
    (S_("kronecker", 4, 4, left=(2, 2.0, False), right=(2, 2, True)), "whole"),
    (S_("kronecker", 4, 4, left=(2, 3, True), right=(2, 2, True)), "identity that is not square"),
    (S_("kronecker", 4, 4, left=(2, 2, True), right=(3, 3, True)), "not 4×4"),
    (S_("block-diagonal", 4, 4), "block"),
    (S_("block-diagonal", 4, 4, block=3), "do not divide its 4 rows"),
    (S_("block-diagonal", 4, 3, block=2), "do not divide its 3 columns"),
    (S_(LOW, 4, 4, low_rank=(1, 1)), "block"),
    (S_(LOW, 4, 4, block=3, low_rank=(1, 1)), "dividing 4"),
    (S_(LOW, 4, 4, block=2, low_rank=(0, 1)), "k ≥ 1"),
    (S_(LOW, 4, 4, block=2, low_rank=(1, 3)), "axis"),
    (S_(LOW, 4, 4, block=2, low_rank=(1, True)), "axis"),
    (S_(LOW, 4, 6, block=2, low_rank=(1, 1)), "square"),
    (S_("identity", 4, 3), "square"),
    (S_("diagonal", 3, 4), "square"),
    (S_("permutation", 2, 3), "square"),
    (S_("dense", 3, 0), "≥ 1"),
    (S_("nonsense", 3, 3), "kind"),
]


@pytest.mark.parametrize(
    ("bad", "says"), MALFORMED, ids=[f"{s.kind}-{i}" for i, (s, _) in enumerate(MALFORMED)]
)
def test_plan_refuses_a_malformed_structure_naming_it(bad, says):
    good = lambda rows, cols: S_("dense", rows, cols)
    with pytest.raises(InputError, match="plan") as err:
        J.plan(bad, good(bad.cols, 2))
    assert err.value.arg == "sa" and says in str(err.value), str(err.value)
    with pytest.raises(InputError, match="plan") as err:
        J.plan(good(2, bad.rows), bad)
    assert err.value.arg == "sb" and says in str(err.value)


@pytest.mark.parametrize(
    "bad",
    [
        "dense",
        (3, 3),
        S_("dense", 3.0, 3),
        S_("dense", True, 3),
        S_("kronecker", 4, 4, left=(2, 2, "yes"), right=(2, 2, True)),
        S_("sum", 3, 3, terms=(S_("dense", 3, 3), "x")),
    ],
)
def test_plan_refuses_what_is_not_a_structure_record_as_a_type_error_or_input_error(bad):
    with pytest.raises(InputError) as err:
        J.plan(bad, S_("dense", 3, 3))
    assert err.value.arg == "sa"
    if not isinstance(bad, Structure) or bad.kind != "kronecker":
        assert isinstance(err.value, InputTypeError)


@given(AB=pairs())
def test_every_jacobians_own_structure_is_accepted_and_costs_are_whole(AB):
    for F in AB:
        check_structure("sa", F.structure, STRUCTURES)  # no error: a real record is never refused
        cost, out, _ = J.plan(F.structure, F.structure)
        assert isinstance(cost, int) and cost >= 0 and (out.rows, out.cols) == F.shape


# ----- labelled is checked; label is the unchecked internal form -----
def test_labelled_checks_its_arguments_naming_each():
    D = Diagonal(np.ones(6))
    for args, kw, arg, error in [
        (("a", "b", 3), {}, "closed_form", InputTypeError),
        ((1, "b"), {}, "of", InputTypeError),
        (("a", None), {}, "wrt", InputTypeError),
        (("a", "b", None, ["x"]), {}, "latex", InputTypeError),
        (("a", "b"), {"out_shape": "ab"}, "out_shape", InputTypeError),
        (("a", "b"), {"in_shape": (2, 0, 3)}, "in_shape", InputError),
        (("a", "b"), {"in_shape": (2.5, 2)}, "in_shape", InputTypeError),
        (("a", "b"), {"out_shape": (3,)}, "out_shape/in_shape", ShapeError),
        (("a", "b"), {"out_shape": (2, 3), "in_shape": (7,)}, "out_shape/in_shape", ShapeError),
    ]:
        with pytest.raises(error, match=r"Diagonal\.labelled") as err:
            D.labelled(*args, **kw)
        assert err.value.arg == arg, (args, kw, err.value)
    assert D.symbol == "∂f/∂x" and D.out_shape == (6,)  # nothing changed by a refusal


def test_labelled_is_a_copy_with_labels_and_shapes_of_the_same_sizes():
    d = np.arange(1.0, 7.0)
    D = Diagonal(d)
    L = D.labelled("y", "z", "diag(d)", None, out_shape=(2, 3), in_shape=[3, 2])
    assert (L.symbol, L.closed_form, L.out_shape, L.in_shape) == (
        "∂y/∂z",
        "diag(d)",
        (2, 3),
        (3, 2),
    )
    assert L.tensor.shape == (2, 3, 3, 2) and L.tensor[1, 2, 2, 1] == 6.0
    assert (D.symbol, D.out_shape, D.in_shape) == ("∂f/∂x", (6,), (6,))
    np.testing.assert_array_equal(L.matrix, D.matrix)
    assert D.labelled("y", "z").closed_form == "∂y/∂z"
    # label is the internal, unchecked form (documented so): it labels in place
    assert D._copy().label("y", "z").symbol == "∂y/∂z"
    assert "internal" in Diagonal.label.__doc__ and "labelled" in Diagonal.label.__doc__
