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
``not-smooth``              not a slip: the numeric derivative is unreliable where the
                            claim differs (f has a kink at x, or within every step), and
                            the claim lies in the range the steps give
==========================  ===========================================================

Where the claim and a difference quotient disagree, the entries (or directions) that differ are
looked at again at smaller steps before the claim is blamed (``_refine``): a first step that
crossed a kink of f (relu near z = 0) is replaced by the value at steps where f is smooth, and
the report notes it. The numeric error estimates include the rounding of f's own precision, so
an f that computes in float32 is checked as tightly as float32 allows.

Two checks, chosen by ``mode``: ``"full"`` computes the whole numeric Jacobian and compares every
entry (``_full``: it lists the entries that differ and tries every slip); ``"fast"`` compares
claimed·v with the numeric J·v along a few random directions v, each costing one or two calls of
f, and decides at any size (``_fast``: it names every slip above but ``entries``, and then says
what the full check would cost). ``"auto"`` (the default) runs the full check up to 20,000
entries of the Jacobian (``FULL_UP_TO``), the fast one above.

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

from reshape import InputError, InputTypeError, describe

from .._registry import EXPRESSIONS  # (Expression, ...) once jacobians.expressions is loaded
from ._expressions import DRAWS, verify_expression
from ._fast import FULL_UP_TO, fast_check, mode_for
from ._full import Check, full_check
from ._layer import Layer
from ._numeric import prepare
from ._options import check_options
from ._report import Report

__all__ = ["FORMS", "FULL_UP_TO", "verify", "verify_file"]

FORMS = ("matrix", "tensor", "gradient")


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
    mode: str = "auto",
    progress: bool | None = None,
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
        mode: ``"full"`` compares every entry with the whole numeric Jacobian (a call of f
            per entry of x, or ten with Richardson); ``"fast"`` compares claimed·v with the
            numeric J·v along 6 random directions v (16 calls of f by complex step, about 70
            by Richardson, at any size; it names the same slips but cannot list wrong
            entries, and then says what the full check would cost); ``"auto"`` (default):
            full up to 20,000 entries of the Jacobian, fast above. The report says which ran.
        progress: for the full check's numeric Jacobian: None (default) draws a line of
            progress on stderr when it is a terminal and the work runs for more than a few
            seconds; True always; False never.

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
    'claimed is 2 × the true Jacobian (a ½ or a 2 dropped or doubled: the ½ of ½‖a − y‖², say)'
    >>> verify("tr(A*X'*B*X*C)", None, "B'*X*A'*C' + B*X*C*A", wrt="X").matches
    True
    >>> big = np.ones((256, 784)) / 784                # 200,704 entries: fast, in a few calls
    >>> r = verify(lambda W: np.sum(np.tanh(W @ np.ones(784))), big, np.zeros((784, 256)))
    >>> r.mode, r.directions, r.matches
    ('fast', 6, False)
    """
    draws, seed = check_options(
        layer, form, FORMS, method, rtol, atol, max_entries, draws, seed, mode, progress
    )
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
            mode=mode,
            progress=progress,
        )
    if shapes is not None or draws != DRAWS or seed != 0:
        raise InputError(
            "verify",
            "shapes, draws, seed",
            "their defaults for a function (they apply to an expression)",
            f"shapes={shapes!r}, draws={draws!r}, seed={seed!r}",
        )
    p = prepare(f, x, wrt, "verify")
    c = Check(p, claimed, layer, form, method, rtol, atol, max_entries, progress)
    if mode_for(mode, p.f0.size, p.point.size) == "full":
        return full_check(c)
    return fast_check(c)


def verify_file(path: str | Path, **options: Any) -> Report:
    """Run a Python file that defines ``f``, ``x`` and ``claimed``, and :func:`verify` it.

    The file may also define ``wrt``, ``layer``, ``form``, ``method``, ``mode``, ``rtol`` and
    ``atol``; ``options`` (e.g. from the command line) take precedence over them.

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
            "verify_file",
            "path",
            "a file that defines f (the function), x (the point) and claimed (the Jacobian)",
            f"{path}, which defines no {', '.join(missing)}",
        )
    names = ("wrt", "layer", "form", "method", "mode", "rtol", "atol")
    kwargs = {k: ns[k] for k in names if k in ns}
    kwargs.update({k: v for k, v in options.items() if v is not None})
    try:
        return verify(ns["f"], ns["x"], ns["claimed"], **kwargs)
    except InputError as exc:  # a name the file defines: say which file
        if exc.arg not in ("f", "x", "claimed", *names) or exc.arg in options:
            raise
        arg = f"{exc.arg}, as {path} defines it"
        raise type(exc)(exc.op, arg, exc.expected, exc.got, exc.hint) from None
