"""One entry in the activation table is all a new activation takes.

A fixture registers swish, a = z σ(z), as a contributor would (one ``Elementwise`` row), and each
test finds it where every built-in activation is: the registry, the catalogue and the command,
net.MLP's three gradient methods, the registry-wide property tests, the stability and branch-point
tests, ``jacobians.testing``'s strategies, verify's σ′-placement diagnosis, and the derivation
tables.
"""

import contextlib
import io

import numpy as np
import pytest
from hypothesis import find

import jacobians
from derivations import catalog, single_layer
from derivations.cli import main
from jacobians import Elementwise, Layer, register_activation, unregister, verify
from jacobians._stable import sigmoid_of
from jacobians.testing import networks
from net import MLP, compare
from tests.jacobians import test_core_ops as registry_tests

SWISH = Elementwise(
    "swish",
    lambda z: z * sigmoid_of(z),
    lambda z, a: sigmoid_of(z) * (1 + z * (1 - sigmoid_of(z))),
    "z σ(z)",
    "σ($z) ⊙ (1 + $z ⊙ (1 − σ($z)))",
    "The swish (SiLU) activation, z σ(z).",
    draw=lambda z: 3 * z,
)


@pytest.fixture
def swish():
    op = register_activation(SWISH)
    yield op
    unregister("swish")


def test_it_is_in_the_registry_and_refused_twice(swish):
    assert jacobians.ACTIVATIONS["swish"] is swish is jacobians.OPERATIONS["swish"]
    assert swish.rules["z"].closed_form == "diag(σ(z) ⊙ (1 + z ⊙ (1 − σ(z))))"
    assert swish.structures("z") == ("diagonal", "diagonal")
    with pytest.raises(jacobians.InputError, match="register_activation"):
        register_activation(SWISH)


def test_it_is_gone_after_unregister():
    register_activation(SWISH)
    unregister("swish")
    assert "swish" not in jacobians.ACTIVATIONS and "swish" not in jacobians.OPERATIONS


def test_a_network_made_with_it_names_it_once_it_is_gone():
    register_activation(SWISH)
    net = MLP([2, 3, 1], ["swish", "identity"])
    unregister("swish")
    for method in ("jacobian", "shortcut"):  # not a bare KeyError
        with pytest.raises(jacobians.InputError, match="'swish', not registered") as e:
            net.gradients(np.ones((2, 4)), np.zeros((1, 4)), method)
        assert "register_activation" in str(e.value)


def test_it_is_in_the_catalogue_and_the_command(swish, capsys):
    rows = [r for r in catalog().rows if r.operation == "swish"]
    assert [(r.symbol, r.structure) for r in rows] == [("∂a/∂z", "diagonal")]
    assert main(["catalog"]) == 0
    assert "swish" in capsys.readouterr().out


@pytest.mark.parametrize("loss", ["squared_error", "softmax_cross_entropy"])
def test_net_accepts_it_and_its_three_gradients_agree(swish, loss):
    net = MLP([3, 4, 2], ["swish", "identity"], loss, seed=1)
    X = np.linspace(-2, 2, 12).reshape(3, 4)
    T = np.full((2, 4), 0.5)
    c = compare(net, X, T)
    assert c.worst("jacobian", "shortcut") < 1e-12
    assert c.worst("shortcut", "numeric") < 1e-10
    f = net.factors(X[:, 0], T[:, 0], "W1")
    assert f[-2].closed_form == "diag(σ(z⁽¹⁾) ⊙ (1 + z⁽¹⁾ ⊙ (1 − σ(z⁽¹⁾))))"


def test_the_registry_wide_property_tests_cover_it(swish):
    for batch in (False, True):
        for seed in range(3):
            args = (5, 3, 2, batch, seed)
            registry_tests.test_closed_form_equals_central_differences.hypothesis.inner_test(
                "swish", "z", *args
            )
            registry_tests.test_closed_form_equals_complex_step.hypothesis.inner_test(
                "swish", "z", *args
            )
        registry_tests.test_prepare_then_build_is_what_calling_the_operation_gives("swish", batch)
    registry_tests.test_activations_are_stable_for_large_inputs("swish")
    registry_tests.test_complex_step_at_the_branch_point_zero("swish")


def test_the_testing_strategies_draw_it(swish):
    layers = find(networks(), lambda layers: any(act == "swish" for _, _, act in layers))
    assert any(act == "swish" for _, _, act in layers)


def test_verify_names_a_sigma_prime_slip(swish):
    W, x, y = np.array([[0.5, -1.0], [2.0, 0.3]]), np.array([1.0, 2.0]), np.array([0.0, 1.0])
    act = swish.fn

    def cost(W):
        return 0.5 * np.sum((act(W @ x) - y) ** 2)

    a = act(W @ x)
    slip = np.outer((a - y) * swish.deriv(a), x)  # σ′(a) where σ′(z) is meant
    layer = Layer("swish", pre=lambda W: W @ x, post=lambda a: 0.5 * np.sum((a - y) ** 2))
    report = verify(cost, W, slip, layer=layer)
    assert not report.matches
    assert "σ′ of swish is evaluated at a = σ(z) instead of z" in report.diagnosis.summary


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "json"])
def test_the_derivation_tables_render_it(swish, fmt):
    d = single_layer(activation="swish")
    assert d.passed
    out = d.render(fmt)
    rule = swish.rules["z"]
    assert (rule.latex if fmt == "latex" else rule.closed_form) in out
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["derive", "--activation", "swish", "--format", fmt]) == 0
