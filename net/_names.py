"""Parameter names, parsed in one place: ``"W2"`` is the weight matrix W⁽²⁾ of layer 2, ``"b1"``
the bias b⁽¹⁾ of layer 1."""

from __future__ import annotations

import re
from typing import Any

from reshape import InputError, InputTypeError, as_size, dense_limit, describe

__all__ = ["param_name", "parse_param"]

_PARAM = re.compile(r"^([Wb])([1-9][0-9]*)$")
_KINDS = "'W' (a weight matrix) or 'b' (a bias)"
_LAYER_BYTES = 16  # a layer holds a weight and a bias of one float64 each, at the least


def param_name(kind: str, k: int) -> str:
    """The name of layer k's weight (``kind`` ``"W"``) or bias (``"b"``).

    k is a layer number ≥ 1, at most the depth of a network within the memory limit.

    >>> param_name("W", 2)
    'W2'
    """
    if not isinstance(kind, str):
        raise InputTypeError("param_name", "kind", _KINDS, f"{kind!r} ({describe(kind)})")
    if kind not in ("W", "b"):
        raise InputError("param_name", "kind", _KINDS, repr(kind))
    k = as_size(k, "param_name", "k")
    most = dense_limit() // _LAYER_BYTES
    if k > most:
        raise InputError(
            "param_name",
            "k",
            f"a layer number from 1 to {most:,}",
            repr(k),
            "no network within the memory limit (jacobians.set_dense_limit) has more layers:"
            f" each holds {_LAYER_BYTES} bytes of parameters at the least",
        )
    return f"{kind}{k}"


def parse_param(name: Any) -> tuple[str, int] | None:
    """(kind, layer) of a parameter name, or None if the text is not one: ``"W2"`` -> ``("W", 2)``.

    >>> parse_param("b10"), parse_param("W0"), parse_param("x")
    (('b', 10), None, None)
    """
    if not isinstance(name, str):
        raise InputTypeError(
            "parse_param",
            "name",
            "a parameter name (text) such as 'W2' or 'b1'",
            f"{name!r} ({describe(name)})",
        )
    m = _PARAM.match(name)
    return (m.group(1), int(m.group(2))) if m else None
