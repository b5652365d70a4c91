"""THE table: every public callable of the four packages (and the methods users call), keyed by
its dotted name, with a valid call and the role of each argument; and the cases it makes.

A name in a package's ``__all__`` that is callable must have a row (tests/test_fuzz.py checks),
so a new public function or class cannot escape the fuzz test. Records and error types have a
row saying why they are not called.
"""

from __future__ import annotations

from collections.abc import Iterator

import derivations
import jacobians
import net
import reshape

from .spec import Entry
from .table_high import DERIVATIONS, NET
from .table_layers import DERIVATIONS_NET, NETWORK
from .table_low import CHAIN, RESHAPE, STRUCTURES
from .table_ops import CHECKING, EXPRESSIONS, REGISTRY, operations

PACKAGES = (reshape, jacobians, net, derivations)

TABLE: dict[str, Entry] = {
    **RESHAPE,
    **STRUCTURES,
    **CHAIN,
    **operations(),
    **REGISTRY,
    **CHECKING,
    **EXPRESSIONS,
    **NET,
    **DERIVATIONS,
    **NETWORK,
    **DERIVATIONS_NET,
}


def public_callables() -> Iterator[str]:
    """The dotted name of every callable in a package's ``__all__``."""
    for package in PACKAGES:
        for name in package.__all__:
            if callable(getattr(package, name)):
                yield f"{package.__name__}.{name}"


# (callable, argument, kind): every bad kind of every argument of every row
CASES: list[tuple[str, str, str]] = [
    (name, a.name, kind)
    for name, entry in TABLE.items()
    if not entry.exempt
    for a in entry.args
    for kind in a.kinds
]

# (callable, argument, variant): every other valid form of every argument
VARIANT_CASES: list[tuple[str, str, str]] = [
    (name, a.name, variant)
    for name, entry in TABLE.items()
    if not entry.exempt
    for a in entry.args
    for variant in a.variants
]
