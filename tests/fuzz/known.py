"""KNOWN: the fuzz cases that fail, each in code another helper (or nobody yet) owns (none today).

Each is expected to fail (``xfail(strict=True)``): when the fix lands, the case passes, the strict
xfail turns that into a failure, and its line is removed here. Rows are grouped by the file that
defines the callable, with the helper of issue 15 that owns it; ``python -m tests.fuzz.summary``
prints the rows as they stand. A row is (callable, argument, the kinds that fail, space-separated);
the variants (other valid forms that must be accepted: ``list``, ``numpy_int``, …) sit beside the
bad kinds.
"""

from __future__ import annotations

KNOWN_BY_FILE: dict[str, list[tuple[str, str, str]]] = {
    # none today: every case of the table passes. A failure found later in code this test does
    # not own goes here, under its file, until the fix lands:
    # "path/to/file.py": [("callable", "argument", "kind kind …"), …],
}

KNOWN: dict[tuple[str, str, str], str] = {
    (name, arg, kind): owner
    for owner, rows in KNOWN_BY_FILE.items()
    for name, arg, kinds in rows
    for kind in kinds.split()
}
