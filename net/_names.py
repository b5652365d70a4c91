"""Parameter names, parsed in one place: ``"W2"`` is the weight matrix W⁽²⁾ of layer 2, ``"b1"``
the bias b⁽¹⁾ of layer 1."""

from __future__ import annotations

import re

__all__ = ["param_name", "parse_param"]

_PARAM = re.compile(r"^([Wb])([1-9][0-9]*)$")


def param_name(kind: str, k: int) -> str:
    """``param_name("W", 2)`` is ``"W2"``."""
    return f"{kind}{k}"


def parse_param(name: str) -> tuple[str, int] | None:
    """(kind, layer) of a parameter name, or None if it is not one: ``"W2"`` -> ``("W", 2)``.

    >>> parse_param("b10"), parse_param("W0"), parse_param("x")
    (('b', 10), None, None)
    """
    m = _PARAM.match(name) if isinstance(name, str) else None
    return (m.group(1), int(m.group(2))) if m else None
