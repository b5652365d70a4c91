"""The error helpers every message is made with."""

import numpy as np
import pytest

import jacobians as J
from reshape import InputError, describe


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3, "an int"),
        (2.5, "a float"),
        ("x", "a str"),
        (None, "a NoneType"),
        (np.ones(2), "an array"),
    ],
)
def test_describe_gives_the_article_the_type_takes(value, text):
    assert describe(value).startswith(text)


def test_messages_read_as_english_and_say_what_came():
    with pytest.raises(InputError, match="Received an int"):
        J.Identity(3)
    with pytest.raises(InputError, match=r"Received 2\.5\."):
        J.Kronecker(2.5, np.ones((1, 1)))
