"""The records of the fuzz table: :class:`Entry`, a public callable with a valid call, and
:class:`Arg`, one of its arguments with the role that says which bad kinds apply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .roles import KINDS, OPT_IN, VARIANTS


@dataclass(frozen=True)
class Arg:
    """One argument of a callable: its name, its role (which bad kinds apply), the kinds that
    are valid input here (``skip``), those that may also give a finite result (``tolerant``),
    and the text its errors must contain (``named``, default the name)."""

    name: str
    role: str
    skip: frozenset[str] = frozenset()
    tolerant: frozenset[str] = frozenset()
    named: str = ""
    also: frozenset[str] = frozenset()  # variants that apply here only (a 0-d input)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k in KINDS[self.role] if k not in self.skip)

    @property
    def names(self) -> tuple[str, ...]:
        """The arguments an error may name for this one: itself, or those ``named`` lists
        (``"J|shape"``: a mismatch between two arguments may be reported on either)."""
        return tuple(self.named.split("|")) if self.named else (self.name,)

    @property
    def variants(self) -> tuple[str, ...]:
        """The other valid forms of this argument that must be accepted."""
        role = VARIANTS.get(self.role, {})
        return tuple(v for v in role if v not in self.skip and v not in OPT_IN) + tuple(
            sorted(self.also)
        )


def arg(
    name: str, role: str, skip: str = "", tolerant: str = "", named: str = "", also: str = ""
) -> Arg:
    """An Arg with its sets of kinds and variants written as space-separated names."""
    return Arg(
        name,
        role,
        frozenset(skip.split()),
        frozenset(tolerant.split()),
        named,
        frozenset(also.split()),
    )


@dataclass(frozen=True)
class Entry:
    """A public callable: ``call(**valid())`` is a valid call; each of ``args`` is replaced in
    turn. An entry with no args is called once, validly (a record type, or a call without
    arguments); ``why`` says why it is not fuzzed."""

    call: Callable[..., Any]
    valid: Callable[[], dict[str, Any]] = dict
    args: tuple[Arg, ...] = ()
    why: str = ""
    exempt: bool = False  # a record or an error type: not called at all
    slow: bool = False  # the sweep runs it; hypothesis leaves it out
    extra: dict[str, Any] = field(default_factory=dict)


def exempt(why: str) -> Entry:
    return Entry(call=lambda: None, why=why, exempt=True)
