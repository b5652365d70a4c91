"""Golden files: compare a rendering with tests/derivations/golden/NAME, or rewrite it.

Regenerate every golden after an intended change with

    UPDATE_GOLDEN=1 pytest tests/derivations

then read the diff (git diff tests/derivations/golden) before committing it.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _golden(name: str, text: str) -> str | None:
    """The golden file's text, or None after rewriting it with ``text`` under UPDATE_GOLDEN=1."""
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
        return None
    assert path.exists(), f"no golden {path}: run UPDATE_GOLDEN=1 pytest tests/derivations"
    return path.read_text(encoding="utf-8")


def check_text(name: str, text: str) -> None:
    """The text equals the golden file exactly (or rewrite the golden under UPDATE_GOLDEN=1)."""
    want = _golden(name, text)
    assert want is None or text == want, (
        f"{name} differs from its golden; if the change is intended, regenerate with "
        f"UPDATE_GOLDEN=1 pytest tests/derivations and review the diff"
    )


def _close(a: Any, b: Any, where: str) -> None:
    if isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, (int, float)) and isinstance(b, (int, float)), where
        # differences at rounding level (1e-17 … 1e-15) depend on the machine; values do not
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), f"{where}: {a} != {b}"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), f"{where}: keys {a} != {b}"
        for k in a:
            _close(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{where}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def check_json(name: str, text: str) -> None:
    """The JSON equals the golden, numbers to 1e-9 relative (1e-12 absolute)."""
    want = _golden(name, text)
    if want is not None:
        _close(json.loads(text), json.loads(want), name)
