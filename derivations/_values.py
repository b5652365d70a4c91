"""The arrays of ``jacobians derive --values``: one loader for the named tables and for
expressions.

``--values`` is a JSON object of arrays by name, inline (``'{"W": [[1, 2]], "x": [3, 4]}'``, any
text that starts with ``{``) or in a ``.json`` file, or an ``.npz`` file (``np.savez(path, W=W,
x=x)``). Each array is checked here, naming it: numeric (no text, null or booleans), not ragged,
real and finite. Which names a table knows, and the shapes, are the table's to check.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, check_finite, describe

__all__ = ["OPTION", "load_values"]

OPTION = "--values"
_EXPECTED = (
    "a .json or .npz file of arrays by name, or a JSON object such as "
    '\'{"W": [[1, 2]], "x": [3, 4]}\''
)


def _array(name: str, value: Any) -> np.ndarray:
    """One named array, checked: numeric, rectangular, real, finite; as float64."""
    arg = name
    try:
        a = np.asarray(value)
    except ValueError:  # ragged nested lists
        raise InputTypeError(
            OPTION, arg, "a numeric array: nested lists of equal lengths", "ragged nested lists"
        ) from None
    if a.dtype.kind not in "iuf":
        what = {"b": "true/false", "c": "complex numbers", "O": "text, null or mixed entries"}
        got = what.get(a.dtype.kind, "text") if a.size else "an empty array"
        raise InputTypeError(OPTION, arg, "an array of real numbers", got)
    return check_finite(a, OPTION, arg).astype(np.float64)


def _from_json(text: str, where: str) -> dict[str, np.ndarray]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            OPTION, where, "a JSON object of arrays by name", f"invalid JSON: {exc}"
        ) from None
    if not isinstance(doc, dict):
        raise InputError(
            OPTION, where, "a JSON object of arrays by name: {name: array, …}", describe(doc)
        )
    return {name: _array(name, v) for name, v in doc.items()}


def _from_npz(path: Path) -> dict[str, np.ndarray]:
    expected = "an .npz archive of arrays by name (np.savez(path, W=W, x=x))"
    try:
        data = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile):
        raise InputError(OPTION, str(path), expected, "a file numpy cannot read as one") from None
    if not hasattr(data, "files"):  # an .npy file named .npz: one array, without a name
        raise InputError(OPTION, str(path), expected, f"a single array of shape {data.shape}")
    with data:
        out = {}
        for name in data.files:
            try:
                raw = data[name]
            except ValueError as exc:  # an object array, which would need pickle
                raise InputTypeError(OPTION, name, "an array of real numbers", str(exc)) from None
            out[name] = _array(name, raw)
        return out


def load_values(spec: str | Path) -> dict[str, np.ndarray]:
    """The arrays ``spec`` gives: inline JSON (text starting with ``{``, or ``[``, which is
    refused as not an object), a .json or an .npz
    file. Each is float64; an error names the array or the file, on one line.

    >>> load_values('{"W": [[1, 2]], "x": [3, 4]}')["x"]
    array([3., 4.])
    """
    if isinstance(spec, str) and spec.lstrip()[:1] in ("{", "["):
        return _from_json(spec, "inline JSON")
    path = Path(spec)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".npz"):
        raise InputError(OPTION, str(spec), _EXPECTED, f"a file ending in {suffix or 'nothing'}")
    if not path.is_file():
        raise InputError(OPTION, str(spec), _EXPECTED, "no such file")
    if suffix == ".npz":
        return _from_npz(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(OPTION, str(spec), "a readable UTF-8 JSON file", str(exc)) from None
    return _from_json(text, str(spec))
