"""Readings of a claimed Jacobian: the same numbers read another way.

A claim is compared as given, and also read transposed (denominator layout, or a gradient shaped
like Wᵀ) and unflattened column-major (a commutation) on either side; :func:`_readings` lists
the distinct readings for :mod:`jacobians.checking._diagnose` to test against each slip.

Every reading carries its fix as Python code on the claim exactly as it was passed
(``claimed.T``, ``reshape.reorder(claimed, …)``): applied to that array, the code gives a claim
in the same form that matches. When two readings give the same numbers (a square gradient
transposed is also its column-major vec read back row-major), the one listed first is named, the
one that fits what was passed (a matrix shaped like W: transposed, fixed by ``.T``), and the
other is mentioned beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from math import prod

import numpy as np

from reshape import reorder

from .._structure_args import fmt_shape
from ._claim import _forms


@dataclass(frozen=True)
class _Reading:
    name: str  # "as given", "transposed", "transposed, column-major (the input)", …
    M: np.ndarray  # the numbers read this way, as the numerator-layout matrix
    kind: str | None  # the diagnosis kind if this reading alone explains it
    summary: str
    words: str  # the fix in words: "transpose it"
    code: str  # the fix as code on `claimed`, as passed: "claimed.T" ("claimed": as given)
    shape: tuple[int, ...]  # the shape `code` gives
    short: str = ""  # the reading in a few words, to mention beside another
    also: tuple[str, ...] = ()  # the other readings with the same numbers, in a few words

    @property
    def fix(self) -> str:
        return f"{self.words}: {self.code}"

    def described(self) -> str:
        """The summary, with any other reading that gives the same numbers."""
        if not self.also:
            return self.summary
        return f"{self.summary}; the same numbers are also {'; or '.join(self.also)}"


def _transposed(G: np.ndarray, out_shape: tuple, in_shape: tuple, of: str, wrt: str) -> _Reading:
    n_out, n_in = prod(out_shape), prod(in_shape)
    square = G.shape[0] == G.shape[1]
    if n_out == 1 and G.shape[::-1] == in_shape:
        if square:
            summary = (
                f"claimed is the gradient transposed: its entry [i, j] is ∂{of}/∂{wrt}[j, i], "
                f"as x δᵀ is for δ xᵀ ({wrt} is square, so only the numbers tell)"
            )
        else:
            summary = (
                f"claimed is the gradient transposed: shaped like {wrt}ᵀ {fmt_shape(G.shape)}, "
                f"where the gradient is shaped like {wrt} {fmt_shape(in_shape)}, as x δᵀ is for "
                f"δ xᵀ (some texts lay out ∂{of}/∂{wrt} shaped like {wrt}ᵀ)"
            )
        words = f"transpose it to the gradient shaped like {wrt}"
    else:
        layout = (
            f"denominator layout (one row per entry of {wrt}), where numerator layout has one "
            f"row per output entry ({n_out}×{n_in})"
        )
        summary = (
            f"claimed is the Jacobian transposed: {layout}; it is square, so only the numbers tell"
            if square
            else f"claimed is {G.shape[0]}×{G.shape[1]}, in {layout}"
        )
        words = "transpose it"
    M = G.T.reshape(n_out, n_in)
    code, shape = "claimed.T", G.shape[::-1]
    return _Reading("transposed", M, "transposed", summary, words, code, shape, "transposed")


def _input_axes_first(G: np.ndarray, out_shape: tuple, in_shape: tuple) -> _Reading:
    k = len(in_shape)
    T = np.moveaxis(G, list(range(k)), list(range(-k, 0)))
    return _Reading(
        "transposed",
        T.reshape(prod(out_shape), prod(in_shape)),
        "transposed",
        f"claimed is the tensor {fmt_shape(G.shape)}, input axes first (denominator layout); "
        f"numerator layout puts the output's axes first: {fmt_shape(out_shape + in_shape)}",
        "move the input axes last",
        f"np.moveaxis(claimed, {list(range(k))}, {list(range(-k, 0))})",
        out_shape + in_shape,
        "the tensor with its input axes first",
    )


def _column_major(
    r: _Reading, side: str, o: tuple, i: tuple, out_shape: tuple, in_shape: tuple, wrt: str
) -> _Reading:
    """r's numbers read as flattened column-major on ``side``; the fix applies to r's code."""
    n_out, n_in = prod(out_shape), prod(in_shape)
    M = reorder(r.M, o, i, src="F", dst="C")
    what = {
        "both sides": "both sides",
        "the input": f"{wrt} {fmt_shape(in_shape)}",
        "the output": f"the output {fmt_shape(out_shape)}",
    }[side]
    vec_f = "flattened column-major (the vec of Magnus & Neudecker)"
    flattened = wrt if side == "the input" else side
    short = f"the gradient {vec_f}, read back row-major" if n_out == 1 else f"{flattened} {vec_f}"
    summary = (
        f"{vec_f} on {what}, where this toolkit flattens row-major: it differs from the "
        "Jacobian by a commutation matrix K (e.g. xᵀ ⊗ I_n instead of I_n ⊗ xᵀ; with row-major "
        "vec, vec(AXB) = (A ⊗ Bᵀ) vec(X))"
    )
    X = r.code
    gradient = n_out == 1 and r.shape == in_shape and len(in_shape) == 2
    if gradient:  # the gradient's entries read in the other order
        p, q = in_shape
        summary = f"the gradient {vec_f} and folded back row-major into {wrt}'s shape"
        words, code = "unfold it column-major", f"{X}.reshape({q}, {p}).T"
    elif r.shape == (n_out, n_in):
        words = "reorder it to row-major vec"
        code = f"reshape.reorder({X}, {o}, {i}, src='F', dst='C')"
    else:
        words = "reorder it to row-major vec"
        code = (
            f"reshape.reorder({X}.reshape({n_out}, {n_in}), {o}, {i}, src='F', dst='C')"
            f".reshape({', '.join(map(str, r.shape))})"
        )
    if r.kind == "transposed":
        summary = f"{r.summary}, and {summary}"
        words = f"{r.words}, then {words}"
        short = f"transposed and {short}"
    name = f"{r.name}, column-major ({side})"
    return _Reading(name, M, "column-major", summary, words, code, r.shape, short)


def _readings(
    G: np.ndarray,
    out_shape: tuple,
    in_shape: tuple,
    of: str,
    wrt: str,
    sketch: Callable[[np.ndarray], np.ndarray] | None = None,
) -> list[_Reading]:
    """The claim as given, then each other reading of its numbers, without repeats.

    With ``sketch`` (the fast check: M ↦ M·V for its random directions V), each reading's matrix
    is replaced by its sketch as soon as it is read, so about two matrices of the claim's size
    are held at once, and repeats are found among the sketches."""
    n_out, n_in = prod(out_shape), prod(in_shape)
    accepted = {s for shapes in _forms(out_shape, in_shape).values() for s in shapes}
    bases: list[Callable[[], _Reading]] = [
        lambda: _Reading("as given", G.reshape(n_out, n_in), None, "", "", "claimed", G.shape)
    ]
    if G.ndim == 2 and G.shape[::-1] in accepted:
        bases.append(lambda: _transposed(G, out_shape, in_shape, of, wrt))
    if G.shape == in_shape + out_shape and len(G.shape) > 2:  # also where the two are one shape
        bases.append(lambda: _input_axes_first(G, out_shape, in_shape))
    variants = []
    matrix_out = len([s for s in out_shape if s > 1]) > 1
    matrix_in = len([s for s in in_shape if s > 1]) > 1
    if matrix_out and matrix_in:
        variants.append(("both sides", out_shape, in_shape))
    if matrix_in:
        variants.append(("the input", (n_out,), in_shape))
    if matrix_out:
        variants.append(("the output", out_shape, (n_in,)))

    def read() -> Iterator[_Reading]:
        # the order matters: when two readings give the same numbers, the first is named
        yield from (make() for make in bases)
        for make in bases:
            r = make()  # made again rather than kept: one matrix of the claim's size at a time
            yield from (_column_major(r, *v, out_shape, in_shape, wrt) for v in variants)

    unique: list[_Reading] = []
    for r in read():
        if sketch is not None:
            r = replace(r, M=sketch(r.M))
        same = next((k for k, u in enumerate(unique) if np.array_equal(r.M, u.M)), None)
        if same is None:
            unique.append(r)
        elif same > 0:  # as given is never a slip: nothing to mention beside it
            unique[same] = replace(unique[same], also=(*unique[same].also, r.short))
    return unique


# ----- fixes as code: a factor on a reading -----


def _scaled(code: str, c: float) -> str:
    """Code that divides ``code`` (an expression of claimed) by the factor c, written simply."""
    fr = Fraction(1 / c).limit_denominator(1000)
    if abs(float(fr) - 1 / c) > 1e-9 * max(1.0, abs(1 / c)):
        return f"{code} / {c:.12g}"  # 1.0001, not its float noise 1.0001000000000004
    if fr == -1:
        return f"-{code}"
    if fr.denominator == 1:
        return f"{fr.numerator} * {code}"
    sign = "-" if fr < 0 else ""
    if abs(fr.numerator) == 1:
        return f"{sign}{code} / {fr.denominator}"
    return f"{sign}{code} * {abs(fr.numerator)} / {fr.denominator}"
