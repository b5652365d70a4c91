"""Readings of a claimed Jacobian: the forms it may take, and the same numbers read another way.

A claim is compared as given, and also read transposed (denominator layout, or a gradient shaped
like Wᵀ) and unflattened column-major (a commutation) on either side; :func:`_readings` lists the
distinct readings for :mod:`jacobians.checking._diagnose` to test against each slip.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

import numpy as np

from reshape import reorder

from .._jacobian import fmt_shape


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
