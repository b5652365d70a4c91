"""Helpers for testing your own derivations: an assertion for pytest and hypothesis strategies.

``assert_jacobian_close`` needs only numpy. The strategies need hypothesis (the ``test`` extra),
imported when a strategy is built, so ``import jacobians.testing`` works without it. As in
``hypothesis.extra.numpy``, the strategies take keyword-only arguments and check them at once,
when the strategy is built, not when it is drawn from.

It lives in ``jacobians.checking.testing``; ``jacobians.testing`` re-exports it, the path to use.

>>> from jacobians.testing import assert_jacobian_close
>>> assert_jacobian_close(lambda v: v**2, np.array([1.0, 2.0]), np.diag([2.0, 4.0]))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from reshape import InputError, as_array

from .._registry import OPERATIONS  # a live dict: activations registered later are found
from ._layer import Layer
from ._verify import verify

__all__ = ["arrays", "assert_jacobian_close", "forward", "networks", "shapes"]


def assert_jacobian_close(
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
    mode: str = "auto",
) -> None:
    """Assert that ``claimed`` is the Jacobian (or gradient) of f at x; the report is the message.

    The arguments are those of :func:`jacobians.verify` (its ``mode`` too: the full check or the
    fast one); on a mismatch the AssertionError carries the whole report (diagnosis, largest
    errors, first differing entries, or for the fast check how to run the full one), so pytest
    shows it. Its first line is the report's first line (``FAIL ∂f/∂W does NOT match …``), which
    pytest puts in its one-line summary of the failure.

    Shapes: as for :func:`jacobians.verify`.

    >>> assert_jacobian_close(lambda W: np.sum(W**2), np.eye(2), 2 * np.eye(2))
    """
    __tracebackhide__ = True
    report = verify(
        f,
        x,
        claimed,
        wrt=wrt,
        layer=layer,
        form=form,
        method=method,
        rtol=rtol,
        atol=atol,
        mode=mode,
    )
    if not report.matches:
        raise AssertionError(str(report))


# ----- argument checks (at once, as hypothesis.extra.numpy does) -----


def _int(op: str, name: str, value: Any, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputError(op, name, "an int", repr(value))
    if value < least:
        raise InputError(op, name, f"an int ≥ {least}", f"{name}={value}")
    return int(value)


def _order(op: str, lo_name: str, lo: float, hi_name: str, hi: float) -> None:
    if lo > hi:
        raise InputError(op, lo_name, f"at most {hi_name}={hi}", f"{lo_name}={lo} is larger")


def _positive(op: str, name: str, value: Any, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise InputError(op, name, "a real number", repr(value))
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise InputError(op, name, "a finite number > 0" if not allow_zero else "≥ 0", repr(value))
    return value


def _hypothesis() -> tuple[Any, Any]:
    try:
        from hypothesis import strategies as st
        from hypothesis.extra import numpy as hnp
    except ImportError as exc:  # pragma: no cover - exercised in a subprocess
        raise ImportError(
            "jacobians.testing strategies need hypothesis: pip install 'jacobians[test]'"
        ) from exc
    return st, hnp


# ----- strategies -----


def shapes(*, min_dims: int = 1, max_dims: int = 2, min_side: int = 1, max_side: int = 5) -> Any:
    """Array shapes with min_dims..max_dims axes of min_side..max_side entries each.

    Shapes: tuples such as (3,) or (2, 4).

    >>> from hypothesis import find
    >>> find(shapes(min_side=2, max_side=3), lambda s: len(s) == 2)
    (2, 2)
    """
    op = "jacobians.testing.shapes"
    min_dims, max_dims = _int(op, "min_dims", min_dims, 0), _int(op, "max_dims", max_dims, 0)
    min_side, max_side = _int(op, "min_side", min_side, 1), _int(op, "max_side", max_side, 1)
    _order(op, "min_dims", min_dims, "max_dims", max_dims)
    _order(op, "min_side", min_side, "max_side", max_side)
    st, _ = _hypothesis()
    return st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims).map(
        tuple
    )


def arrays(shape: Any = None, *, scale: float = 1.0, min_magnitude: float = 0.0) -> Any:
    """Well-scaled float64 arrays: every entry finite, normal (no subnormals), |v| ≤ scale.

    Args:
        shape: a shape, a strategy of shapes, or None for :func:`shapes`'s default.
        scale: the largest magnitude of an entry.
        min_magnitude: the smallest magnitude of an entry (0 allows zeros); set it above a
            finite-difference step to keep relu-like kinks away.

    Shapes: ``shape``.

    >>> from hypothesis import find
    >>> a = find(arrays((2, 3), min_magnitude=0.5), lambda a: True)
    >>> a.shape, bool(np.all((0.5 <= np.abs(a)) & (np.abs(a) <= 1.0)))
    ((2, 3), True)
    """
    op = "jacobians.testing.arrays"
    scale = _positive(op, "scale", scale)
    min_magnitude = _positive(op, "min_magnitude", min_magnitude, allow_zero=True)
    _order(op, "min_magnitude", min_magnitude, "scale", scale)
    st, hnp = _hypothesis()
    if shape is None:
        shape = shapes()
    elif not isinstance(shape, st.SearchStrategy):
        try:
            shape = tuple(_int(op, "shape", s, 1) for s in shape)
        except TypeError:
            raise InputError(op, "shape", "a tuple of sizes or a strategy", repr(shape)) from None
    magnitude = st.floats(min_magnitude, scale, allow_nan=False, allow_subnormal=False)
    if min_magnitude == 0:
        elements = st.floats(-scale, scale, allow_nan=False, allow_subnormal=False)
    else:
        elements = st.builds(lambda m, s: s * m, magnitude, st.sampled_from([-1.0, 1.0]))
    return hnp.arrays(np.float64, shape, elements=elements)


def networks(
    *,
    min_layers: int = 1,
    max_layers: int = 3,
    min_width: int = 1,
    max_width: int = 4,
    activations: Sequence[str] | None = None,
    scale: float = 1.0,
) -> Any:
    """Random dense networks as lists of layers ``(W, b, activation)``: a = σ(W a_prev + b).

    Widths are drawn between min_width and max_width; W is (width_out, width_in) and b
    (width_out,), with entries in [−scale, scale]. The input width is ``layers[0][0].shape[1]``.
    By default every smooth (analytic) elementwise activation of the registry is drawn, so
    numeric differences apply everywhere.

    Shapes: W_k (n_k, n_{k−1}), b_k (n_k,).

    >>> from hypothesis import find
    >>> layers = find(networks(), lambda layers: len(layers) == 2)
    >>> [(W.shape, b.shape, act) for W, b, act in layers]
    [((1, 1), (1,), 'sigmoid'), ((1, 1), (1,), 'sigmoid')]
    """
    op = "jacobians.testing.networks"
    min_layers, max_layers = (
        _int(op, "min_layers", min_layers, 1),
        _int(op, "max_layers", max_layers, 1),
    )
    min_width, max_width = _int(op, "min_width", min_width, 1), _int(op, "max_width", max_width, 1)
    _order(op, "min_layers", min_layers, "max_layers", max_layers)
    _order(op, "min_width", min_width, "max_width", max_width)
    scale = _positive(op, "scale", scale)
    # read at call time, not at import: an activation registered after import may be drawn
    elementwise = [n for n, o in OPERATIONS.items() if o.fn is not None and o.deriv is not None]
    if activations is None:  # the smooth ones, so numeric differences apply everywhere
        activations = [n for n in elementwise if OPERATIONS[n].rules["z"].analytic]
    if isinstance(activations, str) or not activations:
        raise InputError(op, "activations", "a non-empty sequence of names", repr(activations))
    for name in activations:
        if name not in elementwise:
            raise InputError(
                op,
                "activations",
                f"names of elementwise activations: {', '.join(elementwise)}",
                repr(name),
            )
    st, hnp = _hypothesis()
    elements = st.floats(-scale, scale, allow_nan=False, allow_subnormal=False)

    @st.composite
    def draw(draw_: Callable[[Any], Any]) -> list[tuple[np.ndarray, np.ndarray, str]]:
        depth = draw_(st.integers(min_layers, max_layers))
        widths = draw_(
            st.lists(st.integers(min_width, max_width), min_size=depth + 1, max_size=depth + 1)
        )
        layers = []
        for n_in, n_out in pairwise(widths):
            W = draw_(hnp.arrays(np.float64, (n_out, n_in), elements=elements))
            b = draw_(hnp.arrays(np.float64, (n_out,), elements=elements))
            layers.append((W, b, draw_(st.sampled_from(list(activations)))))
        return layers

    return draw()


def forward(layers: Sequence[tuple[np.ndarray, np.ndarray, str]], x: Any) -> np.ndarray:
    """The output of a network from :func:`networks` for an input x (n_0,) or a batch (n_0, d).

    Complex-safe, so ``jacobians.numeric(..., method="complex")`` can differentiate through it.

    Shapes: x (n_0,) | (n_0, d) -> (n_L,) | (n_L, d).

    >>> forward([(np.eye(2), np.zeros(2), "identity")], np.array([1.0, 2.0]))
    array([1., 2.])
    """
    a = as_array(x, "forward", "x")
    for k, (W, b, name) in enumerate(layers):
        if a.shape[0] != W.shape[1]:
            raise InputError(
                "forward", f"layer {k}", f"W with {a.shape[0]} columns", f"W of shape {W.shape}"
            )
        z = W @ a + (b if a.ndim == 1 else b[:, None])
        a = OPERATIONS[name].fn(z)
    return a
