"""The claim as an array: the forms a Jacobian may take, which one a claim is, and how to turn
a claim with the right numbers into the form asked for.

:func:`_claimed_array` takes the claim (an array, a Jacobian, or a function called like f) as a
real array with the Jacobian's number of entries, or says what it would need.
"""

from __future__ import annotations

from collections.abc import Callable
from math import prod
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, ShapeError, as_array, describe

from .._jacobian import Jacobian
from .._structure_args import fmt_shape
from ._report import Diagnosis


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


def n_in_transposed(shape: tuple, in_shape: tuple) -> bool:
    """Whether ``shape`` is the parameter's transposed (a 2-D one that is not square)."""
    return len(in_shape) == 2 and in_shape[0] != in_shape[1] and tuple(shape) == in_shape[::-1]


def _shape_fix(form: str, out_shape: tuple, in_shape: tuple, claimed: tuple) -> tuple[str, str]:
    """(words, code): the claim, of shape ``claimed`` with the right numbers, in ``form``."""
    n_out, n_in = prod(out_shape), prod(in_shape)
    if form == "matrix" and n_out == 1:
        return "make it the row (row-major vec of the gradient)", f"claimed.reshape(1, {n_in})"
    if form == "matrix":
        if claimed == out_shape + in_shape:
            return "flatten it row-major", f"reshape.flatten(claimed, out_ndim={len(out_shape)})"
        return "flatten it row-major", f"claimed.reshape({n_out}, {n_in})"
    if form == "tensor":
        if claimed == (n_out, n_in) and out_shape:
            return "unflatten it", f"reshape.unflatten(claimed, {out_shape}, {in_shape})"
        return "unflatten it", f"claimed.reshape{out_shape + in_shape}"
    if claimed in ((1, n_in), (n_in,)):
        return "fold the row back", f"jacobians.to_gradient(claimed, {in_shape})"
    return "reshape it to the gradient", f"claimed.reshape{in_shape}"


def shape_diagnosis(
    form: str,
    wanted: list[tuple[int, ...]],
    shape: tuple[int, ...],
    out_shape: tuple,
    in_shape: tuple,
    wrt: str,
    asked: bool = True,
) -> Diagnosis:
    """A claim with the right numbers in another form than ``form`` (whose shapes are
    ``wanted``) asked for; or, not ``asked``, in a shape that is none of the forms (read
    row-major, its numbers are right: a reshape where a transpose was meant, say)."""
    words, code = _shape_fix(form, out_shape, in_shape, shape)
    read_as = _read_as(shape, out_shape, in_shape, wrt)
    if read_as is None:
        read_as = f"shaped {fmt_shape(shape)}"
    elif fmt_shape(shape) not in read_as:
        read_as = f"{read_as} {fmt_shape(shape)}"
    if asked:
        summary = (
            f"the numbers are right but claimed is {read_as}, where the {form} "
            f"{fmt_shape(wanted[0])} is compared"
        )
    else:
        like = f", like {wrt}ᵀ" if n_in_transposed(shape, in_shape) and form == "gradient" else ""
        summary = (
            f"claimed is {read_as}{like}, which no form of the Jacobian has: its numbers read "
            f"row-major are the {form} {fmt_shape(wanted[0])}'s, so it was reshaped where "
            "a transpose or a flattening was meant"
        )
    return Diagnosis(
        "shape",
        summary,
        f"{words}: {code}",
        {"claimed_shape": list(shape), "expected_shape": list(wanted[0])},
        code,
    )


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
