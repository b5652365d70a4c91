"""The JSON renderer: a derivation or the catalogue as the document ``derivations/schema.json``
describes, and as the dict behind it (``to_dict``)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ._model import Catalog, Derivation, renders

__all__ = [
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "catalog_dict",
    "catalog_json",
    "derivation_dict",
    "derivation_json",
]

SCHEMA_ID = "https://github.com/jacobians/jacobians/derivations/schema.json"
SCHEMA_VERSION = 1


def _floats(M: np.ndarray) -> Any:
    return np.asarray(M, dtype=np.float64).tolist()


@renders(Derivation, "dict")
def derivation_dict(d: Derivation) -> dict[str, Any]:
    """The JSON document of a derivation; see ``derivations/schema.json``."""
    row_shape, row_inst = d.row_shape
    return {
        "schema": SCHEMA_ID,
        "version": SCHEMA_VERSION,
        "kind": "derivation",
        "source": d.source,
        "title": d.title,
        "setup": [{"text": t, "latex": tex} for t, tex in d.setup],
        "sizes": dict(d.sizes),
        "options": dict(d.options),
        "wrt": d.wrt,
        "factors": [
            {
                "symbol": F.symbol,
                "symbol_latex": F.symbol_latex,
                "closed_form": F.closed_form,
                "closed_form_latex": F.closed_form_latex,
                "shape": F.shape,
                "instance": list(F.instance),
                "structure": F.structure,
                **({"matrix": _floats(F.jacobian.matrix)} if d.show_matrices else {}),
            }
            for F in d.factors
        ],
        "cases": [
            {"condition": c.condition, "formula": c.formula, "latex": c.formula_latex}
            for c in d.cases
        ],
        "product": [
            {
                "left": s.left,
                "right": s.right,
                "result": s.result,
                "shape": s.shape,
                "instance": list(s.instance),
            }
            for s in d.steps
        ],
        "reshape": {
            "from": row_shape,
            "to": d.param_shape,
            "from_instance": list(row_inst),
            "to_instance": list(d.gradient.shape),
        },
        "gradient": _floats(d.gradient),
        "checks": [
            {
                "name": c.name,
                "description": c.description,
                "max_difference": c.value,
                "tolerance": c.tolerance,
                "passed": c.passed,
                **({"skipped": c.skipped} if c.value is None else {}),
            }
            for c in d.checks
        ],
        "multiply_adds": dict(d.multiply_adds),
        "passed": d.passed,
    }


@renders(Catalog, "dict")
def catalog_dict(c: Catalog) -> dict[str, Any]:
    """The JSON document of the catalogue; see ``derivations/schema.json``.

    ``batch_structure`` appears only where a batch's Jacobian has another structure than one
    sample's, so a reader of version 1 that ignores it sees the one-sample structure.
    """
    ops: dict[str, dict[str, Any]] = {}
    for r in c.rows:
        op = ops.setdefault(
            r.operation,
            {
                "name": r.operation,
                "family": r.family,
                "formula": r.formula,
                "formula_latex": r.formula_latex,
                "params": [{"name": n, "shape": s} for n, s in r.params],
                "jacobians": [],
            },
        )
        op["jacobians"].append(
            {
                "wrt": r.symbol.split("/∂", 1)[1],
                "symbol": r.symbol,
                "symbol_latex": r.symbol_latex,
                "closed_form": r.closed_form,
                "closed_form_latex": r.closed_form_latex,
                "shape": r.shape,
                "structure": r.structure,
                **({"batch_structure": r.batch_structure} if r.batch_structure else {}),
            }
        )
    return {
        "schema": SCHEMA_ID,
        "version": SCHEMA_VERSION,
        "kind": "catalog",
        "operations": list(ops.values()),
    }


def _dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# The JSON holds every number, so the options of the other formats (floor, heading, mathjax,
# document) change nothing here: they are accepted and ignored.
@renders(Derivation, "json")
def derivation_json(d: Derivation, **_options: Any) -> str:
    """The derivation's JSON document, indented."""
    return _dumps(derivation_dict(d))


@renders(Catalog, "json")
def catalog_json(c: Catalog, **_options: Any) -> str:
    """The catalogue's JSON document, indented."""
    return _dumps(catalog_dict(c))
