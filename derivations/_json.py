"""The JSON renderer: a derivation or the catalogue as the document ``derivations/schema.json``
describes, and as the dict behind it (``to_dict``)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from . import _rows as rows
from ._expression_model import ExpressionTable
from ._model import Catalog, Check, Degenerate, Derivation, Value, renders

__all__ = [
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "catalog_dict",
    "catalog_json",
    "derivation_dict",
    "derivation_json",
    "expression_dict",
    "expression_json",
]

SCHEMA_ID = "https://github.com/jacobians/jacobians/derivations/schema.json"
SCHEMA_VERSION = 1


def _floats(M: np.ndarray) -> Any:
    return (np.asarray(M, dtype=np.float64) + 0.0).tolist()  # + 0.0: −0.0 prints as 0.0


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
        "checks": [_check(c) for c in d.checks],
        "multiply_adds": dict(d.multiply_adds),
        "passed": d.passed,
        "values": [_value(v) for v in d.values],
        "degenerate": [_degenerate(g) for g in d.degenerate],
    }


def _value(v: Value) -> dict[str, Any]:
    # the numbers where the other formats print them; a summary always (see rows.VALUES_SHOWN)
    a = v.value
    return {
        "name": v.name,
        "latex": v.name_latex,
        "role": v.role,
        **({"origin": v.origin, "argument": v.argument} if v.role == "input" else {}),
        **(
            {"definition": v.definition, "definition_latex": v.definition_latex}
            if v.definition
            else {}
        ),
        "shape": list(a.shape),
        "column": v.column,
        "min": float(a.min()) + 0.0,
        "max": float(a.max()) + 0.0,
        "norm": float(np.linalg.norm(a)),
        **({"value": _floats(a)} if rows.value_shown(v) else {}),
    }


def _degenerate(g: Degenerate) -> dict[str, Any]:
    return {"kind": g.kind, "text": g.text, **({"layer": g.layer} if g.layer is not None else {})}


def _check(c: Check) -> dict[str, Any]:
    # a difference that could not be computed (a closed form that does not evaluate) is not a
    # number JSON can hold: null, with the check failed
    finite = c.value is None or bool(np.isfinite(c.value))
    return {
        "name": c.name,
        "description": c.description,
        "max_difference": c.value if finite else None,
        "tolerance": c.tolerance,
        "passed": c.passed,
        **({"skipped": c.skipped} if c.value is None else {}),
        **({} if finite else {"error": "did not evaluate"}),
    }


@renders(ExpressionTable, "dict")
def expression_dict(t: ExpressionTable) -> dict[str, Any]:
    """The JSON document of an expression's table (kind ``expression``)."""
    return {
        "schema": SCHEMA_ID,
        "version": SCHEMA_VERSION,
        "kind": "expression",
        "expression": t.expression,
        "text": t.text,
        "title": t.title,
        "wrt": t.wrt,
        "output": t.output,
        "seed": t.seed,
        "default_size": t.default_size,
        "inputs": [
            {
                "name": i.name,
                "shape": i.shape,
                "instance": list(i.instance),
                "drawn": i.how,
                "value": _floats(i.value),
            }
            for i in t.inputs
        ],
        "nodes": [
            {
                "symbol": n.symbol,
                "definition": n.definition,
                "text": n.text,
                "operation": n.operation or None,
                "shape": n.shape,
                "instance": list(n.instance),
            }
            for n in t.nodes
        ],
        "locals": [
            {
                "symbol": L.symbol,
                "symbol_latex": L.symbol_latex,
                "rule": L.rule,
                "rule_latex": L.rule_latex,
                "closed_form": L.closed_form or None,
                "shape": L.shape,
                "instance": list(L.instance),
                "structure": L.structure,
                "max_difference": L.check if L.check is None or np.isfinite(L.check) else None,
                "tolerance": L.tolerance,
                **({"matrix": _floats(L.jacobian.matrix)} if t.show_matrices else {}),
            }
            for L in t.locals
        ],
        "paths": [
            {"nodes": list(p.nodes), "factors": list(p.factors), "count": p.count} for p in t.paths
        ],
        "method": t.method,
        "strategy": t.strategy,
        "eliminations": [
            {
                "vertex": u.vertex,
                "target": u.target,
                "left": u.left,
                "right": u.right,
                "accumulates": u.accumulates,
                "shape": u.shape,
                "instance": list(u.instance),
            }
            for u in t.updates
        ],
        "result": {
            "kind": t.result_kind,
            "symbol": t.symbol,
            "closed_form": t.closed_form,
            "shape": t.result_shape,
            "instance": list(t.result_instance),
            "structure": t.result_structure,
            "out_instance": list(t.out_instance),
            "wrt_instance": list(t.wrt_instance),
        },
        "jacobian": _floats(t.jacobian),
        "gradient": None if t.gradient is None else _floats(t.gradient),
        "checks": [_check(c) for c in t.checks],
        "multiply_adds": dict(t.multiply_adds),
        "notes": list(t.notes),
        "passed": t.passed,
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


@renders(ExpressionTable, "json")
def expression_json(t: ExpressionTable, **_options: Any) -> str:
    """The expression table's JSON document, indented."""
    return _dumps(expression_dict(t))
