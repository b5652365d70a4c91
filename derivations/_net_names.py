"""A network's variables named by their layer: y⁽²⁾, z⁽²⁾, γ⁽¹·¹⁾, and its factors relabelled so.

``net.Network.factors`` labels each layer's Jacobians in the layer's own names (y its output, x
or X its input, z, O₁, γ, W …) and marks the factor's short name with the layer ("∂z/∂W [2]",
"[1.2]" inside a residual block). A table multiplies the factors and names each running product
by its variables, so here every label gets its layer: the output y of layer k is y⁽ᵏ⁾, its input
the previous layer's output (x for the first; the block's input for a block's first layer), and
any other array carries k as a superscript, 1.2 written ⁽¹·²⁾.
"""

from __future__ import annotations

import re

from jacobians import Jacobian, Sum
from net import Factors
from net._layer_base import SYMBOLS

from . import _tex

__all__ = ["param_symbol", "relabel", "variable"]

_SUP = str.maketrans("0123456789.", "⁰¹²³⁴⁵⁶⁷⁸⁹·")
_MARK = re.compile(r" \[([0-9.]+)\]$")
_PARAM = re.compile(r"^([A-Za-z_]+?)([1-9][0-9]*(?:\.[1-9][0-9]*)*)$")


def _sup(path: str) -> str:
    """ "1.2" -> "⁽¹·²⁾"."""
    return f"({path})".translate(_SUP).replace("(", "⁽").replace(")", "⁾")


def _input_of(path: str) -> str:
    """The variable a layer at ``path`` reads: the previous layer's output, or the block's
    input for a block's first layer, x for the network's first.

    >>> _input_of("2"), _input_of("1"), _input_of("2.1"), _input_of("1.3")
    ('y⁽¹⁾', 'x', 'y⁽¹⁾', 'y⁽¹·²⁾')
    """
    *outer, last = path.split(".")
    if int(last) > 1:
        return f"y{_sup('.'.join([*outer, str(int(last) - 1)]))}"
    return _input_of(".".join(outer)) if outer else "x"


def variable(local: str, path: str) -> str:
    """A layer's local name in the network: y -> y⁽ᵏ⁾, x or X -> its input, any other -> with
    the layer's superscript (gamma and its kin as Greek letters).

    >>> variable("y", "2"), variable("X", "1.2"), variable("O₁", "3"), variable("gamma", "1.1")
    ('y⁽²⁾', 'y⁽¹·¹⁾', 'O₁⁽³⁾', 'γ⁽¹·¹⁾')
    """
    if local == "y":
        return f"y{_sup(path)}"
    if local in ("x", "X"):
        return _input_of(path)
    return f"{SYMBOLS.get(local, local)}{_sup(path)}"


def param_symbol(name: str) -> str:
    """A parameter's network name as a symbol: W2 -> W⁽²⁾, gamma1.1 -> γ⁽¹·¹⁾, Wq3 -> Wq⁽³⁾.

    >>> param_symbol("gamma1.1"), param_symbol("Wq3"), param_symbol("w1")
    ('γ⁽¹·¹⁾', 'Wq⁽³⁾', 'w⁽¹⁾')
    """
    m = _PARAM.match(name)
    if m is None:
        raise AssertionError(f"unexpected parameter name {name!r}")
    return variable(m.group(1), m.group(2))


def relabel(chain: Factors) -> list[Jacobian]:
    """The chain's factors labelled in the network's variables (closed forms kept as the
    registry writes them, in each layer's own names); the cost's factors, which name the
    network's output already, unchanged."""
    out = []
    for J, name in zip(chain.jacobians, chain.names, strict=True):
        m = _MARK.search(name)
        if m is None:
            out.append(J)
            continue
        path = m.group(1)
        text, latex = _closed_form(J)
        out.append(J.labelled(variable(J.of, path), variable(J.wrt, path), text, latex))
    return out


def _closed_form(J: Jacobian) -> tuple[str, str]:
    """A factor's closed form; a sum of many paths (attention's X reaches y by 3·heads) as its
    first and last terms and their number, the LaTeX converted from the text where the sum
    has none of its own."""
    text, latex = J.closed_form, J.latex
    if latex != _tex.frac_symbol(J.of, J.wrt) or text == J.symbol:  # a LaTeX form of its own
        return text, latex
    terms, count = text.split(" + "), ""
    if isinstance(J, Sum) and len(terms) > 3:
        text, count = f"{terms[0]} + … + {terms[-1]}", f"{len(terms)} paths"
    try:
        latex = _tex.math(text)
    except ValueError:
        latex = rf"\text{{{_tex.text(text)}}}"
    if count:
        return f"{text} ({count})", rf"{latex}\ \text{{({count})}}"
    return text, latex
