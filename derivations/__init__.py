"""Derivation tables and their renderers, the `jacobians` command, and the worked derivations.

A derivation table walks through ∂C/∂(parameter) factor by factor: each Jacobian's symbol, closed
form, symbolic and instance shape; the running product; the reshape back to the gradient; and the
checks against the Hadamard shortcut, numeric differentiation and the cost of each chain order.

>>> from derivations import single_layer
>>> d = single_layer(n=3, m=4)
>>> [F.symbol for F in d.factors], d.row_shape, d.gradient.shape
(['∂C/∂a', '∂a/∂z', '∂z/∂W'], ('1×nm', (1, 12)), (3, 4))
>>> d   # print(d) shows the table
<Derivation single_layer: ∂C/∂W, n = 3, m = 4, sigmoid, squared_error; gradient 3×4; checks passed>

At your own point: any of W, x, b, y (the others drawn from the seed), sizes read off them.

>>> single_layer(W=[[1.0, -1.0]], x=[2.0, 1.0], b=[0.0], y=[0.0], activation="identity").gradient
array([[2., 1.]])

Modules, each importing only those listed before it: ``_model`` (the tables, and the dispatch
table their renderers fill) and ``_tex`` (notation to LaTeX); ``_rows`` (the cells every format
shares); the renderers ``_text``, ``_markdown``, ``_latex`` (its tables and matrices in
``_latex_layout``, the point's block in ``_latex_values``, an expression's table in
``_latex_expression``), ``_json``; ``_build`` (factor rows,
running product, checks, ``build``); ``_args`` (the arguments' checks, the arrays a caller gives
among them) and ``_point`` (the seed's draw, kept live, and what is said of a degenerate point);
the sources ``_layer``, ``_softmax``, ``_network`` (its point in ``_network_point``),
``_net_table`` (any ``net.Network``: its names in ``_net_names``, its point in ``_net_point``,
attention's rows and notes in ``_net_attention``), ``_rnn`` and ``_catalog``; then ``plot``,
``worked`` and the command (``cli``, ``_cmd_*``; ``--values`` read
by ``_values``). An expression's table (:func:`expression`) has its model in
``_expression_model`` (beside ``_model``, read by the renderers) and its builder in
``_expression_values``, ``_expression_checks`` and ``_expression`` (among the sources).

>>> print(expression("norm2(A*x - y)^2", "x").closed_form)
2*A'*(A*x - y)
"""

import json
from importlib import resources
from typing import Any

# The renderers fill the model's dispatch table when imported, here, before any table renders;
# the model imports none of them, so the two form no cycle.
from . import _json, _latex, _markdown, _text  # noqa: F401
from ._catalog import catalog
from ._expression import expression
from ._expression_model import ExpressionTable
from ._layer import single_layer
from ._model import (
    FORMATS,
    Case,
    Catalog,
    CatalogRow,
    Check,
    Degenerate,
    Derivation,
    Factor,
    Step,
    Value,
)
from ._net_table import network
from ._network import mlp
from ._rnn import rnn
from ._rnn_model import RnnTable
from ._softmax import softmax_cross_entropy


def schema() -> dict[str, Any]:
    """The JSON schema (draft 2020-12) of what ``render("json")`` prints, from ``schema.json``.

    >>> schema()["$defs"]["derivation"]["properties"]["kind"]
    {'const': 'derivation'}
    """
    return json.loads(resources.files(__name__).joinpath("schema.json").read_text("utf-8"))


__all__ = [
    "FORMATS",
    "Case",
    "Catalog",
    "CatalogRow",
    "Check",
    "Degenerate",
    "Derivation",
    "ExpressionTable",
    "Factor",
    "RnnTable",
    "Step",
    "Value",
    "catalog",
    "expression",
    "mlp",
    "network",
    "rnn",
    "schema",
    "single_layer",
    "softmax_cross_entropy",
]
