"""Derivation tables and their renderers, the `jacobians` command, and the worked derivations.

A derivation table walks through ∂C/∂(parameter) factor by factor: each Jacobian's symbol, closed
form, symbolic and instance shape; the running product; the reshape back to the gradient; and the
checks against the Hadamard shortcut, numeric differentiation and the cost of each chain order.

>>> from derivations import single_layer
>>> d = single_layer(n=3, m=4)
>>> [F.symbol for F in d.factors], d.row_shape, d.gradient.shape
(['∂C/∂a', '∂a/∂z', '∂z/∂W'], ('1×nm', (1, 12)), (3, 4))
"""

import json
from importlib import resources
from typing import Any

from ._model import FORMATS, Case, Catalog, CatalogRow, Check, Derivation, Factor, Step
from ._network import mlp
from ._sources import catalog, single_layer, softmax_cross_entropy


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
    "Derivation",
    "Factor",
    "Step",
    "catalog",
    "mlp",
    "schema",
    "single_layer",
    "softmax_cross_entropy",
]
