"""Readings of a claimed Jacobian: the claim as an array, the forms it may take, and the same
numbers read another way.

:func:`_claimed_array` takes the claim (an array, a Jacobian, or a function called like f) as a
real array with the Jacobian's number of entries, or says what it would need. A claim is compared
as given, and also read transposed (denominator layout, or a gradient shaped like Wᵀ) and
unflattened column-major (a commutation) on either side; :func:`_readings` lists the distinct
readings for :mod:`jacobians.checking._diagnose` to test against each slip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import prod
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, ShapeError, as_array, describe, reorder

from .._jacobian import Jacobian, fmt_shape


@dataclass(frozen=True)
class _Reading:
    name: str  # "as given", "transposed", "column-major (input)", …
    M: np.ndarray
    kind: str | None  # the diagnosis kind if this reading alone explains it
    summary: str
    fix: str


def _forms(out_shape: tuple, in_shape: tuple) -> dict[str, list[tuple[int, ...]]]:
    n_out, n_in = prod(out_shape), prod(in_shape)
    forms: dict[str, list[tuple[int, ...]]] = {
        "matrix": [(n_out, n_in)],
        "tensor": [out_shape + in_shape],
        "gradient": [],
    }
    if n_out == 1:
        forms["matrix"].append((n_in,)) if len(in_shape) == 1 else None
        forms["gradient"] = [in_shape, _col(in_shape)]
    return forms


def _col(shape: tuple) -> tuple:
    return (shape[0], 1) if len(shape) == 1 else shape


def _read_as(shape: tuple, out_shape: tuple, in_shape: tuple, wrt: str) -> str | None:
    n_out, n_in = prod(out_shape), prod(in_shape)
    shape = tuple(shape)
    if n_out == 1 and shape in (in_shape, _col(in_shape)):
        return f"the gradient, shaped like {wrt}"
    if n_out == 1 and shape in ((1, n_in), (n_in,)):
        return f"the 1×{n_in} row"
    if shape == (n_out, n_in):
        return "the matrix"
    if shape == out_shape + in_shape:
        return "the tensor"
    return None


def _readings(G: np.ndarray, out_shape: tuple, in_shape: tuple, wrt: str) -> list[_Reading]:
    n_out, n_in = prod(out_shape), prod(in_shape)
    accepted = {s for shapes in _forms(out_shape, in_shape).values() for s in shapes}
    base = [_Reading("as given", G.reshape(n_out, n_in), None, "", "")]
    if G.ndim == 2 and G.shape[::-1] in accepted and G.shape not in accepted:
        if n_out == 1 and G.shape == in_shape[::-1]:
            summary = (
                f"claimed is shaped like {wrt}ᵀ {fmt_shape(G.shape)}: the numerator-layout "
                f"derivative d f/d{wrt} (as in Lemma 2, d f(Wx)/dW = x ∇f(Wx)ᵀ), whose transpose "
                f"is the gradient shaped like {wrt} {fmt_shape(in_shape)}"
            )
            fix = f"transpose it (.T) to get the gradient shaped like {wrt}"
        else:
            summary = (
                f"claimed is {G.shape[0]}×{G.shape[1]}, in denominator layout (one row per input "
                f"entry); numerator layout has one row per output entry ({n_out}×{n_in})"
            )
            fix = "transpose it (.T)"
        base.append(_Reading("transposed", G.T.reshape(n_out, n_in), "transposed", summary, fix))
    if G.shape == in_shape + out_shape and G.shape != out_shape + in_shape and len(G.shape) > 2:
        k = len(in_shape)
        T = np.moveaxis(G, list(range(k)), list(range(len(out_shape), len(out_shape) + k)))
        base.append(
            _Reading(
                "transposed",
                T.reshape(n_out, n_in),
                "transposed",
                f"claimed is the tensor {fmt_shape(G.shape)}, input axes first (denominator "
                "layout); numerator layout puts the output's axes first: "
                f"{fmt_shape(out_shape + in_shape)}",
                "move the input axes last: np.moveaxis(T, range(k), range(-k, 0))",
            )
        )
    out = [r for r in base]
    sides = {
        "output": len([s for s in out_shape if s > 1]) > 1,
        "input": len([s for s in in_shape if s > 1]) > 1,
    }
    variants = []
    if sides["output"] and sides["input"]:
        variants.append(("both sides", out_shape, in_shape))
    if sides["input"]:
        variants.append(("the input", (n_out,), in_shape))
    if sides["output"]:
        variants.append(("the output", out_shape, (n_in,)))
    for r in base:
        for side, o, i in variants:
            M = reorder(r.M, o, i, src="F", dst="C")
            what = f"{wrt} {fmt_shape(in_shape)}" if side == "the input" else side
            if side == "the output":
                what = f"the output {fmt_shape(out_shape)}"
            summary = (
                f"flattened column-major (the vec of Magnus & Neudecker) on {what}, where this "
                "toolkit flattens row-major: it differs from the Jacobian by a commutation matrix "
                "K (e.g. xᵀ ⊗ I_n instead of I_n ⊗ xᵀ)"
            )
            fix = (
                f"reshape.reorder(J, {o}, {i}, src='F', dst='C'), or build it with row-major vec "
                "(vec(AXB) = (A ⊗ Bᵀ) vec(X))"
            )
            if r.kind == "transposed":
                summary = f"{r.summary}, and {summary}"
                fix = f"{r.fix}, then {fix}"
            out.append(
                _Reading(f"{r.name}, column-major ({side})", M, "column-major", summary, fix)
            )
    unique: list[_Reading] = []
    for r in out:
        if not any(np.array_equal(r.M, u.M) for u in unique):
            unique.append(r)
    return unique


# ----- the claim as an array, and how to reshape one given in another form -----
def _shape_fix(form: str, out_shape: tuple, in_shape: tuple) -> str:
    n_out, n_in = prod(out_shape), prod(in_shape)
    if form == "matrix" and n_out == 1:
        return f"make it the row: .reshape(1, {n_in}) (row-major vec of the gradient)"
    if form == "matrix":
        return (
            f"flatten it row-major: reshape.flatten(T, out_ndim={len(out_shape)}), "
            f"or .reshape({n_out}, {n_in})"
        )
    if form == "tensor":
        return f"unflatten it: reshape.unflatten(M, {out_shape or (1,)}, {in_shape})"
    return f"fold the row back: jacobians.to_gradient(row, {in_shape})"


def _claimed_array(
    claimed: Any,
    call: Callable[[Callable[..., Any], np.ndarray], Any],
    point: np.ndarray,
    out_shape: tuple,
    in_shape: tuple,
    name: str,
) -> np.ndarray:
    if isinstance(claimed, Jacobian):
        claimed = claimed.matrix
    elif callable(claimed):
        try:
            claimed = call(claimed, point.copy())
        except Exception as exc:
            raise InputError(
                "verify",
                "claimed",
                "a function called like f that returns the Jacobian",
                f"it raised {type(exc).__name__}: {exc}",
            ) from exc
        if isinstance(claimed, Jacobian):
            claimed = claimed.matrix
    G = as_array(claimed, "verify", "claimed")
    if G.dtype.kind == "c":
        raise InputTypeError("verify", "claimed", "a real array", describe(G))
    G = G.astype(np.float64)  # a copy: the report keeps it, whatever the caller does next
    n_out, n_in = prod(out_shape), prod(in_shape)
    if G.size != n_out * n_in:
        forms = [f"the matrix {n_out}×{n_in}", f"the tensor {fmt_shape(out_shape + in_shape)}"]
        if n_out == 1:
            forms.append(f"the gradient shaped like {name}, {fmt_shape(in_shape)}")
        hint = "check which output f returns and which argument is differentiated"
        if G.size == n_in and n_out > 1:
            hint = (
                f"{G.size} entries is the size of {name}: a gradient, but f's output has "
                f"{n_out} entries; give f the scalar cost, not the layer output"
            )
        elif G.size == n_out and n_in > 1:
            hint = f"{G.size} entries is the size of f's output, not of its Jacobian"
        raise ShapeError(
            "verify",
            "claimed",
            f"{n_out * n_in} entries (f's output {fmt_shape(out_shape)} by {name} "
            f"{fmt_shape(in_shape)}): {', '.join(forms)} or their transposes",
            f"shape {G.shape} ({G.size} entries)",
            hint,
        )
    return G
