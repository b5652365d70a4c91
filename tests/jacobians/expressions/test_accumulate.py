"""The explicit Jacobian of an expression graph: chains against `chain`, fan-out against numerics,
reverse = forward = cheapest, costs, column-major order, gradients, paths and errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobians as J
from jacobians import OPERATIONS, Dense, Diagonal, Identity, Kronecker, chain, chain_costs
from jacobians._permutation import Permutation
from jacobians._sum import add_jacobians
from jacobians.expressions import Variable
from jacobians.expressions._accumulate import (
    MAX_PATHS,
    _prepare,
    column_major,
    costs,
    gradient,
    jacobian,
    paths,
)
from jacobians.expressions._elimination import PLANNING, RUNNING, plan_sum, plans, run, simulate
from jacobians.expressions._evaluate import evaluate
from reshape import InputError, ShapeError, commutation

seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(2, 5)
METHODS = ("reverse", "forward", "cheapest")


def needs(*names):
    """Skip while an operation another helper is adding is not registered for expressions."""
    missing = [n for n in names if n not in OPERATIONS or OPERATIONS[n].shape_of is None]
    if missing:
        pytest.skip(f"operations not registered for expressions yet: {', '.join(missing)}")


def close(a, b, rtol=1e-12):
    a, b = np.asarray(a), np.asarray(b)
    scale = float(np.abs(b).max(initial=0)) or 1.0  # relative to the largest entry
    np.testing.assert_allclose(a, b, rtol=0, atol=rtol * scale)


def numeric_jacobian(e, wrt, values):
    """The referee: complex-step differentiation of the expression evaluated at perturbed values."""

    def f(v):
        return evaluate(e, {**values, wrt: v}).value(e)

    return J.numeric(f, np.asarray(values[wrt], dtype=float), "complex").matrix


def every_method(e, wrt, values):
    """The Jacobian by each method, all equal to 1e-12; returns the reverse one."""
    Js = {m: jacobian(e, wrt, values, method=m) for m in METHODS}
    for m in METHODS[1:]:
        close(Js[m].matrix, Js["reverse"].matrix)
    return Js["reverse"]


def layer(n, m):
    """C = ½‖tanh(Wx + b) − y‖² from Variables: the seeds' chain, written as an expression."""
    needs("linear", "tanh", "squared_error")
    W, x = Variable("W", (n, m)), Variable("x", (m,))
    b, y = Variable("b", (n,)), Variable("y", (n,))
    return J.squared_error(J.tanh(J.linear(W, x, b)), y)


# ----- a graph that is a chain is the chain -----
@given(n=sizes, m=sizes, seed=seeds)
def test_linear_tanh_squared_error_is_the_chain(n, m, seed):
    e = layer(n, m)
    r = np.random.default_rng(seed)
    v = {"W": r.normal(size=(n, m)), "x": r.normal(size=m), "b": r.normal(size=n)}
    v["y"] = r.normal(size=n)
    z = J.linear(v["W"], v["x"], v["b"])
    a = J.tanh(z.value)
    C = J.squared_error(a.value, v["y"])
    for name in ("W", "x", "b"):
        factors = (C.jacobian, a.jacobian, z.jacobians[name])
        want = chain_costs(*factors)
        got = costs(e, name, v)
        assert (got["reverse"], got["forward"]) == (want["left"], want["right"])
        assert got["cheapest"] == want["cheapest"]
        for method, order in zip(METHODS, ("left", "right", "cheapest"), strict=True):
            Jm = jacobian(e, name, v, method=method)
            close(Jm.matrix, chain(*factors, order=order).matrix)
            assert Jm.shape == (1, v[name].size)


@given(n=sizes, m=sizes, k=sizes, seed=seeds)
def test_matmul_chain_matches_chain_costs_and_values(n, m, k, seed):
    needs("matmul", "tanh")
    r = np.random.default_rng(seed)
    v = {"A": r.normal(size=(n, k)), "B": r.normal(size=(k, m)), "x": r.normal(size=(m, 1))}
    A, B, x = Variable("A", (n, k)), Variable("B", (k, m)), Variable("x", (m, 1))
    e = J.tanh(A @ J.tanh(B @ x))
    p1 = J.matmul(v["B"], v["x"])
    a1 = J.tanh(p1.value)
    p2 = J.matmul(v["A"], a1.value)
    a2 = J.tanh(p2.value)
    for name, last in (("x", p1.jacobians["B"]), ("B", p1.jacobians["A"])):
        factors = (a2.jacobian, p2.jacobians["B"], a1.jacobian, last)
        got, want = costs(e, name, v), chain_costs(*factors)
        assert (got["reverse"], got["forward"], got["cheapest"]) == (
            want["left"],
            want["right"],
            want["cheapest"],
        )
        close(every_method(e, name, v).matrix, chain(*factors).matrix)


# ----- fan-out and fan-in against numerics -----
@given(n=sizes, seed=seeds)
def test_matrix_square_sums_both_uses(n, seed):
    needs("matmul")
    X = Variable("X", (n, n))
    v = {"X": np.random.default_rng(seed).normal(size=(n, n))}
    got = every_method(X @ X, "X", v)
    assert got.kind == "sum"  # I ⊗ Xᵀ + X ⊗ I: two Kronecker terms, never made dense
    close(got.matrix, np.kron(np.eye(n), v["X"].T) + np.kron(v["X"], np.eye(n)))
    close(got.matrix, numeric_jacobian(X @ X, "X", v), 1e-10)


@given(n=sizes, seed=seeds)
def test_nested_fan_out_against_numerics(n, seed):
    needs("matmul", "tanh")
    r = np.random.default_rng(seed)
    X, W = Variable("X", (n, n)), Variable("W", (n, n))
    v = {"X": r.normal(size=(n, n)) / n, "W": r.normal(size=(n, n))}
    e = J.tanh(W @ X) @ X @ J.tanh(X)
    for name in ("X", "W"):
        close(every_method(e, name, v).matrix, numeric_jacobian(e, name, v), 1e-10)


@given(n=sizes, seed=seeds)
def test_quadratic_form(n, seed):
    needs("matmul", "transpose")
    r = np.random.default_rng(seed)
    A, x = Variable("A", (n, n)), Variable("x", (n,))
    v = {"A": r.normal(size=(n, n)), "x": r.normal(size=n)}
    e = x.T @ A @ x
    got = every_method(e, "x", v)
    close(got.matrix, (v["x"] @ (v["A"] + v["A"].T))[None, :], 1e-11)
    close(gradient(e, "x", v), (v["A"] + v["A"].T) @ v["x"], 1e-11)
    close(got.matrix, numeric_jacobian(e, "x", v), 1e-10)


@given(n=sizes, m=sizes, seed=seeds)
def test_gram_matrix(n, m, seed):
    needs("matmul", "transpose")
    X = Variable("X", (n, m))
    v = {"X": np.random.default_rng(seed).normal(size=(n, m))}
    got = every_method(X.T @ X, "X", v)
    close(got.matrix, numeric_jacobian(X.T @ X, "X", v), 1e-10)


@given(n=sizes, seed=seeds)
def test_residual_connection(n, seed):
    needs("matmul", "tanh", "add")
    r = np.random.default_rng(seed)
    W, x = Variable("W", (n, n)), Variable("x", (n,))
    v = {"W": r.normal(size=(n, n)), "x": r.normal(size=n)}
    e = x + J.tanh(W @ x)
    got = every_method(e, "x", v)
    want = np.eye(n) + (1 - np.tanh(v["W"] @ v["x"]) ** 2)[:, None] * v["W"]
    close(got.matrix, want)
    close(got.matrix, numeric_jacobian(e, "x", v), 1e-10)


@given(n=sizes, seed=seeds)
def test_a_variable_twice_as_arguments_of_one_node(n, seed):
    needs("squared_error", "tanh")
    x = Variable("x", (n,))
    v = {"x": np.random.default_rng(seed).normal(size=n)}
    e = J.squared_error(J.tanh(x), x)  # ½‖tanh(x) − x‖²: both arguments depend on x
    g = gradient(e, "x", v)
    t = np.tanh(v["x"])
    close(g, (t - v["x"]) * (1 - t**2) - (t - v["x"]))
    assert len(paths(e, "x")) == 2


def test_sums_keep_a_structure():
    needs("matmul", "add", "transpose")
    X, A = Variable("X", (3, 2)), Variable("A", (3, 3))
    v = {"X": np.arange(6.0).reshape(3, 2), "A": np.arange(9.0).reshape(3, 3)}
    assert jacobian(X + X, "X", v).kind == "diagonal"  # I + I = 2I
    got = jacobian(X + A @ X, "X", v)  # I + A ⊗ I = (I + A) ⊗ I
    assert got.kind == "kronecker"
    close(got.matrix, np.kron(np.eye(3) + v["A"], np.eye(2)))
    T = jacobian(X.T, "X", v)
    assert T.kind == "permutation"
    assert jacobian(X.T, "X", v, order="F").kind == "permutation"


def test_complex_values_flow_through():
    needs("matmul", "tanh")
    X = Variable("X", (2, 2))
    Xc = np.array([[1.0, 2.0], [3.0, 4.0]]) + 1e-3j
    got = jacobian(J.tanh(X) @ X, "X", {"X": Xc})
    assert got.dtype.kind == "c"


# ----- random graphs: every method, numerics, costs, the plan is what runs -----
UNARY = {"transpose": lambda a: a.T, "tanh": J.tanh, "sin": lambda a: OPERATIONS["sin"](a)}
UNARY["negate"] = lambda a: -a
BINARY = {
    "matmul": lambda a, b: a @ b,
    "add": lambda a, b: a + b,
    "subtract": lambda a, b: a - b,
    "multiply": lambda a, b: a * b,
}
steps = st.lists(
    st.tuples(
        st.sampled_from(sorted(UNARY) + sorted(BINARY)), st.integers(0, 99), st.integers(0, 99)
    ),
    min_size=1,
    max_size=7,
)


def build(program, final, n):
    """An expression of square X and A from (operation, operand, operand) steps, each operand
    any earlier node (so nodes are used several times: fan-out), ending in X, tr or sum."""
    needs(*UNARY, *BINARY, "tr", "sum")
    X, A = Variable("X", (n, n)), Variable("A", (n, n))
    pool = [X, A]
    for op, i, j in program:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        pool.append(UNARY[op](a) if op in UNARY else BINARY[op](a, b))
    e = pool[-1]
    if "X" not in e.variables():
        e = e @ X
    return e if final == "none" else OPERATIONS[final](e)


@given(program=steps, final=st.sampled_from(["none", "tr", "sum"]), n=sizes, seed=seeds)
def test_random_graphs(program, final, n, seed):
    e = build(program, final, n)
    r = np.random.default_rng(seed)
    v = {"X": r.normal(size=(n, n)) / n, "A": r.normal(size=(n, n)) / n}
    got = every_method(e, "X", v)
    close(got.matrix, numeric_jacobian(e, "X", v), 1e-9)
    c = costs(e, "X", v)
    assert c["cheapest"] <= min(c["reverse"], c["forward"])
    assert c["cheapest"] == min(c["orders"].values())
    assert c["paths"] == len(paths(e, "X"))
    # The multiply-adds planned are those the run does (fewer only where add_jacobians finds
    # equal Kronecker factors, which the structures cannot show).
    g = _prepare(e, "X", v, "test")[2]
    structs = type(g)(g.source, g.sink, g.inner, {k: Jk.structure for k, Jk in g.edges.items()})
    for p in plans(g).values():
        done, _, _ = simulate(g, p.order, RUNNING)
        assert done <= p.multiply_adds
        planned = simulate(structs, p.order, PLANNING)[2][(g.source, g.sink)]
        if done == p.multiply_adds:
            assert run(g, p.order).structure == planned
    Jf = jacobian(e, "X", v, order="F")
    close(Jf.matrix, _f_dense(got, got.out_shape, got.in_shape))


@given(n=sizes, m=sizes, seed=seeds)
def test_cheapest_is_never_dearer(n, m, seed):
    needs("matmul", "tanh")
    r = np.random.default_rng(seed)
    A, X = Variable("A", (m, n)), Variable("X", (n, n))
    v = {"A": r.normal(size=(m, n)), "X": r.normal(size=(n, n)) / n}
    e = A @ J.tanh(X @ X) @ X
    c = costs(e, "X", v)
    assert c["cheapest"] <= min(c["reverse"], c["forward"])
    assert c["paths"] == 3 and len(c["order"]) == 3  # X@X, its tanh, A times that


def test_a_scalar_output_makes_reverse_the_cheapest():
    e = layer(8, 6)
    r = np.random.default_rng(1)
    v = {"W": r.normal(size=(8, 6)), "x": r.normal(size=6), "b": r.normal(size=8)}
    v["y"] = r.normal(size=8)
    c = costs(e, "W", v)
    assert c["cheapest"] == c["reverse"] < c["forward"]
    assert c["strategy"] == "reverse"


def test_plan_sum_follows_add_jacobians():
    d = np.array([1.0, 2.0, 3.0, 4.0])
    cases = [
        (Identity((4,)), Diagonal(d)),
        (Kronecker(2, np.ones((2, 2))), Kronecker(2, np.eye(2))),
        (Kronecker(2, np.ones((2, 2))), Identity((4,))),
        (Kronecker(np.ones((2, 2)), 2), Kronecker(2, np.ones((2, 2)))),
        (Dense(np.ones((4, 4))), Kronecker(2, 2)),
        (Permutation([1, 0, 3, 2]), Diagonal(d)),
    ]
    for A, B in cases:
        S = add_jacobians(A, B)
        assert plan_sum(A.structure, B.structure)[1] == S.structure


# ----- column-major order -----
def _f_dense(Jc, out_shape, in_shape):
    """The referee: K_outᵀ · J · K_in with dense commutation matrices (small shapes only)."""
    K = lambda s: commutation(*s) if len(s) == 2 else np.eye(int(np.prod(s)))
    return K(out_shape).T @ Jc.matrix @ K(in_shape)


@given(n=sizes, m=sizes, seed=seeds)
def test_column_major_is_the_permuted_dense(n, m, seed):
    needs("matmul", "tanh")
    r = np.random.default_rng(seed)
    A, X = Variable("A", (n, n)), Variable("X", (n, m))
    v = {"A": r.normal(size=(n, n)), "X": r.normal(size=(n, m))}
    for e in (A @ X, J.tanh(A @ X), A @ J.tanh(X)):
        for name in ("A", "X"):
            Jc = jacobian(e, name, v)
            Jf = jacobian(e, name, v, order="F")
            close(Jf.matrix, _f_dense(Jc, Jc.out_shape, Jc.in_shape))
    # ∂(AX)/∂X = A ⊗ I row-major, I ⊗ A column-major: still a Kronecker product
    Jf = jacobian(A @ X, "X", v, order="F")
    assert Jf.kind == "kronecker" and Jf.L == m


def test_column_major_keeps_structures():
    d = np.arange(6.0)
    D = Diagonal(d.reshape(2, 3)).label("Y", "X", out_shape=(2, 3), in_shape=(2, 3))
    F = column_major(D)
    assert F.kind == "diagonal"
    close(F.matrix, _f_dense(D, (2, 3), (2, 3)))
    P = Permutation.transpose_of(2, 3)
    F = column_major(P)
    assert F.kind == "permutation"
    close(F.matrix, _f_dense(P, (3, 2), (2, 3)))
    assert column_major(Identity((2, 3))).kind == "identity"


# ----- gradients -----
def test_gradient_is_shaped_like_the_value_given():
    e = layer(3, 2)
    W, x = e.variables()["W"], e.variables()["x"]
    v = {"W": np.ones((3, 2)), "x": np.ones(2), "b": np.zeros((3, 1)), "y": np.zeros(3)}
    assert gradient(e, "W", v).shape == (3, 2)
    assert gradient(e, "x", v).shape == (2,)
    assert gradient(e, W, v).shape == (3, 2)  # the Variable itself
    assert gradient(e, "b", v).shape == (3, 1)  # given as a column: a column back
    with pytest.raises(InputError, match=r"Expression\.gradient"):
        gradient(J.tanh(x), "x", v)
    a = Variable("a", ())
    y = e.variables()["y"]
    assert gradient(J.squared_error(a * y, y), "a", {**v, "a": 2.0}).shape == ()


def test_the_methods_of_an_expression_are_these():
    needs("matmul", "tanh")
    X = Variable("X", (2, 2))
    e, v = J.tanh(X @ X), {"X": np.arange(4.0).reshape(2, 2) / 4}
    close(e.jacobian("X", v, method="forward").matrix, jacobian(e, "X", v).matrix)
    assert e.costs("X", v) == costs(e, "X", v)
    assert set(costs(e, "X", v)) >= {"reverse", "forward", "cheapest", "order", "paths"}
    s = J.squared_error(J.tanh(X @ X), X)
    close(s.gradient("X", v), gradient(s, "X", v))


def test_the_variable_itself_is_the_identity():
    x = Variable("x", (3,))
    got = jacobian(x, "x", {"x": np.ones(3)})
    assert got.kind == "identity" and got.shape == (3, 3)
    assert costs(x, "x", {"x": np.ones(3)})["cheapest"] == 0


# ----- paths -----
def test_paths_and_their_limit():
    needs("matmul")
    X = Variable("X", (2, 2))
    assert [len(p) for p in paths(X @ X, "X")] == [2, 2]
    e = X
    for _ in range(14):  # 2¹⁴ paths: the Jacobian sums them, the list refuses them
        e = e @ e
    with pytest.raises(InputError, match="paths"):
        paths(e, "X")
    assert 2**14 > MAX_PATHS
    c = np.cos(0.1)
    R = np.array([[c, -np.sin(0.1)], [np.sin(0.1), c]])  # a rotation: powers stay bounded
    Jr = jacobian(e, "X", {"X": R}, method="reverse")
    close(Jr.matrix, jacobian(e, "X", {"X": R}, method="forward").matrix, 1e-9)
    assert Jr.symbol == "∂matmul_14/∂X"  # its text would repeat X 2¹⁴ times: named instead
    close(Jr.matrix, numeric_jacobian(e, "X", {"X": R}), 1e-6)


def test_a_deep_graph_keeps_short_labels_and_its_numbers():
    needs("matmul", "tanh", "add")
    x, W = Variable("x", (3,)), Variable("W", (3, 3))
    e = x
    for _ in range(600):  # deeper than a label could nest within Python's recursion limit
        e = J.tanh(W @ e)
    e = e + x  # x reaches the output along the deep path and directly
    v = {"x": np.array([0.1, -0.2, 0.3]), "W": np.eye(3) * 0.9}
    Js = [jacobian(e, "x", v, method=m) for m in METHODS]
    assert all(len(repr(Jm)) < 2000 for Jm in Js)
    for Jm in Js[1:]:
        close(Jm.matrix, Js[0].matrix)
    assert costs(e, "x", v)["strategy"] in ("reverse", "forward", "markowitz")


# ----- errors -----
def test_errors_name_what_is_wrong():
    x, y = Variable("x", (3,)), Variable("y", (3,))
    needs("squared_error")
    e = J.squared_error(x, y)
    v = {"x": np.ones(3), "y": np.zeros(3)}
    with pytest.raises(InputError, match="x, y"):
        jacobian(e, "z", v)
    with pytest.raises(InputError, match="none for"):
        jacobian(e, "x", {"x": np.ones(3)})
    with pytest.raises(ShapeError):
        jacobian(e, "x", {"x": np.ones(4), "y": np.zeros(3)})
    with pytest.raises(InputError, match="method"):
        jacobian(e, "x", v, method="backprop")
    with pytest.raises(InputError, match="order"):
        jacobian(e, "x", v, order="K")
    with pytest.raises(InputError, match="paths"):
        paths(e, "z")


def test_the_cheapest_plan_is_one_whose_dense_matrices_fit_the_limit():
    from jacobians.expressions._elimination import Plan, best

    moves = Plan("forward", ("u",), 0, 0, 40000**2)  # a Kronecker product times a commutation
    rows = Plan("reverse", ("u",), 16_000_000, 40_000, 40_000)
    assert best({"forward": moves, "reverse": rows}) is rows
    assert best({"forward": moves}) is moves  # none fits: the run refuses it, by name
    previous = J.set_dense_limit(2 * 8 * 40000**2)
    try:
        assert best({"forward": moves, "reverse": rows}) is moves
    finally:
        J.set_dense_limit(previous)
    W = Variable("W", (200, 200))
    v = {"W": np.ones((200, 200)) / 200}
    e = J.tr(W.T @ W)
    plan = plans(_prepare(e, "W", v, "test")[2])
    assert plan["forward"].dense_entries == 40000**2 and plan["cheapest"].dense_entries <= 40000
