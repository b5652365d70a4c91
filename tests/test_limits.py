"""One limit, checked before the work: every builder of an array that grows with a product of
sizes refuses past ``jacobians.dense_limit()`` with DenseLimitError, naming the sizes and how to
raise the limit, without allocating; and ``numeric`` holds about its output and no more.

Each refusal is measured with tracemalloc: what it allocates must stay far below what it refuses.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

import jacobians
import reshape
from derivations import cli, mlp, single_layer, softmax_cross_entropy
from derivations.plot import chain_cells, chain_figure, check_chain_size
from jacobians import DenseLimitError, Layer, numeric, set_dense_limit, verify
from net import MLP
from reshape import InputError, InputTypeError, ShapeError

SMALL = 4 * 1024**2  # what a refusal may allocate at most (the point f is called at, messages)


@contextmanager
def limit(nbytes: int) -> Iterator[None]:
    previous = set_dense_limit(nbytes)
    try:
        yield
    finally:
        set_dense_limit(previous)


def refused(call: Callable[[], Any], error: type[Exception] = DenseLimitError) -> str:
    """The message of ``call``'s refusal, checked to allocate less than SMALL on the way."""
    tracemalloc.start()
    try:
        with pytest.raises(error) as info:
            call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < SMALL, f"allocated {peak} bytes before refusing"
    return str(info.value)


def assert_names(message: str, *words: str) -> None:
    for word in words:
        assert word in message, message


HOW = ("set_dense_limit", "JACOBIANS_DENSE_LIMIT")


# ----- the one limit: reshape holds it, jacobians sets it, everyone reads it -----


def test_one_limit_shared_by_reshape_and_jacobians():
    with limit(12345):
        assert reshape.dense_limit() == jacobians.dense_limit() == 12345
        assert jacobians._limit._dense_limit == 12345  # read by the product planner
        assert reshape.DenseLimitError is jacobians.DenseLimitError
        assert issubclass(DenseLimitError, MemoryError)
    assert reshape.dense_limit() == jacobians.dense_limit()


def test_the_error_carries_what_was_needed_and_the_limit():
    with limit(1000), pytest.raises(DenseLimitError) as info:
        reshape.check_bytes("op", "a 100×100 matrix", 80_000)
    assert (info.value.needed, info.value.limit) == (80_000, 1000)
    assert_names(str(info.value), "op:", "a 100×100 matrix", "78.1 KiB", "1000 bytes", *HOW)


def test_what_is_kept_between_calls_meets_a_limit_lowered_since():
    jacobians.Permutation.transpose_of(300, 200)  # made, and kept where small, at the default
    with limit(100_000):
        refused(lambda: jacobians.Permutation.transpose_of(300, 200))
        refused(lambda: jacobians.Permutation.transpose_of(20, 1000))
    jacobians.Permutation.transpose_of(20, 1000)
    # an expression's plans depend on the limit: two dense terms past it are kept a Sum
    r = np.random.default_rng(0)
    values = {"A": r.normal(size=(30, 30)), "B": r.normal(size=(30, 30)), "x": r.normal(size=30)}
    e = jacobians.parse("A*x + B*x", ["A=30x30", "B=30x30"])
    at_default = e.costs("x", values)["additions"]["cheapest"]
    with limit(4000):
        assert e.costs("x", values)["additions"]["cheapest"] == 0 < at_default


# ----- reshape: commutation and kron_matrix -----


def test_commutation_130_is_refused_at_once():
    msg = refused(lambda: reshape.commutation(130, 130))  # 2.1 GiB: 21 s before this limit
    assert_names(msg, "commutation", "K_{130,130}", "16900×16900", "2.1 GiB", "2.0 GiB", *HOW)
    assert_names(msg, "reorder")  # the way around it
    refused(lambda: reshape.commutation(10**9, 10**9))  # Python ints: no overflow on the way


def test_commutation_within_the_limit_is_built_in_place():
    with limit(8 * 36):
        K = reshape.commutation(2, 3)
        refused(lambda: reshape.commutation(3, 3))
    np.testing.assert_array_equal(K @ reshape.vec(np.arange(6.0).reshape(2, 3), "F"), np.arange(6))


def test_kron_matrix_is_refused_before_np_kron():
    A, B = np.ones((100, 100)), np.ones((100, 50))  # A ⊗ Bᵀ: 5000×10000, 381 MiB
    with limit(1024**2):
        msg = refused(lambda: reshape.kron_matrix(A, B))
        assert_names(msg, "kron_matrix", "5000×10000", "A ⊗ Bᵀ", "(100, 100)", "(100, 50)", *HOW)
        assert "Bᵀ ⊗ A" in refused(lambda: reshape.kron_matrix(A, B, order="F"))
        assert reshape.kron_matrix(np.eye(2), np.ones((3, 1))).shape == (2, 6)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: reshape.commutation(2.5, 2), InputTypeError, ["commutation", "'m'", "2.5"]),
        (lambda: reshape.commutation("3", 2), InputTypeError, ["'m'", "'3'"]),
        (lambda: reshape.commutation(float("inf"), 2), InputTypeError, ["'m'", "inf"]),
        (lambda: reshape.commutation(2, float("nan")), InputTypeError, ["'n'", "nan"]),
        (lambda: reshape.commutation(2.0, 2), InputTypeError, ["'m'", "int(2.0)"]),
        (lambda: reshape.commutation(True, 2), InputTypeError, ["'m'", "True"]),
        (lambda: reshape.commutation(0, 2), InputError, ["'m'", "≥ 1", "0"]),
        (lambda: reshape.commutation(None, 2), InputTypeError, ["'m'", "None"]),
        (lambda: reshape.unvec(np.arange(4.0), "ab"), InputTypeError, ["unvec", "'shape'", "'ab'"]),
        (lambda: reshape.unvec(np.arange(4.0), 4), InputTypeError, ["unvec", "'shape'"]),
        (lambda: reshape.unvec(np.arange(4.0), (2.0, 2)), InputTypeError, ["entry 0", "2.0"]),
        (lambda: reshape.unvec(np.arange(4.0), (2, -2)), ShapeError, ["entry 1", "-2"]),
        (lambda: reshape.flatten(np.ones((2, 2)), None), InputTypeError, ["'out_ndim'", "None"]),
        (lambda: reshape.flatten(np.ones((2, 2)), 1.0), InputTypeError, ["'out_ndim'"]),
        (lambda: reshape.flatten(np.ones((2, 2)), "1"), InputTypeError, ["'out_ndim'", "'1'"]),
        (lambda: reshape.vec(np.ones(2), order=["C"]), InputError, ["'order'"]),
        (lambda: reshape.check_bytes("op", "x", 2.5), InputTypeError, ["op", "'nbytes'"]),
    ],
)
def test_sizes_are_whole_numbers(call, error, words):
    assert_names(refused(call, error), *words)


def test_sizes_may_be_numpy_integers():
    K = reshape.commutation(np.int64(2), np.int32(3))
    assert K.shape == (6, 6)
    assert reshape.unvec(np.arange(6.0), np.array([2, 3])).shape == (2, 3)
    assert reshape.flatten(np.ones((2, 3, 4)), np.int8(1)).shape == (2, 12)


# ----- numeric and verify: output and working memory, weighed after one call of f -----


def test_numeric_on_20000_entries_is_refused_at_once():
    x = np.zeros(20_000)  # 20000×20000 with its error estimate: 6 GiB, 32 s before this limit
    msg = refused(lambda: numeric(np.sin, x))
    assert_names(msg, "numeric", "20000×20000", "error estimate", "6.0 GiB", *HOW)


def test_verify_weighs_its_comparison_too():
    x = np.zeros(20_000)
    msg = refused(lambda: verify(np.sin, x, np.eye(3)))
    assert_names(msg, "verify", "20000×20000", "more of that size", *HOW)
    # numeric keeps 2 matrices, verify up to 12: a limit between the two tells them apart
    x = np.linspace(0.1, 1.0, 100)
    with limit(2 * 8 * 100 * 100):
        assert numeric(np.sin, x, "complex").shape == (100, 100)
        refused(lambda: verify(np.sin, x, np.diag(np.cos(x))))
    assert verify(np.sin, x, np.diag(np.cos(x))).matches


def test_a_scalar_cost_of_many_entries_is_not_refused():
    x = np.linspace(0, 1, 5000)  # the 1×5000 row (39 KiB), where 5000×5000 would pass 1 MiB
    with limit(1024**2):
        N = numeric(lambda v: np.sum(v**2), x, "complex")
        refused(lambda: numeric(np.sin, x, "complex"))
    np.testing.assert_allclose(N.matrix[0], 2 * x, rtol=1e-14)


def _light(n_out: int, n_in: int) -> tuple[Callable[[np.ndarray], np.ndarray], np.ndarray]:
    """f: R^n_in -> R^n_out whose own evaluation needs a few vectors, so what tracemalloc sees is
    numeric's memory, not f's (a dense A @ v would cost f an n_out×n_in complex copy of A)."""
    rng = np.random.default_rng(0)
    idx, w = np.arange(n_out) % n_in, rng.normal(size=n_out)

    def f(v: np.ndarray) -> np.ndarray:
        return np.tanh(w * v[idx] + 0.1 * v.sum())

    return f, rng.normal(size=n_in)


@pytest.mark.parametrize("method", ["central", "complex", "auto", "richardson"])
def test_numeric_holds_about_its_output(method):
    f, x = _light(400, 500)
    output = 400 * 500 * 8 * (2 if method == "richardson" else 1)  # Richardson: J and its error
    tracemalloc.start()
    try:
        N = numeric(f, x, method)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        error = N.error  # central, complex step: computed on first use, into one more matrix
        error_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= 1.6 * output, peak / output
    assert error_peak <= N.matrix.nbytes * 2.6, error_peak / N.matrix.nbytes
    assert error.shape == N.matrix.shape and np.all(error > 0)


def _old_central(f, x):
    """The central differences and error of the former numeric, whole matrices at a time."""
    eps = np.finfo(float).eps
    cols, rounding, cols2 = [], [], []
    for mult, out in ((1.0, cols), (2.0, cols2)):
        for k in range(x.size):
            h = mult * np.cbrt(eps) * max(1.0, abs(x[k]))
            xp, xm = x.copy(), x.copy()
            xp[k] += h
            xm[k] -= h
            fp, fm = f(xp), f(xm)
            out.append((fp - fm) / (xp[k] - xm[k]))
            if mult == 1.0:
                rounding.append(8 * eps * (np.abs(fp) + np.abs(fm)) / (xp[k] - xm[k]))
    J = np.stack(cols, axis=1)
    return J, np.abs(J - np.stack(cols2, axis=1)) / 3 + np.stack(rounding, axis=1)


def test_central_differences_are_the_same_numbers_as_before():
    f, x = _light(7, 5)
    J, err = _old_central(f, x)
    N = numeric(f, x, "central")
    np.testing.assert_array_equal(N.matrix, J)
    np.testing.assert_array_equal(N.error, err)


# ----- verify's options, checked before the work, whether or not the claim matches -----


def test_verify_options():
    x = np.array([1.0, 2.0])
    right = np.diag(2 * x)
    assert verify(lambda v: v**2, x, right, rtol=np.float32(1e-6), atol=np.float64(0)).matches
    assert verify(lambda v: v**2, x, right, max_entries=np.int64(2)).matches
    for options, words in (
        ({"rtol": None}, ["verify", "'rtol'", "None"]),
        ({"rtol": float("nan")}, ["'rtol'", "nan"]),
        ({"rtol": 1e300}, ["'rtol'", "[0, 1]"]),
        ({"atol": "0"}, ["'atol'"]),
        ({"layer": "sigmoid"}, ["'layer'", "jacobians.Layer", "'sigmoid'"]),  # claim matches
        ({"layer": []}, ["'layer'"]),
        ({"layer": [Layer("sigmoid", pre=lambda v: v), 3]}, ["'layer[1]'"]),
        ({"method": "exact"}, ["'method'", "'exact'"]),
        ({"form": ["matrix"]}, ["'form'"]),
    ):
        assert_names(
            refused(lambda o=options: verify(lambda v: v**2, x, right, **o), InputError), *words
        )


@pytest.mark.parametrize(
    ("fields", "arg"),
    [
        ({"activation": "sigmiod"}, "'activation'"),
        ({"activation": None}, "'activation'"),
        ({"pre": 3}, "'pre'"),
        ({"post": "a"}, "'post'"),
        ({"options": [0.1]}, "'options'"),
    ],
)
def test_a_layer_is_checked_when_it_is_made(fields, arg):
    given = {"activation": "sigmoid", "pre": lambda v: v, **fields}
    assert_names(refused(lambda: Layer(**given), InputError), "Layer", arg)


# ----- net.MLP: its parameters -----


def test_mlp_parameters_are_weighed_before_they_are_drawn():
    msg = refused(lambda: MLP([50_000, 50_000, 1], ["tanh", "identity"]))
    assert_names(msg, "MLP", "2,500,100,001 parameters", "[50000, 50000, 1]", "W1", "50000×50000")
    assert_names(msg, "18.6 GiB", "smaller sizes", *HOW)
    with limit(8 * 9):  # W1 2×2, b1 2, W2 1×2, b2 1: 9 parameters
        MLP([2, 2, 1], ["tanh", "identity"])
        refused(lambda: MLP([2, 3, 1], ["tanh", "identity"]))


# ----- the commands: check and plot refuse before the work -----


def _check_args(*argv: str) -> Any:
    return cli.build_parser().parse_args(["check", *argv])


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--sizes", "200,200,1"], ["numeric gradient of 40401 parameters", "12.6 GiB"]),
        (["--sizes", "5000,5000,10"], ["numeric gradient of 25055010 parameters"]),
        (["--samples", "1000000000"], ["batch of 1000000000 samples", "--samples"]),
        (["--sizes", "4,16,16,3", "--samples", "1000000"], ["numeric gradient", "--samples"]),
    ],
)
def test_check_refuses_before_the_work(argv, words):
    args = _check_args(*argv)
    msg = refused(lambda: args._module.run(args))
    assert_names(msg, "check:", *words, *HOW)


def test_check_within_the_limit_runs(capsys):
    args = _check_args("--sizes", "3,4,2", "--samples", "2")
    assert args._module.run(args) == 0
    assert "agree" in capsys.readouterr().out


CHAINS = [
    ("layer", {}, lambda: single_layer()),
    ("layer", {"n": 5, "m": 2, "wrt": "b"}, lambda: single_layer(5, 2, wrt="b")),
    ("layer", {"n": 5, "m": 2, "wrt": "x"}, lambda: single_layer(5, 2, wrt="x")),
    ("softmax", {}, lambda: softmax_cross_entropy()),
    ("softmax", {"n": 3, "m": 5, "wrt": "x"}, lambda: softmax_cross_entropy(3, 5, wrt="x")),
    ("mlp", {}, lambda: mlp([2, 3, 3, 1])),
    ("mlp", {"sizes": [2, 3, 5, 1], "wrt": "W1"}, lambda: mlp([2, 3, 5, 1], wrt="W1")),
    ("mlp", {"sizes": [2, 3, 5, 4], "wrt": "b2"}, lambda: mlp([2, 3, 5, 4], wrt="b2")),
]


@pytest.mark.parametrize(("source", "options", "make"), CHAINS)
def test_chain_cells_counts_what_the_figure_draws(source, options, make):
    d = make()
    drawn = sum(F.jacobian.matrix.size for F in d.factors) + 2 * d.gradient.size
    assert chain_cells(source, **options) == drawn


def test_plot_refuses_before_the_derivation():
    msg = refused(lambda: check_chain_size("layer", n=100, m=100), InputError)  # 15 s before
    assert_names(msg, "plot", "'n, m'", "n = 100, m = 100", "100×10000", "smaller sizes")
    msg = refused(lambda: check_chain_size("mlp", sizes=[5000, 5000, 10]), InputError)
    assert_names(msg, "'sizes'", "[5000, 5000, 10]")
    with limit(1024**2):  # past the limit on memory when drawing more cells is allowed
        msg = refused(lambda: check_chain_size("layer", n=100, m=100, max_cells=10**9))
        assert_names(msg, "plot", "1030100 entries", *HOW)
    check_chain_size("mlp", sizes=[4, 8, 8, 3], wrt="W2")
    check_chain_size("mlp", sizes=[4, 8], wrt="W9")  # not a derivation's: it will say why


def test_chain_figure_refuses_before_making_factors_dense():
    d = single_layer(20, 30)
    with pytest.raises(InputError, match="choose smaller sizes"):
        chain_figure(d, max_cells=100)
    with pytest.raises(InputTypeError, match="max_cells"):
        chain_figure(d, max_cells=1.5)
