"""The fuzz sweep as counts and as the failing cases grouped by the file that owns them.

``python -m tests.fuzz.summary`` prints the counts (inputs tried, refused clearly, anything else)
and the rows of ``KNOWN`` as they stand, grouped by file, ready to paste into known.py when a fix
lands elsewhere (or a new failure appears).
"""

from __future__ import annotations

import inspect
from collections import Counter, defaultdict
from pathlib import Path

import derivations
import jacobians
import net
import reshape

from .harness import Outcome, run, run_valid
from .table import CASES, TABLE, VARIANT_CASES

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"reshape": reshape, "jacobians": jacobians, "net": net, "derivations": derivations}
# methods' rows are named by their class; where each class is defined
CLASSES = {
    "MLP": "net/_mlp.py",
    "Network": "net/_network.py",
    "RnnTable": "derivations/_rnn_model.py",
    "Expression": "jacobians/expressions/_graph.py",
    "Derivation": "derivations/_model.py",
    "Catalog": "derivations/_model.py",
    "ExpressionTable": "derivations/_expression_model.py",
}


def source_file(name: str) -> str:
    """The file that defines the callable of a row (a structure's method: its structure's file)."""
    first, _, rest = name.partition(".")
    if first in CLASSES:
        return CLASSES[first]
    if first not in PACKAGES:  # Dense.left, Kronecker.T: the structure's own class
        obj = getattr(jacobians, first)
    else:
        obj = PACKAGES[first]
        for part in rest.split("[")[0].split("."):
            obj = getattr(obj, part)
    if isinstance(obj, jacobians.Operation):
        obj = obj.prepare
    return str(Path(inspect.getsourcefile(obj) or "?").relative_to(ROOT))


def sweep() -> tuple[dict[tuple[str, str, str], Outcome], dict[tuple[str, str, str], Outcome]]:
    """Every case and every variant, run once (the canonical values)."""
    cases = {c: run(TABLE[c[0]], c[1], c[2]) for c in CASES}
    variants = {c: run_valid(TABLE[c[0]], c[1], c[2]) for c in VARIANT_CASES}
    return cases, variants


def main() -> None:
    cases, variants = sweep()
    counts = Counter(o.status for o in cases.values())
    good = counts["clear"] + counts["finite"]
    print(
        f"bad inputs tried: {len(cases)}; refused clearly: {counts['clear']}; finite result of"
        f" a finite (huge) input: {counts['finite']}; anything else: {len(cases) - good}"
    )
    print("  ", dict(counts.most_common()))
    vgood = sum(o.status == "finite" for o in variants.values())
    print(f"other valid forms tried: {len(variants)}; accepted: {vgood}")
    failing = {c: o for c, o in {**cases, **variants}.items() if not o.good}
    rows: dict[str, dict[tuple[str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
    for (name, arg, kind), _ in failing.items():
        rows[source_file(name)][name, arg].append(kind)
    for path in sorted(rows):
        print(f'    "{path}": [')
        for (name, arg), kinds in rows[path].items():
            print(f'        ("{name}", "{arg}", "{" ".join(kinds)}"),')
        print("    ],")


if __name__ == "__main__":
    main()
