"""The layer spec: a network's layers written as one line of text, parsed (never evaluated).

Items are separated by commas; each is ``kind`` or ``kind:arg:arg…``::

    dense:N            N units, identity activation        dense:N:act   with activation act
    relu, tanh, …      any activation of jacobians.ACTIVATIONS, as a layer of its own
    layernorm          layer norm (γ, β) over each sample  batchnorm     batch norm (γ, β)
    attention:H        H heads                              attention:H:causal   with the mask
    conv1d:CxK         C output channels, kernel K         conv1d:CxK:sS:pP     stride S, padding P
    conv2d:CxK         C channels, a K×K kernel            conv2d:CxKhxKw       a Kh×Kw kernel
                       (:sS and :pP as for conv1d, in either order)
    rnn:N              a recurrent layer of N units (a sequence in, its last state out)
    embedding:VxN      a lookup table of V ids, N wide
    flatten            each sample's entries as one vector
    residual(items)    x + f(x), f the items inside (nested blocks allowed)

Spaces around items are ignored. An error names the item, its column (from 1) and what was
expected there.

>>> parse_layers("dense:4:tanh, residual(dense:8:relu,dense:4), dense:1")
[Dense(4, 'tanh'), Residual([Dense(8, 'relu'), Dense(4)]), Dense(1)]
"""

from __future__ import annotations

import re
from collections.abc import Callable

from jacobians import ACTIVATIONS
from reshape import InputError, InputTypeError, describe

from ._dense import Activation, Dense, Flatten
from ._layer_attention import Attention
from ._layer_base import Layer
from ._layer_conv import Conv1d, Conv2d
from ._layer_norm import BatchNorm, Embedding, LayerNorm
from ._layer_rnn import RNN
from ._residual import Residual

__all__ = ["SpecError", "parse_layers"]

_NUMBER = re.compile(r"[1-9][0-9]*")
_PAIR = re.compile(r"([1-9][0-9]*)x([1-9][0-9]*)")


class SpecError(InputError):
    """A layer spec that does not parse; ``column`` is where (from 1). Raised by
    :func:`parse_layers` for its ``text``, and for the argument that held the spec by those
    that parse one (``Network``'s ``layers``)."""

    def __init__(
        self,
        text: str,
        item: str,
        column: int,
        expected: str,
        hint: str = "",
        op: str = "parse_layers",
        arg: str = "text",
    ) -> None:
        self.text, self.item, self.column = text, item, column
        got = f"{item!r} at column {column}" if item else f"nothing at column {column}"
        super().__init__(op, arg, expected, got, hint or None)
        self.args = (f"{self.args[0]}\n In: {text}\n     {' ' * (column - 1)}^",)

    def named(self, op: str, arg: str) -> SpecError:
        """The same error said of the caller's argument: ``Network``'s ``layers``."""
        return SpecError(self.text, self.item, self.column, self.expected, self.hint or "", op, arg)


def _number(args: list[str]) -> int | None:
    """The first argument as a positive whole number, or None."""
    return int(args[0]) if args and _NUMBER.fullmatch(args[0]) else None


# ----- one builder per kind: (the arguments after the kind) -> a layer, or the expected text -----
def _dense(args: list[str]) -> Layer | str:
    expected = "dense:N or dense:N:activation (N a positive whole number)"
    n = _number(args)
    if n is None or len(args) > 2:
        return expected
    if len(args) == 2 and args[1] not in ACTIVATIONS:
        return f"{expected}, the activation one of {', '.join(ACTIVATIONS)}"
    return Dense(n, *args[1:])


def _conv(kind: str, make: Callable[..., Layer]) -> Callable[[list[str]], Layer | str]:
    """conv1d:CxK or conv2d:CxK (K×K) | conv2d:CxKhxKw, then :sS and :pP in any order."""
    sizes = "CxK" if kind == "conv1d" else "CxK or CxKhxKw"
    expected = f"{kind}:{sizes}, optionally followed by :sS (stride) and :pP (padding)"
    most = 2 if kind == "conv1d" else 3

    def build(args: list[str]) -> Layer | str:
        parts = args[0].split("x") if args else []
        if not 2 <= len(parts) <= most or not all(_NUMBER.fullmatch(p) for p in parts):
            return expected
        opts: dict[str, int] = {}
        for a in args[1:]:
            key = {"s": "stride", "p": "padding"}.get(a[:1])
            if key is None or key in opts or not re.fullmatch(r"[0-9]+", a[1:]):
                return expected
            opts[key] = int(a[1:])
        channels, *kernel = (int(p) for p in parts)
        return make(channels, kernel[0] if len(kernel) == 1 else tuple(kernel), **opts)

    return build


def _attention(make: Callable[..., Layer]) -> Callable[[list[str]], Layer | str]:
    def build(args: list[str]) -> Layer | str:
        h = _number(args)
        if h is None or args[1:] not in ([], ["causal"]):
            return "attention:H or attention:H:causal (H heads, a positive whole number)"
        return make(heads=h, causal=args[1:] == ["causal"])

    return build


def _rnn(make: Callable[..., Layer]) -> Callable[[list[str]], Layer | str]:
    def build(args: list[str]) -> Layer | str:
        n = _number(args)
        return (
            "rnn:N (N units, a positive whole number)" if n is None or len(args) != 1 else make(n)
        )

    return build


def _embedding(make: Callable[..., Layer]) -> Callable[[list[str]], Layer | str]:
    def build(args: list[str]) -> Layer | str:
        m = _PAIR.fullmatch(args[0]) if len(args) == 1 else None
        if m is None:
            return "embedding:VxN (V ids, N wide, positive whole numbers)"
        return make(int(m.group(1)), int(m.group(2)))

    return build


def _plain(make: Callable[[], Layer], kind: str) -> Callable[[list[str]], Layer | str]:
    return lambda args: make() if not args else f"{kind} without arguments"


BUILDERS: dict[str, Callable[[list[str]], Layer | str]] = {
    "dense": _dense,
    "flatten": _plain(Flatten, "flatten"),
    "conv1d": _conv("conv1d", Conv1d),
    "conv2d": _conv("conv2d", Conv2d),
    "rnn": _rnn(RNN),
    "layernorm": _plain(LayerNorm, "layernorm"),
    "batchnorm": _plain(BatchNorm, "batchnorm"),
    "embedding": _embedding(Embedding),
    "attention": _attention(Attention),
}


def _split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans of the comma-separated items of text[start:end] at depth 0."""
    spans, depth, first = [], 0, start
    for i in range(start, end):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                raise SpecError(text, ")", i + 1, "an item (a ')' closes nothing here)")
        elif c == "," and depth == 0:
            spans.append((first, i))
            first = i + 1
    if depth > 0:
        i = text.rindex("(", start, end)
        raise SpecError(text, text[first:end].strip(), i + 1, "a ')' closing this '('")
    spans.append((first, end))
    return spans


def _items(text: str, start: int, end: int, builders: dict) -> list[Layer]:
    layers = []
    for a, b in _split(text, start, end):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        layers.append(_item(text, a, b, builders))
    return layers


def _item(text: str, a: int, b: int, builders: dict) -> Layer:
    item, column = text[a:b], a + 1
    kinds = ", ".join([*builders, "residual(…)", "an activation name"])
    if not item and not text.strip():  # a blank spec: no comma to remove
        hint = "list the layers, e.g. 'dense:4:tanh,dense:1'"
        raise SpecError(text, "", 1, f"at least one item: {kinds}", hint)
    if not item:  # between two commas, or before or after one
        raise SpecError(text, "", column, f"an item: {kinds}", "remove the extra comma")
    if item.startswith("residual"):
        if not (item[len("residual") :].startswith("(") and item.endswith(")")):
            raise SpecError(text, item, column, "residual(items), the block's items in parentheses")
        if not text[a + len("residual(") : b - 1].strip():
            raise SpecError(text, item, column, "residual(items) with at least one item inside")
        return Residual(_items(text, a + len("residual("), b - 1, builders))
    kind, *args = item.split(":")
    if kind in ACTIVATIONS:
        if args:
            raise SpecError(text, item, column, f"the activation {kind} without arguments")
        return Activation(kind)
    if kind not in builders:
        raise SpecError(text, item, column, f"a layer kind: {kinds}")
    try:
        built = builders[kind](args)
    except InputError as err:  # the layer's own refusal of an argument (a zero width …)
        raise SpecError(text, item, column, f"{err.expected} (for {err.op}'s {err.arg})") from None
    if isinstance(built, str):
        raise SpecError(text, item, column, built)
    return built


def parse_layers(text: str) -> list[Layer]:
    """The layers a spec lists, in order (the syntax is in this module's docstring).

    Raises:
        SpecError: an item that does not parse, named with its column.

    >>> parse_layers("flatten,dense:2")
    [Flatten(), Dense(2)]
    """
    if not isinstance(text, str):
        raise InputTypeError(
            "parse_layers", "text", "a layer spec such as 'dense:4:tanh,dense:1'", describe(text)
        )
    return _items(text, 0, len(text), BUILDERS)
