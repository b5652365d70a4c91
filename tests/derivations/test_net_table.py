"""derivations.network: the chain of any net.Network equals its gradient (the layers'
shortcuts and numerics), for every layer kind; every format renders, the JSON validates; attention
shows the softmax's Jacobian; the command's errors are one line naming the option."""

import json

import jsonschema
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import network, schema
from derivations.cli import main
from net import Network, SpecError
from reshape import InputError

KINDS = {  # one small spec per layer kind, and the parameters worth a table
    "dense": "dense:3:tanh,dense:2",
    "activation": "dense:3,sigmoid,dense:2",
    "layernorm": "dense:3:tanh,layernorm,dense:2",
    "batchnorm": "batchnorm,dense:2",
    "attention": "attention:1,dense:2",
    "attention2": "attention:2:causal,dense:2",
    "conv1d": "conv1d:2x3:s2:p1,relu,flatten,dense:2",
    "conv2d": "conv2d:2x2,tanh,flatten,dense:2",
    "rnn": "rnn:3,dense:2",
    "embedding": "embedding:6x4,attention:2,flatten,dense:2",
    "residual": "residual(layernorm,attention:2),residual(dense:5:relu,dense:4)",
}


def reference(t, spec):
    """The network's own gradient (shortcut) at the table's point, shaped as the table."""
    net = Network(spec, tuple(t.options["input_shape"]), t.options["loss"], t.options["seed"])
    x = next(v.value for v in t.values if v.argument == "x")
    tt = next(v.value for v in t.values if v.argument == "t")
    x = x.reshape(*net.input_shape, -1) if net.input_shape else x.reshape(-1)
    return net.gradients(x, tt, "shortcut")[t.options["wrt"]].reshape(t.gradient.shape)


@settings(max_examples=20, deadline=None)
@given(kind=st.sampled_from(sorted(KINDS)), which=st.integers(0, 20), seed=st.integers(0, 50))
def test_the_product_is_the_gradient_for_every_layer_kind(kind, which, seed):
    spec = KINDS[kind]
    names = list(Network(spec, network(spec).options["input_shape"]).shapes)
    wrt = names[which % len(names)]
    t = network(spec, wrt=wrt, seed=seed)
    assert t.passed, [(c.name, c.value, c.tolerance) for c in t.checks]
    np.testing.assert_allclose(t.gradient, reference(t, spec), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_format_renders_and_the_json_validates(kind):
    t = network(KINDS[kind])
    for fmt in ("text", "markdown", "latex"):
        assert t.render(fmt)
    latex = t.render("latex", document=True)
    assert latex.isascii()
    doc = json.loads(t.render("json"))
    jsonschema.validate(doc, schema())
    assert doc["source"] == "network" and doc["passed"]


def test_attention_shows_the_softmax_jacobian_as_a_row_and_how_q_k_v_enter():
    t = network("attention:1,dense:2", wrt="Wq1")
    rows = {F.symbol: F for F in t.factors}
    J = rows["∂P⁽¹⁾/∂S⁽¹⁾"]
    assert J.structure == "diagonal-plus-low-rank"
    assert J.closed_form == "diag(p_j) − p_j p_jᵀ per column j of P⁽¹⁾"
    assert rows["∂O⁽¹⁾/∂P⁽¹⁾"].structure == rows["∂S⁽¹⁾/∂Q⁽¹⁾"].structure == "kronecker"
    assert [s.result for s in t.steps][-4:] == ["∂C/∂P⁽¹⁾", "∂C/∂S⁽¹⁾", "∂C/∂Q⁽¹⁾", "∂C/∂Wq⁽¹⁾"]
    # K: through Kᵀ, a permutation
    k = {F.symbol: F.structure for F in network("attention:1,dense:2", wrt="Wk1").factors}
    assert k["∂K⁽¹⁾ᵀ/∂K⁽¹⁾"] == "permutation" and k["∂P⁽¹⁾/∂S⁽¹⁾"] == "diagonal-plus-low-rank"
    [note] = [n for n in t.notes if n.startswith("Attention")]
    assert "∂O/∂Q" in note and "∂O/∂K" in note and "∂O/∂V" in note
    assert "diag(p_j) − p_j p_jᵀ" in note
    assert "diag(p\\_j) − p\\_j p\\_jᵀ" in t.render("markdown")


def test_defaults_input_shape_samples_and_wrt():
    assert network("conv1d:2x3,relu,flatten,dense:2").options["input_shape"] == [1, 16]
    assert network("rnn:3,dense:2").options["input_shape"] == [3, 5]
    assert network("embedding:5x2,flatten,dense:1").options["input_shape"] == []
    spec = "residual(layernorm,attention:4),residual(layernorm,dense:16:relu,dense:8)"
    t = network(spec)
    assert t.options["input_shape"] == [8] and t.options["d"] == 3
    assert t.options["wrt"] == "gamma1.1" and t.wrt == "γ⁽¹·¹⁾"
    assert network("dense:2", input_shape="3", d=2).gradient.shape == (2, 3)


@pytest.mark.parametrize(
    ("kwargs", "arg"),
    [
        ({"layers": "dense:2,foo"}, "layers"),
        ({"layers": 3}, "layers"),
        ({"layers": "dense:2", "wrt": "W9"}, "wrt"),
        ({"layers": "conv1d:2x3,flatten,dense:1", "input_shape": "4"}, "input_shape"),
        ({"layers": "dense:2", "input_shape": "2xa"}, "input_shape"),
        ({"layers": "dense:2", "loss": "hinge"}, "loss"),
        ({"layers": "dense:2", "d": 0}, "d"),
        ({"layers": "residual(batchnorm,dense:4),dense:1", "d": 1}, "d"),  # a batch of one
    ],
)
def test_bad_arguments_are_named(kwargs, arg):
    with pytest.raises(InputError) as info:
        network(**kwargs)
    assert info.value.op == "network" and info.value.arg == arg


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--layers", "dense:2,conv1d:3"], ["--layers", "column 9"]),
        (["--layers", "dense:2", "--wrt", "W7"], ["--wrt", "W7"]),
        (["--layers", "conv1d:2x3,flatten,dense:1", "--input-shape", "4"], ["--input-shape"]),
        (["--layers", "dense:2", "--input-shape", "0x3"], ["--input-shape"]),
        ([], ["--layers"]),
        (["--layers", "dense:2", "--sizes", "2,3"], ["--sizes"]),
    ],
)
def test_the_command_refuses_bad_options_in_one_line(argv, says, capsys):
    assert main(["derive", "network", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("jacobians derive: error:")
    for word in says:
        assert word in err


def test_the_command_prints_each_format(capsys, tmp_path):
    spec = "conv1d:2x3,relu,flatten,dense:2"
    assert main(["derive", "network", "--layers", spec, "--wrt", "b1"]) == 0
    out = capsys.readouterr().out
    assert "∂y⁽¹⁾/∂b⁽¹⁾" in out and "FAILED" not in out
    assert main(["derive", "network", "--layers", spec, "-f", "json"]) == 0
    jsonschema.validate(json.loads(capsys.readouterr().out), schema())
    path = tmp_path / "t.tex"
    assert (
        main(["derive", "network", "--layers", "rnn:3,dense:2", "--document", "-o", str(path)]) == 0
    )
    assert path.read_text().startswith("\\documentclass")


def test_plot_network_draws_the_chain(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "a.png"
    argv = ["plot", "network", "--layers", "attention:1,dense:2", "--wrt", "Wq1", "-o", str(path)]
    assert main(argv) == 0
    assert path.stat().st_size > 0 and "∂P⁽¹⁾/∂S⁽¹⁾" in capsys.readouterr().err


def test_a_spec_that_does_not_parse_is_shown_with_its_column():
    with pytest.raises(SpecError) as info:
        network("dense:2,relu:3")
    e = info.value
    assert (e.op, e.arg, e.column) == ("network", "layers", 9)
    assert str(e).splitlines()[-2:] == [" In: dense:2,relu:3", " " * 13 + "^"]
