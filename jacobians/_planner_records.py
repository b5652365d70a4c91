"""The checks of a :class:`~jacobians._structure_args.Structure` record given to
:func:`jacobians.plan`: one row per kind, each saying what is wrong with the fields it needs
(a Kronecker product's factor sizes, a block size dividing the dimensions, a sum's terms, a
product's factors meeting), so that a bad record is refused by name before it is planned."""

from __future__ import annotations

from collections.abc import Callable, Collection
from itertools import pairwise

import numpy as np

from reshape import InputError, InputTypeError, describe, is_whole

from ._lowrank import DiagonalPlusLowRank
from ._structure_args import Structure

__all__ = ["check_structure"]


def _whole(n: object) -> bool:
    return is_whole(n) and n >= 1  # type: ignore[operator]


def _square(s: Structure) -> str | None:
    return None if s.rows == s.cols else f"{s.rows} rows and {s.cols} columns, not square"


def _factor(name: str, F: object) -> str | None:
    if not (isinstance(F, tuple) and len(F) == 3):
        return f"{name} {F!r}, not a triple (rows, cols, is_identity)"
    a, b, eye = F
    if not (_whole(a) and _whole(b) and isinstance(eye, (bool, np.bool_))):
        return f"{name} {F!r}, not (whole number ≥ 1, whole number ≥ 1, bool)"
    return f"{name} {F!r}, an identity that is not square" if eye and a != b else None


def _kronecker(s: Structure) -> str | None:
    bad = _factor("left", s.left) or _factor("right", s.right)
    if bad:
        return bad
    (a, b, _), (p, q, _) = s.left, s.right  # type: ignore[misc]
    if (a * p, b * q) != (s.rows, s.cols):
        return f"left {s.left} ⊗ right {s.right}: {a * p}×{b * q}, not {s.rows}×{s.cols}"
    return None


def _blocks(s: Structure) -> str | None:
    p = s.block
    if not _whole(p):
        return f"block {p!r}, not a whole number ≥ 1"
    if s.rows % p:  # type: ignore[operator]
        return f"blocks of {p} rows, which do not divide its {s.rows} rows"
    d = s.rows // p  # type: ignore[operator]
    return f"{d} blocks, which do not divide its {s.cols} columns" if s.cols % d else None


def _low_rank(s: Structure) -> str | None:
    n, lr = s.block, s.low_rank
    if not _whole(n) or s.rows % n:  # type: ignore[operator]
        return f"samples of block {n!r}, not a whole number ≥ 1 dividing {s.rows}"
    if not (isinstance(lr, tuple) and len(lr) == 2 and _whole(lr[0])):
        return f"low_rank {lr!r}, not (k ≥ 1, axis 1 or 2)"
    if not (is_whole(lr[1]) and lr[1] in (1, 2)):
        return f"low_rank {lr!r}, whose axis is not 1 or 2"
    return _square(s)


def _toeplitz(s: Structure) -> str | None:
    ok = _whole(s.block)
    return None if ok else f"block {s.block!r}, not the whole number ≥ 1 of multiply-adds a column"


def _terms(arg: str, s: Structure, kinds: Collection[str], path: str) -> str | None:
    terms = s.terms
    if not isinstance(terms, (tuple, list)) or not terms:
        return f"terms {terms!r}, not a tuple of one structure or more"
    for i, t in enumerate(terms):
        check_structure(arg, t, kinds, f"{path}terms[{i}] of ")
    if s.kind == "sum":
        for i, t in enumerate(terms):
            if (t.rows, t.cols) != (s.rows, s.cols):
                return f"terms[{i}] {t.rows}×{t.cols} in a sum {s.rows}×{s.cols}"
        return None
    if (terms[0].rows, terms[-1].cols) != (s.rows, s.cols):
        rows, cols = terms[0].rows, terms[-1].cols
        return f"factors from {rows} rows to {cols} columns in a product {s.rows}×{s.cols}"
    for i, (t, u) in enumerate(pairwise(terms)):
        if t.cols != u.rows:
            return f"terms[{i}] with {t.cols} columns before terms[{i + 1}] with {u.rows} rows"
    return None


# kind -> (its fields that must be given, what else its record must satisfy)
_RECORDS: dict[str, tuple[tuple[str, ...], Callable[[Structure], str | None] | None]] = {
    "identity": ((), _square),
    "diagonal": ((), _square),
    "permutation": ((), _square),
    "dense": ((), None),
    "kronecker": (("left", "right"), _kronecker),
    "block-diagonal": (("block",), _blocks),
    DiagonalPlusLowRank.kind: (("block", "low_rank"), _low_rank),
    "toeplitz": (("block",), _toeplitz),
    "sum": (("terms",), None),  # the terms are checked by _terms, naming the argument
    "product": (("terms",), None),
}


def check_structure(arg: str, s: object, kinds: Collection[str], path: str = "") -> None:
    """A Structure the planner can read: a known kind, whole dimensions, the fields of its kind,
    each consistent with the dimensions; a sum's terms and a product's factors checked in turn
    (``path`` names the term in the message). Refused with an error naming ``arg``."""
    expected = f"a jacobians.Structure (J.structure) of a kind in {', '.join(kinds)}"
    if not isinstance(s, Structure):
        raise InputTypeError("plan", arg, expected, f"{path}{describe(s)}")
    if not isinstance(s.kind, str) or s.kind not in kinds:
        raise InputError("plan", arg, expected, f"{path}kind {s.kind!r}")
    sizes = "rows and cols that are whole numbers ≥ 1"
    if not all(is_whole(k) for k in (s.rows, s.cols)):
        raise InputTypeError("plan", arg, sizes, f"{path}{s!r}")
    if not all(k >= 1 for k in (s.rows, s.cols)):
        raise InputError("plan", arg, sizes, f"{path}{s!r}")
    fields, rule = _RECORDS[s.kind]
    if any(getattr(s, f) is None for f in fields):
        need = f"a {s.kind} structure with {' and '.join(fields)}"
        raise InputError("plan", arg, need, f"{path}{s!r}")
    bad = _terms(arg, s, kinds, path) if s.kind in ("sum", "product") else rule(s) if rule else None
    if bad is not None:
        need = f"a {s.kind} structure whose fields fit its {s.rows}×{s.cols} dimensions"
        raise InputError("plan", arg, need, f"{path}{s!r}: {bad}")
