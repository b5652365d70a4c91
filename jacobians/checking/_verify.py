"""Check a hand-derived Jacobian against numeric differentiation, and name the mistake.

:func:`verify` compares the claimed Jacobian (or gradient) with :func:`jacobians.numeric` and, when
they differ, tries each common mistake in turn; a diagnosis is given only when the mistake explains
the difference exactly (to the same tolerance as a match):

==========================  ===========================================================
diagnosis (``kind``)        the claimed array, read this way, equals …
==========================  ===========================================================
``shape``                   the Jacobian, but in another form than ``form=`` asked for
``transposed``              Jᵀ: denominator layout, or the gradient transposed (∂C/∂W
                            shaped like Wᵀ, or a square W's gradient as x δᵀ for δ xᵀ)
``column-major``            J with an input/output flattened column-major (a commutation)
``factor``                  c·J for a constant c (reported as ½, 2, 1/d, −1, …)
``activation-derivative``   J with σ′(z) left out, taken at a = σ(z), or applied twice
                            (needs ``layer=``, a :class:`Layer`)
``entries``                 J except on a few entries (listed)
==========================  ===========================================================

The transposed and column-major readings are combined with the factor and activation tests, so
"transposed and twice too large" is named too. Each fix that is a rearrangement or a factor is
also given as Python code on the claim exactly as it was passed (``Diagnosis.code``, e.g.
``claimed.T``): applied to that array, it gives a claim that matches. Without ``layer=`` the
activation-derivative slips cannot be tried, and a report that names no slip says how to ask.
"""

from __future__ import annotations

import os
import runpy
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, describe

from .._registry import EXPRESSIONS  # (Expression, ...) once jacobians.expressions is loaded
from .._structure_args import fmt_shape
from ._calls import bind, function_name
from ._claim import _claimed_array, _forms, _read_as, _shape_fix
from ._compare import differing, tolerance, within
from ._diagnose import _diagnose
from ._expressions import DRAWS, verify_expression
from ._layer import Layer, _layer_hint
from ._numeric import NumericJacobian, numeric_jacobian
from ._options import check_options
from ._report import Diagnosis, Entry, Report

__all__ = ["FORMS", "verify", "verify_file"]

FORMS = ("matrix", "tensor", "gradient")
# The matrices of the Jacobian's size verify may hold at once, weighed against the limit before
# the numeric Jacobian is computed: the Jacobian, its error, the tolerance and the claim, and while
# it names a slip the claim read transposed and column-major on either side (see _readings).
VERIFY_MATRICES = 12


# ----- verify -----


def verify(
    f: Callable[..., Any],
    x: Any,
    claimed: Any,
    *,
    wrt: int | str | None = None,
    layer: Layer | Sequence[Layer] | None = None,
    form: str | None = None,
    method: str = "auto",
    rtol: float = 1e-6,
    atol: float | None = None,
    max_entries: int = 5,
    shapes: Any = None,
    draws: int = DRAWS,
    seed: int = 0,
) -> Report:
    """Compare a claimed Jacobian with the numeric one and name the mistake if there is one.

    Args:
        f: the function (of one array; or of several, with ``x`` a tuple or dict and ``wrt``);
            or a matrix expression, as text (``"tr(A*X'*B*X*C)"``) or an Expression.
        x: the point, as for :func:`jacobians.numeric`; for an expression, None or a mapping of
            some variables' values (the others are drawn at random, ``draws`` times).
        claimed: the Jacobian or gradient: an array, a :class:`Jacobian`, or a function called
            like f that returns one; for an expression, a closed form as text
            (``"B'*X*A'*C' + B*X*C*A"``), its value the gradient shaped like wrt or the Jacobian.
        wrt: the argument to differentiate when f has several (index, or name).
        layer: a :class:`Layer` (or several) saying where an activation sits in f; enables the
            activation-derivative diagnosis.
        form: ``None`` accepts every correct form (the numerator-layout matrix, the tensor
            out_shape + in_shape, and for a scalar f the gradient shaped like x or the 1×N row);
            ``"matrix"``, ``"tensor"`` or ``"gradient"`` require that one, and a claim with the
            right numbers in another form is a mismatch diagnosed as ``shape``.
        method: the numeric method (``"auto"``: complex step if f is complex-safe, else
            Richardson).
        rtol, atol: an entry matches when |claimed − numeric| ≤ atol + rtol·|numeric| + 2·(the
            numeric error estimate); atol defaults to rtol·max |numeric|.
        max_entries: how many differing entries the report lists.
        shapes, draws, seed: for an expression only: sizes as for :func:`jacobians.parse`
            (a size left open is 3), the number of random points, and their seed.

    Returns:
        A :class:`Report`: ``bool(report)`` is ``report.matches``; print it, show it in a
        notebook, or ``report.to_dict()``.

    Shapes: claimed has prod(out_shape)·prod(in_shape) entries, in any of the forms above.

    >>> W, x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([1.0, -1.0])
    >>> cost = lambda W: 0.5 * np.sum((W @ x) ** 2)
    >>> grad = np.outer(W @ x, x)                  # the gradient, shaped like W
    >>> verify(cost, W, grad).matches
    True
    >>> verify(cost, W, grad.T).diagnosis.fix      # the gradient transposed, shaped like Wᵀ
    'transpose it to the gradient shaped like W: claimed.T'
    >>> verify(cost, W, 2 * grad).diagnosis.summary
    'claimed is 2 × the true Jacobian (the ½ of ½‖a − y‖² dropped or doubled)'
    >>> verify("tr(A*X'*B*X*C)", None, "B'*X*A'*C' + B*X*C*A", wrt="X").matches
    True
    """
    draws, seed = check_options(layer, form, FORMS, method, rtol, atol, max_entries, draws, seed)
    expression = isinstance(f, str) or (EXPRESSIONS and isinstance(f, EXPRESSIONS[0]))
    if expression and x is not None and not isinstance(x, Mapping):
        raise InputTypeError(
            "verify",
            "f",
            "a function of x (x is an array here); text is a matrix expression, whose x is None"
            " or a dict of some variables' values",
            repr(f) if isinstance(f, str) and len(f) < 60 else describe(f),
        )
    if not expression and not callable(f):
        raise InputTypeError(
            "verify", "f", "a function, or a matrix expression as text", describe(f)
        )
    if expression:
        if layer is not None:
            raise InputError("verify", "layer", "None for an expression", repr(layer))
        return verify_expression(
            f,
            x,
            claimed,
            wrt=wrt,
            check=verify,
            shapes=shapes,
            draws=draws,
            seed=seed,
            form=form,  # type: ignore[arg-type]
            method=method,
            rtol=rtol,
            atol=atol,
            max_entries=max_entries,
        )
    if shapes is not None or draws != DRAWS or seed != 0:
        raise InputError(
            "verify",
            "shapes, draws, seed",
            "their defaults for a function (they apply to an expression)",
            f"shapes={shapes!r}, draws={draws!r}, seed={seed!r}",
        )
    if hasattr(f, "value") and hasattr(f, "rules"):
        f = f.value
    of = function_name(f)
    N: NumericJacobian = numeric_jacobian(
        f, x, method, wrt=wrt, op="verify", matrices=VERIFY_MATRICES
    )
    point, call, name = bind(f, x, wrt, "verify")
    point = point.real.astype(np.float64)
    J, err = N.matrix, N.error
    out_shape, in_shape = N.out_shape, N.in_shape
    n_out, n_in = J.shape
    G = _claimed_array(claimed, call, point, out_shape, in_shape, name)

    scale = float(max(-J.min(), J.max())) or 1.0  # max |J|, without a matrix of |J|
    atol = rtol * scale if atol is None else float(atol)
    tol = tolerance(J, err, rtol, atol)

    def close(M: np.ndarray, T: np.ndarray = J, c: float = 1.0, times: float | None = None) -> bool:
        return within(M, T, tol, c, times)

    given = G.reshape(n_out, n_in)
    bad, max_abs = differing(given, J, tol)
    read_as = _read_as(G.shape, out_shape, in_shape, name)
    notes: list[str] = []
    if N.fallback:
        notes.append(f"complex step was not usable ({N.fallback}); Richardson was used")
    wanted = _forms(out_shape, in_shape)[form] if form else None
    if form == "gradient" and not wanted:
        raise InputError(
            "verify",
            "form",
            "'matrix' or 'tensor': a gradient exists only for a scalar f",
            f"form='gradient' with f's output of shape {out_shape}",
        )

    diagnosis: Diagnosis | None = None
    matches = not bad.any()
    if matches and wanted is not None and G.shape not in wanted:
        matches = False
        words, code = _shape_fix(form, out_shape, in_shape, G.shape)
        diagnosis = Diagnosis(
            "shape",
            f"the numbers are right but claimed is {_as_read(read_as, G.shape)}, where the "
            f"{form} {fmt_shape(wanted[0])} is compared",
            f"{words}: {code}",
            {"claimed_shape": list(G.shape), "expected_shape": list(wanted[0])},
            code,
        )
    elif not matches:
        diagnosis = _diagnose(
            G, J, close, bad, out_shape, in_shape, name, layer, call, point, f, n_out, of
        )

    hint = example = ""
    if not matches and layer is None and (diagnosis is None or diagnosis.kind == "entries"):
        hint, example = _layer_hint(f, of, name)
    entries = []
    for r, c in np.argwhere(bad)[:max_entries]:
        entries.append(
            Entry(
                int(r),
                int(c),
                tuple(int(i) for i in np.unravel_index(r, out_shape)) if out_shape else (),
                tuple(int(i) for i in np.unravel_index(c, in_shape)) if in_shape else (),
                float(given[r, c]),
                float(J[r, c]),
            )
        )
    return Report(
        matches=matches,
        of=of,
        wrt=name,
        out_shape=out_shape,
        in_shape=in_shape,
        claimed_shape=tuple(G.shape),
        read_as=read_as or f"a {fmt_shape(G.shape)} array, row-major",
        max_abs_error=max_abs,
        max_rel_error=max_abs / scale,
        n_differing=int(bad.sum()),
        entries=entries,
        diagnosis=diagnosis,
        method={"complex": "complex step", "richardson": "Richardson extrapolation"}.get(
            N.method, "central differences"
        ),
        numeric_error=N.error_max,
        rtol=float(rtol),
        atol=float(atol),
        notes=notes,
        hint=hint,
        example=example,
        numeric=J,
        claimed=given,
    )


def _as_read(read_as: str | None, shape: tuple) -> str:
    """What the claim was read as, with its shape said once."""
    if read_as is None:
        return f"shaped {fmt_shape(shape)}"
    return read_as if fmt_shape(shape) in read_as else f"{read_as} {fmt_shape(shape)}"


def verify_file(path: str | Path, **options: Any) -> Report:
    """Run a Python file that defines ``f``, ``x`` and ``claimed``, and :func:`verify` it.

    The file may also define ``wrt``, ``layer``, ``form``, ``method``, ``rtol`` and ``atol``;
    ``options`` (e.g. from the command line) take precedence over them.

    Shapes: as for :func:`verify`.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError("verify_file", "path", "a file name (str or Path)", describe(path))
    path = Path(path)
    if not path.is_file():
        raise InputError("verify_file", "path", "an existing Python file", f"no such file: {path}")
    try:
        ns = runpy.run_path(str(path), run_name="__jacobians_verify__")
    except SystemExit as exc:  # the file must not end the caller's interpreter, nor pass as checked
        raise InputError(
            "verify",
            str(path),
            "a Python file that runs to its end and defines f, x and claimed",
            f"it called sys.exit({exc.code!r}) before anything was verified",
        ) from exc
    except Exception as exc:
        raise InputError(
            "verify",
            str(path),
            "a Python file that runs and defines f, x and claimed",
            f"it raised {type(exc).__name__}: {exc}",
        ) from exc
    missing = [k for k in ("f", "x", "claimed") if k not in ns]
    if missing:
        raise InputError(
            "verify",
            str(path),
            "a file that defines f (the function), x (the point) and claimed (the Jacobian)",
            f"no {', '.join(missing)} defined",
        )
    kwargs = {k: ns[k] for k in ("wrt", "layer", "form", "method", "rtol", "atol") if k in ns}
    kwargs.update({k: v for k, v in options.items() if v is not None})
    return verify(ns["f"], ns["x"], ns["claimed"], **kwargs)
