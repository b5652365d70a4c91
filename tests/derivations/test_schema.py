"""The JSON output validates against derivations/schema.json (draft 2020-12), and the schema
refuses what it should."""

import copy
import json

import jsonschema
import numpy as np
import pytest

import jacobians
from derivations import catalog, cli, mlp, schema, single_layer, softmax_cross_entropy
from jacobians import OPERATIONS


@pytest.fixture(scope="module")
def validator():
    s = schema()
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


@pytest.mark.parametrize(
    "make",
    [
        lambda: single_layer(),
        lambda: single_layer(2, 2, "softmax", "cross_entropy", "x", show_matrices=True),
        lambda: single_layer(3, 2, "relu", wrt="b"),
        lambda: softmax_cross_entropy(wrt="b"),
        lambda: mlp([2, 3, 2], ["tanh", "identity"], "softmax_cross_entropy", wrt="b2"),
        lambda: catalog(),
        lambda: single_layer(40, 30),  # values summarised, without their numbers
        lambda: single_layer(activation="relu", W=[[-1.0]], x=[1.0], b=[0.0], y=[0.5]),
        lambda: softmax_cross_entropy(1, 2, wrt="x"),  # degenerate: a one-entry softmax
        lambda: mlp(params={"W1": -np.ones((3, 2)), "b1": -np.ones(3)}, activations=["relu"] * 3),
    ],
)
def test_output_validates(validator, make):
    doc = json.loads(make().render("json"))
    errors = [e.message for e in validator.iter_errors(doc)]
    assert not errors, errors


def _rnn_doc(capsys, *options):
    """What ``jacobians derive rnn --format json`` prints, as a document."""
    assert cli.main(["derive", "rnn", *options, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("options", [(), ("--steps", "3", "--scale", "2", "--n", "2")])
def test_the_recurrence_table_validates(validator, capsys, options):
    doc = _rnn_doc(capsys, *options)
    assert doc["kind"] == "rnn" and doc["products"][0]["structure"] == "identity"
    errors = [e.message for e in validator.iter_errors(doc)]
    assert not errors, errors


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("products"),
        lambda d: d.update(kind="derivation"),
        lambda d: d.update(scale=0),
        lambda d: d["products"][0].update(structure="sparse"),
        lambda d: d["products"][0].update(sigma_max=-1.0),
        lambda d: d["products"][1].pop("matrix"),
        lambda d: d["checks"][0].pop("tolerance"),
        lambda d: d.update(extra=1),
    ],
)
def test_schema_refuses_broken_recurrence_tables(validator, capsys, mutate):
    bad = _rnn_doc(capsys, "--steps", "2")
    mutate(bad)
    assert not validator.is_valid(bad)


def test_skipped_numeric_check_validates(validator, monkeypatch):
    import derivations._build as build

    monkeypatch.setattr(build, "NUMERIC_LIMIT", 1)
    doc = json.loads(single_layer().render("json"))
    assert doc["checks"][1]["max_difference"] is None and "skipped" in doc["checks"][1]
    assert validator.is_valid(doc)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("factors"),
        lambda d: d.update(version=2),
        lambda d: d["factors"][0].update(instance=[1]),
        lambda d: d["factors"][0].update(structure="sparse"),
        lambda d: d["checks"][0].update(max_difference=-1.0),
        lambda d: d.update(extra=1),
        lambda d: d["multiply_adds"].pop("cheapest"),
        lambda d: d["values"][0].update(role="output"),
        lambda d: d["values"][0].update(origin="guessed"),
        lambda d: d["values"][0].pop("norm"),
        lambda d: d["values"][0].update(value="12"),
        lambda d: d.update(degenerate=[{"kind": "flat", "text": "?"}]),
        lambda d: d.update(degenerate=[{"kind": "zero_gradient"}]),
    ],
)
def test_schema_refuses_broken_documents(validator, mutate):
    doc = json.loads(single_layer().render("json"))
    bad = copy.deepcopy(doc)
    mutate(bad)
    assert not validator.is_valid(bad)


def test_schema_lists_every_structure_kind():
    s = schema()
    assert tuple(s["$defs"]["structure"]["enum"]) == jacobians.STRUCTURE_KINDS
    built = {kind for op in OPERATIONS.values() for w in op.rules for kind in op.structures(w)}
    assert built <= set(jacobians.STRUCTURE_KINDS), built - set(jacobians.STRUCTURE_KINDS)


def test_batch_structure_only_where_it_differs(validator):
    doc = json.loads(catalog().render("json"))
    for op in doc["operations"]:
        for j in op["jacobians"]:
            single, batch = OPERATIONS[op["name"]].structures(j["wrt"])
            assert j["structure"] == single
            assert j.get("batch_structure") == (None if batch == single else batch), j
    bad = copy.deepcopy(doc)
    bad["operations"][0]["jacobians"][0]["batch_structure"] = "sparse"
    assert not validator.is_valid(bad)
