"""``verify`` for a matrix expression: a claimed closed form checked at random draws.

The expression (or its text) is the function, differentiated numerically with respect to one
variable; the claim is a closed form in the same language whose value at each draw is the claimed
gradient (shaped like the variable) or Jacobian (rows vec f, columns vec wrt, row-major). Each
draw is checked by :func:`jacobians.verify` as for any function, so the diagnoses are the same
(transposed, column-major, factor, a few entries); a closed form typed transposed is fixed by the
closed form transposed, written out. The first draw that does not match is reported; if all
match, the last.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from reshape import InputError, InputTypeError, as_size, describe

from ._draws import draw, given_values, shapes_of
from ._report import Report

__all__ = ["DRAWS", "verify_expression"]

DRAWS = 3  # random points a claimed closed form is checked at


def _expression(f: Any, shapes: Any, what: str) -> Any:
    from ..expressions import Expression, parse

    if isinstance(f, str):
        try:
            return parse(f, shapes)
        except InputError as exc:  # parse names its 'text': here the text is verify's f or claimed
            if exc.arg != "text":
                raise
            rest = str(exc).partition("\n")[2]  # what was expected, what came, the caret
            exc.op, exc.arg = "verify", what
            exc.args = (f"verify: bad argument {what!r} (read by jacobians.parse).\n{rest}",)
            raise
    if isinstance(f, Expression):
        return f
    raise InputTypeError("verify", what, "an expression or its text", describe(f))


def verify_expression(
    f: Any,
    x: Mapping[str, Any] | None,
    claimed: Any,
    *,
    wrt: str | None,
    check: Callable[..., Report],
    shapes: Any = None,
    draws: int = DRAWS,
    seed: int = 0,
    **options: Any,
) -> Report:
    """:func:`jacobians.verify` of the expression ``f`` (text or Expression) at ``draws`` random
    points (the variables in ``x`` fixed), ``claimed`` a closed form (text or Expression), or an
    array when ``x`` gives every variable (one point). ``check`` is :func:`jacobians.verify`
    (passed in: it calls this module, which must not import it back); ``options``: form,
    method, rtol, atol, max_entries, as it takes them.

    >>> from jacobians import verify
    >>> r = verify_expression("x'*A*x", None, "A*x + A'*x", wrt="x", check=verify)
    >>> r.matches, r.notes[0]
    (True, "f = x'*A*x, claimed = A*x + A'*x: matches at 3 random draws (seed 0; x 3×1, A 3×3)")
    """
    from ..expressions import Expression

    draws, seed = as_size(draws, "verify", "draws"), as_size(seed, "verify", "seed", minimum=0)
    e = _expression(f, shapes, "f")
    variables = e.variables()
    if shapes is not None:  # a typo ('a' for 'A') would leave A's size open, silently
        from ..expressions._parse import parse_shapes

        extra = [name for name in parse_shapes(shapes) if name not in variables]
        if extra:
            known = ", ".join(variables) or "none"
            got = f"a shape for {', '.join(map(repr, extra))}"
            raise InputError("verify", "shapes", f"shapes of variables of f ({known})", got)
    if wrt is None and len(variables) == 1:
        wrt = next(iter(variables))
    if not isinstance(wrt, str) or wrt not in variables:
        known = ", ".join(variables) or "none"
        raise InputError(
            "verify", "wrt", f"the variable to differentiate: one of {known}", repr(wrt)
        )
    given = given_values(e, x, "verify")
    sizes = shapes_of(e, given, "verify")
    claim = claimed
    if isinstance(claimed, (str, Expression)):
        claim = _expression(claimed, sizes, "claimed")
        extra = [v for v in claim.variables() if v not in variables]
        if extra:
            raise InputError(
                "verify",
                "claimed",
                f"a closed form in the variables of f ({', '.join(variables)})",
                f"{claim}, which uses {', '.join(extra)}",
            )
    elif len(given) < len(variables):
        missing = ", ".join(v for v in variables if v not in given)
        raise InputError(
            "verify",
            "claimed",
            "a closed form (text) when the point is drawn at random",
            f"{describe(claimed)}, with no value for {missing}",
            'give the claim as text, e.g. claimed="2*A\'*(A*x - y)", or x with every value',
        )
    drawn = len(given) < len(variables)
    count = draws if drawn else 1
    rng = np.random.default_rng(seed)
    for k in range(1, count + 1):
        values, _ = draw(e, sizes, given, rng)
        f = _function(e, values)
        G = claim.evaluate(values) if isinstance(claim, Expression) else claim
        point = {wrt: values[wrt]}
        report = check(f, point, G, wrt=wrt, **options)
        if not report.matches:
            report = _typed_fix(report, claim)
            at = f"does not match at draw {k} of {count}" if drawn else "does not match"
            break
    else:
        at = f"matches at {count} random draw{'s' if count > 1 else ''}" if drawn else "matches"
    listed = ", ".join(f"{n} {_shape(s)}" for n, s in sizes.items())
    where = f"(seed {seed}; {listed})" if drawn else f"at the values given ({listed})"
    note = f"f = {e}, claimed = {claim}: {at} {where}"
    # an expression has no layer= to ask for: its report has no hint about one, and the full
    # check is asked for by mode= alone
    hint = ""
    if report.mode == "fast" and not report.matches and report.diagnosis is None:
        hint = "the fast check cannot list the entries that differ; mode='full' checks each"
    return dataclasses.replace(report, notes=[note, *report.notes], hint=hint, example="")


def _function(e: Any, values: dict[str, np.ndarray]) -> Callable[..., np.ndarray]:
    """The expression as a function f(X=…) of the variable moved: the report names X."""

    def f(**moved: np.ndarray) -> np.ndarray:
        return e.evaluate({**values, **moved})

    return f


def _typed_fix(report: Report, claim: Any) -> Report:
    """A typed closed form is fixed by typing another: the claim transposed, written out; the
    other fixes keep their words (their code acts on an array, which the user did not type)."""
    from ..expressions import Expression

    d = report.diagnosis
    if not isinstance(claim, Expression) or d is None or d.code is None:
        return report
    if d.code == "claimed.T":
        fix = f"transpose it: {_transposed(claim)}"
    else:
        fix = d.fix.removesuffix(f": {d.code}")
    return dataclasses.replace(report, diagnosis=dataclasses.replace(d, fix=fix, code=None))


def _transposed(claim: Any) -> str:
    """The claim transposed, as text: (A*B)' is written B'*A', and X'' is X."""
    from ..expressions._simplify import simplify

    return str(simplify(claim.T))


def _shape(s: tuple[int, ...]) -> str:
    return "×".join(map(str, s)) if s else "scalar"
