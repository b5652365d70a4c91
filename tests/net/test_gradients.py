"""The three gradients agree, the backprop equations hold, and the factors are right."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given

from jacobians import ACTIVATIONS, OPERATIONS, chain, cross_entropy, numeric, softmax
from net import ACTIVATION_RULES, LOSSES, MLP, compare
from net._compare import differences

from .strategies import ALL_ACTIVATIONS, kink_distance, networks, targets


def _agree(a: dict, b: dict, rtol: float, what: str, atol: float = 1e-14) -> None:
    """Norm-wise relative agreement, with an absolute floor for gradients that are truly 0 (a
    softmax of one entry, a dead relu unit), where rounding alone is 100% relative."""
    for p in a:
        diff, rel = differences(a[p], b[p])
        ok = rel <= rtol or diff <= atol
        assert ok, f"{what}, {p}: max abs diff {diff:.3e}, rel {rel:.3e}\n{a[p]}\n{b[p]}"


# ----- the three methods agree on random architectures -----


@given(networks())
def test_jacobian_equals_shortcut(case):
    net, X, T = case
    _agree(net.gradients(X, T, "jacobian"), net.gradients(X, T, "shortcut"), 1e-10, "jac/short")


@given(networks())
def test_both_equal_numeric(case):
    net, X, T = case
    # central differences step ~6e-6·max(1, |p|): stay well away from relu's kink
    assume(kink_distance(net, X) > 1e-3)
    num = net.gradients(X, T, "numeric")
    atol = 1e-9 * max(1.0, abs(net.cost(X, T)))  # central differences: ε·|C|/h rounding
    _agree(net.gradients(X, T, "jacobian"), num, 1e-6, "jacobian/numeric", atol)
    _agree(net.gradients(X, T, "shortcut"), num, 1e-6, "shortcut/numeric", atol)


@given(networks(max_depth=3, max_width=5, max_batch=3))
def test_factors_multiply_to_the_gradient(case):
    net, X, T = case
    grads = net.gradients(X, T, "shortcut")
    for name in net.shapes:
        f = net.factors(X, T, name)
        assert f.gradient().shape == grads[name].shape
        _agree({name: f.gradient()}, {name: grads[name]}, 1e-10, "factors")
        _agree({name: f.gradient("right")}, {name: grads[name]}, 1e-10, "factors, forward")


@given(networks(max_depth=3, max_width=5, max_batch=3))
def test_jacobian_gradient_is_the_left_to_right_product_of_the_factors(case):
    # The "jacobian" method applies each factor to the row (J.right) instead of composing
    # Jacobian objects; it must be the same arithmetic, so the same numbers to the last bit.
    net, X, T = case
    grads = net.gradients(X, T, "jacobian")
    for name in net.shapes:
        np.testing.assert_array_equal(grads[name], net.factors(X, T, name).gradient("left"))


def test_numeric_chooses_complex_step_only_when_every_layer_is_analytic():
    smooth = MLP([2, 3, 1], ["tanh", "identity"])
    kinked = MLP([2, 3, 1], ["relu", "identity"])
    assert smooth.analytic and not kinked.analytic
    x, t = np.array([0.3, -0.2]), np.array([0.5])
    exact = smooth.gradients(x, t, "shortcut")
    _agree(smooth.gradients(x, t, "numeric"), exact, 1e-14, "complex step is exact")
    _agree(smooth.gradients(x, t, "central"), exact, 1e-8, "central")
    with pytest.raises(ValueError, match="complex step needs every layer analytic"):
        kinked.gradients(x, t, "complex")


# ----- the three backprop equations written by hand, layer by layer -----

CASES = [
    ([3, 4, 5, 2], ["tanh", "sigmoid", "identity"], "squared_error"),
    ([2, 5, 4, 3], ["softplus", "leaky_relu", "softmax"], "cross_entropy"),
    ([4, 3, 3, 3, 2], ["sigmoid", "softmax", "tanh", "identity"], "softmax_cross_entropy"),
]


def _dC_dy_numeric(net: MLP, k: int, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """∂C/∂y⁽ᵏ⁾ as a 1×n row, by central differences through the layers above k."""
    net.forward(x)
    loss = LOSSES[net.loss]
    if k == net.depth:
        return numeric(lambda v: loss.value(v, t), net.y[k]).matrix
    return numeric(lambda v: loss.value(net.forward(v, start=k), t), net.y[k]).matrix


def _grad_sigma(net: MLP, k: int) -> np.ndarray:
    """∇σ_k at z⁽ᵏ⁾: the numeric Jacobian of the registry's activation (n×n)."""
    return numeric(ACTIVATIONS[net.activations[k - 1]].value, net.z[k]).matrix


@pytest.mark.parametrize("sizes, acts, loss", CASES)
def test_backprop_equations_hold_for_every_layer(sizes, acts, loss):
    rng = np.random.default_rng(7)
    net = MLP(sizes, acts, loss, seed=3)
    x, t = rng.normal(size=sizes[0]), targets(rng, loss, sizes[-1], 1)[:, 0]
    grads = net.gradients(x, t, "central")
    bp = net.backprop(x, t)
    for k in range(net.depth, 0, -1):
        dC_dy = _dC_dy_numeric(net, k, x, t)  # 1×n_k, numerator layout
        net.forward(x)
        nabla = _grad_sigma(net, k)
        y_prev = net.y[k - 1][:, None]
        np.testing.assert_allclose(bp.dC_dy[k][:, 0], dC_dy[0], rtol=1e-6, atol=1e-9)
        if k < net.depth:  # (1) ∂C/∂y⁽ᵏ⁾ = ∂C/∂y⁽ᵏ⁺¹⁾ ∇σ_{k+1} W⁽ᵏ⁺¹⁾
            above = _dC_dy_numeric(net, k + 1, x, t)
            net.forward(x)
            rhs = above @ _grad_sigma(net, k + 1) @ net["W" + str(k + 1)]
            np.testing.assert_allclose(dC_dy, rhs, rtol=1e-6, atol=1e-9)
        # (2) ∂C/∂W⁽ᵏ⁾ = y⁽ᵏ⁻¹⁾ ∂C/∂y⁽ᵏ⁾ ∇σ_k, an m×n matrix: the transpose of the gradient
        lemma2 = y_prev @ (dC_dy @ nabla)
        assert lemma2.shape == grads[f"W{k}"].T.shape
        np.testing.assert_allclose(lemma2.T, grads[f"W{k}"], rtol=1e-6, atol=1e-9)
        # (3) ∂C/∂b⁽ᵏ⁾ = ∂C/∂y⁽ᵏ⁾ ∇σ_k, a row: the transpose of the gradient
        np.testing.assert_allclose((dC_dy @ nabla)[0], grads[f"b{k}"], rtol=1e-6, atol=1e-9)


def test_base_case_is_the_mean_residual():
    """∂C/∂y⁽ᴸ⁾ = (1/d) Σᵢ (y⁽ᴸ⁾(sᵢ) − tᵢ)ᵀ, per sample column."""
    rng = np.random.default_rng(1)
    net = MLP([2, 3, 2], ["tanh", "identity"])
    X, T = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    np.testing.assert_allclose(net.backprop(X, T).dC_dy[2], (net.forward(X) - T) / 4)


@pytest.mark.parametrize(
    "acts, loss",
    [(["tanh", "softmax"], "cross_entropy"), (["tanh", "identity"], "softmax_cross_entropy")],
)
def test_softmax_with_cross_entropy_gives_a_minus_t(acts, loss):
    rng = np.random.default_rng(2)
    net = MLP([3, 4, 5], acts, loss, seed=1)
    X, T = rng.normal(size=(3, 2)), rng.dirichlet(np.ones(5), size=2).T
    bp = net.backprop(X, T)
    a = softmax.value(bp.z[2])
    np.testing.assert_allclose(bp.dC_dz[2], (a - T) / 2, rtol=1e-12, atol=1e-15)
    # and numerically, through the registry's softmax and cross-entropy
    num = numeric(lambda z: cross_entropy.value(softmax.value(z), T) / 2, bp.z[2]).matrix
    np.testing.assert_allclose(num.reshape(5, 2), (a - T) / 2, rtol=1e-7, atol=1e-10)


# ----- net's own rules agree with the registry's -----


def test_every_registry_activation_has_a_shortcut_rule():
    assert set(ACTIVATION_RULES) == set(ACTIVATIONS)


@pytest.mark.parametrize("name", ALL_ACTIVATIONS)
def test_own_rules_match_the_registry(name):
    rng = np.random.default_rng(4)
    z = rng.normal(scale=3, size=(4, 3))
    z[0, 0] = 800.0  # stable for large |z|
    z[1, 0] = -800.0
    g = rng.normal(size=z.shape)
    rule, op = ACTIVATION_RULES[name], ACTIVATIONS[name]
    res = op(z)
    np.testing.assert_allclose(rule.fn(z), res.value, rtol=1e-14, atol=1e-300)
    back = rule.back(z, rule.fn(z), g).reshape(-1)
    row = (g.reshape(1, -1) @ res.jacobian.matrix)[0]
    np.testing.assert_allclose(back, row, rtol=1e-12, atol=1e-15)
    assert rule.analytic == OPERATIONS[name].rules["z"].analytic


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_one_pass_agrees_with_the_split_by_sign(dtype):
    # net's sigmoid takes 1/(1 + e^(−z)) in one pass unless some z could overflow e^(−z); the
    # two branches must give the same numbers (to rounding) and neither may warn.
    rng = np.random.default_rng(5)
    z = (rng.normal(scale=8, size=(6, 5))).astype(dtype)
    far = np.concatenate([z, np.full((1, 5), -1e4, dtype=dtype)])  # forces the split branch
    fn = ACTIVATION_RULES["sigmoid"].fn
    one_pass, split = fn(z), fn(far)[:-1]
    assert one_pass.dtype == split.dtype == dtype
    np.testing.assert_allclose(one_pass, split, rtol=4 * np.finfo(dtype).eps, atol=0)
    assert np.all(fn(far)[-1] == 0)


def test_one_sample_weight_gradient_is_the_outer_product():
    # For d = 1 the shortcut forms δ yᵀ by broadcasting, not by a matrix product: the same
    # numbers exactly (each entry is one product).
    net = MLP([5, 4, 3], ["tanh", "identity"], seed=2)
    x, t = np.linspace(-1, 1, 5), np.array([0.2, -0.1, 0.4])
    bp = net.backprop(x, t)
    np.testing.assert_array_equal(bp.gradients["W1"], bp.dC_dz[1] @ bp.y[0].T)
    np.testing.assert_array_equal(bp.gradients["W2"], bp.dC_dz[2] @ bp.y[1].T)


def test_batch_gradient_is_the_mean_of_per_sample_gradients():
    rng = np.random.default_rng(5)
    net = MLP([3, 4, 2], ["sigmoid", "identity"])
    X, T = rng.normal(size=(3, 5)), rng.normal(size=(2, 5))
    batch = net.gradients(X, T, "jacobian")
    for p, g in batch.items():
        each = [net.gradients(X[:, i], T[:, i], "jacobian")[p] for i in range(5)]
        np.testing.assert_allclose(g, np.mean(each, axis=0), rtol=1e-12, atol=1e-15)


def test_factors_of_w_alone_are_kept_while_w_is_the_same_array():
    """∂z/∂b and ∂z/∂x depend on W and the batch's size alone: MLP keeps them across gradients
    while W is the same array, and whatever replaces W (a new value, another batch size, W
    changed in place) still gives the shortcut's gradient."""
    rng = np.random.default_rng(3)
    net = MLP([3, 4, 2], ["tanh", "identity"], seed=1)
    X, T = rng.normal(size=(3, 5)), rng.normal(size=(2, 5))

    def check(X, T):
        _agree(net.gradients(X, T, "jacobian"), net.gradients(X, T, "shortcut"), 1e-12, "kept")

    def kept(k):
        W, batch, Jb, Jx = net._kept_factors[k]["factors"]
        return {"W": W, "batch": batch, "b": Jb, "x": Jx}

    check(X, T)
    first = {k: kept(k) for k in (1, 2)}
    assert first[2]["W"] is net._params["W2"] and first[1]["x"] is None  # X is data: no ∂z/∂x
    check(2 * X, T)
    assert kept(2)["x"] is first[2]["x"] and kept(2)["b"] is first[2]["b"]
    check(X[:, :1], T[:, :1])  # another batch size: built again
    assert kept(2)["b"] is not first[2]["b"] and kept(2)["batch"][0] == 1
    net["W2"] = 3 * net["W2"]  # replaced: nothing kept holds the old W
    assert net._kept_factors == {}
    check(X, T)
    net._params["W2"] *= -1  # changed in place: the kept factor reads W's entries as they are
    check(X, T)
    net.params = net.params
    assert net._kept_factors == {}


def test_batch_chain_never_builds_a_dense_kronecker(monkeypatch):
    """The jacobian path multiplies a row by structured factors: nothing nd×nm is made dense."""
    from jacobians import Kronecker

    def refuse(self):
        raise AssertionError(f"dense {self.shape} Kronecker built")

    monkeypatch.setattr(Kronecker, "_dense", refuse)
    net = MLP([3, 6, 6, 2], ["tanh", "relu", "identity"])
    X, T = np.ones((3, 50)), np.zeros((2, 50))
    _agree(net.gradients(X, T, "jacobian"), net.gradients(X, T, "shortcut"), 1e-10, "batch")


def test_batch_softmax_layer_keeps_its_blocks(monkeypatch):
    """A softmax layer's batch Jacobian is a diagonal plus a rank-one term per sample, never
    made dense, neither as the (nd)×(nd) matrix (2000 samples of 10 classes would be 3.2 GB,
    over the default limit of 2 GiB) nor as d blocks of n×n."""
    from jacobians import BlockDiagonal, DiagonalPlusLowRank

    def refuse(self):
        raise AssertionError(f"dense {self.shape} {self.kind} built")

    monkeypatch.setattr(BlockDiagonal, "_dense", refuse)
    monkeypatch.setattr(DiagonalPlusLowRank, "_dense", refuse)
    rng = np.random.default_rng(6)
    net = MLP([4, 8, 10], ["tanh", "softmax"], "cross_entropy", seed=1)
    X, T = rng.normal(size=(4, 2000)), np.eye(10)[:, rng.integers(0, 10, 2000)]
    _agree(net.gradients(X, T, "jacobian"), net.gradients(X, T, "shortcut"), 1e-10, "softmax")


def test_compare_reports_every_pair():
    net = MLP([2, 3, 2], ["tanh", "softmax"], "cross_entropy")
    X, T = np.ones((2, 3)), np.full((2, 3), 0.5)
    c = compare(net, X, T)
    assert c.worst("jacobian", "shortcut") < 1e-12
    assert c.worst("numeric", "shortcut", "abs") < 1e-12
    d = c.to_dict()
    assert set(d) == {"W1", "b1", "W2", "b2"}
    assert set(d["W1"]["jacobian vs numeric"]) == {"abs", "rel"}
    text = str(c)
    assert "W2" in text and "jacobian vs shortcut" in text and "rel" in text
    assert "worst" in repr(c)
    with pytest.raises(ValueError, match="methods"):
        compare(net, X, T, methods=("jacobian",))
    with pytest.raises(ValueError, match="methods"):
        compare(net, X, T, methods=("jacobian", "backprop"))


def test_compare_sees_a_wrong_gradient():
    c = compare(MLP([1, 1], ["identity"]), np.ones(1), np.zeros(1), ("shortcut", "central"))
    assert c.worst("shortcut", "central") < 1e-8
    from net._compare import differences as diff

    assert diff(np.array([1.0, 2.0]), np.array([1.0, 2.2]))[1] == pytest.approx(0.2 / 2.2)
    assert diff(np.zeros(2), np.zeros(2)) == (0.0, 0.0)


def test_chain_of_factors_matches_the_issue_order():
    net = MLP([2, 4, 3, 1], ["tanh", "sigmoid", "identity"])
    f = net.factors(np.ones(2), np.zeros(1), "W1")
    assert f.names == (
        "∂C/∂y⁽³⁾",
        "∇σ₃",
        "W⁽³⁾",
        "∇σ₂",
        "W⁽²⁾",
        "∇σ₁",
        "∂z⁽¹⁾/∂W⁽¹⁾",
    )
    assert [J.symbol for J in f] == [
        "∂C/∂y⁽³⁾",
        "∂y⁽³⁾/∂z⁽³⁾",
        "∂z⁽³⁾/∂y⁽²⁾",
        "∂y⁽²⁾/∂z⁽²⁾",
        "∂z⁽²⁾/∂y⁽¹⁾",
        "∂y⁽¹⁾/∂z⁽¹⁾",
        "∂z⁽¹⁾/∂W⁽¹⁾",
    ]
    assert [J.shape for J in f] == [(1, 1), (1, 1), (1, 3), (3, 3), (3, 4), (4, 4), (4, 8)]
    assert f[0].closed_form == "(y⁽³⁾ − t)ᵀ"
    assert f[3].closed_form == "diag(σ(z⁽²⁾) ⊙ (1 − σ(z⁽²⁾)))"
    assert f[6].closed_form == "I_4 ⊗ xᵀ"
    assert f[0].latex == r"({y^{(3)}} - t)^{\top}"
    assert f.latex_names[1] == r"\nabla\sigma_{3}"
    assert chain(*f).shape == (1, 8)
    b = net.factors(np.ones(2), np.zeros(1), "b2")
    assert b.names[-1] == "∂z⁽²⁾/∂b⁽²⁾" and b[-1].closed_form == "I_3"
    rows = b.rows()
    assert rows[1]["kind"] == "identity" and rows[-1]["symbol"] == "∂z⁽²⁾/∂b⁽²⁾"
    assert "∂C/∂b2 = ∂C/∂y⁽³⁾ · ∇σ₃" in str(b) and "Factors" in repr(b)


def test_batch_factors_start_with_the_mean():
    net = MLP([2, 3, 1], ["relu", "identity"])
    f = net.factors(np.ones((2, 4)), np.zeros((1, 4)), "W2")
    assert f.names[:2] == ("∂C/∂ℓ", "∂ℓ/∂y⁽²⁾")
    assert f[0].closed_form == "1/d" and float(f[0].matrix[0, 0]) == 0.25
    assert [J.kind for J in f] == ["row", "row", "identity", "kronecker"]
    assert f[-1].closed_form == "I_1 ⊗ y⁽¹⁾ᵀ"
    w = net.factors(np.ones((2, 4)), np.zeros((1, 4)), "b1")
    assert "W⁽²⁾ ⊗ I_4" in [J.closed_form for J in w]
    assert w[-1].closed_form == "I_3 ⊗ 1_4"
