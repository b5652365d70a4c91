"""The registry's rows are checked when written: an Elementwise or Domain field of the wrong kind,
register_activation of anything but a row, unregister of an unknown name, a Form of no text."""

from __future__ import annotations

import numpy as np
import pytest

from jacobians import (
    OPERATIONS,
    Domain,
    Elementwise,
    Form,
    InputError,
    register_activation,
    unregister,
)
from reshape import InputTypeError

ROW = {
    "name": "cube",
    "value": lambda z: z**3,
    "derivative": lambda z, a: 3 * z**2,
    "formula": "z³",
    "derivative_form": "3$z²",
    "doc": "z cubed.",
}


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("name", None),
        ("value", "np.tanh"),
        ("derivative", 3),
        ("formula", ["z³"]),
        ("doc", None),
        ("large", "1e4"),
        ("analytic", "yes"),
        ("options", [("alpha", 0.1)]),
        ("domain", "z > 0"),
        ("derivative_latex", 3),
    ],
)
def test_an_elementwise_field_of_the_wrong_kind_is_named(field, bad):
    with pytest.raises(InputTypeError, match=f"Elementwise: bad argument '{field}'"):
        Elementwise(**{**ROW, field: bad})


@pytest.mark.parametrize(
    ("field", "bad"), [("name", "a b"), ("family", "cost"), ("large", np.inf), ("large", 0)]
)
def test_an_elementwise_field_of_a_bad_value_is_named(field, bad):
    with pytest.raises(InputError, match=f"'{field}'"):
        Elementwise(**{**ROW, field: bad})


def test_domain_fields_and_register_activation_of_no_row():
    with pytest.raises(InputTypeError, match="Domain: bad argument 'bad'"):
        Domain("z <= 0", "z > 0")
    with pytest.raises(InputTypeError, match="'hint'"):
        Domain(lambda re: re <= 0, "z > 0", None)
    with pytest.raises(InputTypeError, match="register_activation: bad argument 'entry'"):
        register_activation(ROW)


def test_unregister_an_unknown_name_lists_the_known_ones():
    with pytest.raises(InputError) as info:
        unregister("nonsense")
    assert info.value.arg == "name" and "'sigmoid'" in info.value.expected
    with pytest.raises(InputTypeError, match="'name'"):
        unregister(None)


def test_form_takes_text():
    with pytest.raises(InputTypeError, match="Form: bad argument 'text'"):
        Form(None)
    with pytest.raises(InputTypeError, match="'latex'"):
        Form("$z", 3)
    with pytest.raises(InputError, match="'latex'"):
        Form("$z", "$z + $w")


@pytest.mark.parametrize(
    ("field", "latex"), [("formula", "formula_latex"), ("derivative_form", "derivative_latex")]
)
def test_a_character_without_latex_is_named_before_anything_is_registered(field, latex):
    entry = Elementwise(**{**ROW, field: ROW[field] + " ⅌"})
    with pytest.raises(InputError, match="register_activation: bad argument 'entry'") as info:
        register_activation(entry)
    assert field in info.value.got and latex in info.value.hint and "⅌" in info.value.hint
    assert "cube" not in OPERATIONS  # so the corrected row can still be registered
    with_latex = Elementwise(**{**ROW, field: ROW[field] + " ⅌", latex: "z^3"})
    register_activation(with_latex)
    unregister("cube")
