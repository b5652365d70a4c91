"""The catalogue: every operation's Jacobian with respect to each input, read from the registry,
with the structure of the Jacobians the operation actually builds (for one sample and a batch)."""

from __future__ import annotations

from jacobians import catalog as registry_catalog
from net._layer_base import SYMBOLS

from . import _tex
from ._model import Catalog, CatalogRow

__all__ = ["catalog"]


def catalog() -> Catalog:
    """Every operation's Jacobian with respect to each input, from :data:`jacobians.OPERATIONS`.

    The structure is the kind of the Jacobian built from the operation's own examples for one
    sample; ``batch_structure`` is the kind built for a batch, where it differs.

    Shapes: one row per (operation, input) pair.

    >>> rows = catalog().rows
    >>> [(r.symbol, r.closed_form, r.shape) for r in rows if r.operation == "linear"][0]
    ('∂z/∂W', 'I_n ⊗ xᵀ', 'n×nm')
    >>> [(r.structure, r.batch_structure) for r in rows if r.symbol == "∂z/∂x"]
    [('dense', 'kronecker')]
    """
    rows = []
    for op, rule in registry_catalog():
        single, batch = op.structures(rule.wrt)
        # the text names the parameter by its keyword (gamma), which JSON readers and the tests
        # match; LaTeX prints its letter (γ), where \partial gamma would set five italics
        wrt = SYMBOLS.get(rule.wrt, rule.wrt)
        rows.append(
            CatalogRow(
                operation=op.name,
                family=op.family,
                formula=op.formula,
                formula_latex=op.formula_latex,
                symbol=f"∂{op.output}/∂{rule.wrt}",
                symbol_latex=_tex.frac_symbol(op.output, wrt),
                closed_form=rule.closed_form,
                closed_form_latex=rule.latex,
                shape=rule.shape,
                structure=single,
                params=tuple((p.name, p.shape) for p in op.params),
                batch_structure=None if batch == single else batch,
            )
        )
    return Catalog(tuple(rows))
