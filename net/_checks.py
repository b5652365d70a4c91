"""Argument checks for the network: widths, activation names, losses and their pairing, targets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from jacobians import ACTIVATIONS
from jacobians._notation import sup
from reshape import InputError, InputTypeError, ShapeError, as_array, describe

from ._layers import LOSSES


def known(names: Sequence[str]) -> str:
    """The names quoted and joined, for an error message."""
    return ", ".join(repr(n) for n in names)


def real(a: np.ndarray, op: str, arg: str) -> np.ndarray:
    if np.iscomplexobj(a):
        raise InputTypeError(op, arg, "real numbers", describe(a))
    return a


def sizes(sizes: Any) -> tuple[int, ...]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence | np.ndarray):
        raise InputTypeError("MLP", "sizes", "a list of widths like [1, 16, 1]", describe(sizes))
    out = []
    for i, s in enumerate(sizes):
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)) or s < 1:
            raise InputError("MLP", "sizes", "positive integer widths", f"sizes[{i}] = {s!r}")
        out.append(int(s))
    if len(out) < 2:
        raise InputError(
            "MLP", "sizes", "at least two widths (input and output)", f"{list(sizes)!r}"
        )
    return tuple(out)


def activations(activations: Any, depth: int) -> tuple[str, ...]:
    if isinstance(activations, str) or not isinstance(activations, Sequence):
        raise InputTypeError(
            "MLP",
            "activations",
            f"a list of {depth} activation names, one per layer",
            repr(activations),
            f"for the same activation everywhere write [{activations!r}] * {depth}",
        )
    if len(activations) != depth:
        raise InputError(
            "MLP",
            "activations",
            f"{depth} names, one per layer (len(sizes) − 1 = {depth})",
            f"{len(activations)}: {list(activations)!r}",
        )
    names = list(ACTIVATIONS)  # looked up now: an activation may be registered after import
    for i, a in enumerate(activations):
        if a not in names:
            raise InputError(
                "MLP",
                "activations",
                f"activation names, one of {known(names)}",
                f"activations[{i}] = {a!r}",
            )
    return tuple(activations)


def loss(loss: Any, last: str, op: str = "MLP") -> str:
    """The loss's name, paired with the last activation by its rules (net._layers.LOSSES)."""
    if not isinstance(loss, str) or loss not in LOSSES:
        raise InputError(op, "loss", f"one of {known(LOSSES)}", repr(loss))
    rule = LOSSES[loss]
    if rule.needs_last is not None and last != rule.needs_last:
        raise InputError(
            op,
            "loss",
            f"{loss!r} with {rule.needs_last!r} as the last activation",
            f"last activation {last!r}",
            rule.doc + " On logits use 'softmax_cross_entropy' with 'identity' last.",
        )
    if last in rule.refuses:
        raise InputError(
            op,
            "loss",
            f"{loss!r} with a last activation other than {known(rule.refuses)}",
            f"last activation {last!r}",
            rule.doc + " With 'softmax' last use loss 'cross_entropy'.",
        )
    return loss


def probabilities(op: str, T: np.ndarray, loss: str) -> None:
    bad = (T < 0) | (T > 1)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise InputError(
            op,
            "T",
            f"probability vectors as columns for loss {loss!r} (entries in [0, 1])",
            f"T[{i}, {j}] = {float(T[i, j])!r}",
        )
    sums = T.sum(axis=0)
    off = np.abs(sums - 1) > 1e-8
    if off.any():
        j = int(np.argmax(off))
        raise InputError(
            op,
            "T",
            f"probability vectors as columns for loss {loss!r} (each column summing to 1)",
            f"column {j} summing to {float(sums[j])!r}",
            "one-hot targets: T = np.eye(n)[:, labels]",
        )


def inputs(op: str, X: Any, m: int, name: str) -> np.ndarray:
    """X as an (m, d) batch of checked real numbers; a vector is one sample."""
    X = real(as_array(X, op, name), op, name)
    if X.ndim not in (1, 2) or X.shape[0] != m:
        hint = "samples are columns: one sample as (m,) or (m, 1), d samples as (m, d)"
        if m == 1 and X.ndim == 1:
            hint = f"for {X.shape[0]} samples of one input give X.reshape(1, -1)"
        raise ShapeError(op, name, f"shape ({m},) or ({m}, d) with m = {m}", describe(X), hint)
    return X.reshape(m, -1)


def targets(op: str, T: Any, n: int, d: int, loss: str) -> np.ndarray:
    """T as an (n, d) batch, one target column per sample; probability columns if the loss
    needs them."""
    T = real(as_array(T, op, "T"), op, "T")
    if not (T.shape == (n, d) or (d == 1 and T.shape == (n,))):
        one = f"({n},) or " if d == 1 else ""
        raise ShapeError(
            op,
            "T",
            f"shape {one}({n}, {d}): one target column of {n} per sample of X",
            describe(T),
            "nothing is broadcast: give one target column per column of X",
        )
    T = T.reshape(n, d)
    if LOSSES[loss].probabilities:
        probabilities(op, T, loss)
    return T


# ----- points where the network's numbers leave floating-point range -----
class PointError(InputError):
    """Inputs (with the current parameters) at which the forward pass, the loss or a gradient
    leaves floating-point range: every gradient method and ``train`` give this one error."""


_RESCALE = "scale the inputs X, the targets T or the parameters down (or lower train's lr)"
_BIG = float(np.finfo(np.float64).max)


@np.errstate(all="ignore")
def _largest(a: Any) -> float:
    return float(np.max(np.abs(np.real(a)), initial=0.0))


def _peak(a: np.ndarray) -> float:
    """max |a| of a real array, inside the caller's errstate."""
    return float(np.abs(a).max())


def overflow(op: str, what: str, sizes: dict[str, Any]) -> PointError:
    """The error that ``what`` (a layer, the loss, a gradient) overflowed at finite numbers."""
    shown = ", ".join(f"largest |{k}| = {_largest(v):.3g}" for k, v in sizes.items())
    return PointError(
        op,
        "X",
        "inputs at which, with the current parameters, the network's numbers stay within "
        "floating-point range",
        f"{what} overflowing to ±inf or NaN" + (f" ({shown})" if shown else ""),
        _RESCALE,
    )


def impossible_loss(op: str, loss: str, depth: int, err: InputError) -> PointError:
    """The cost's own refusal (``err``: log 0, an overflow) restated as the network's: its
    argument is the output y⁽ᴸ⁾, its y the targets T."""
    out = f"y{sup(depth)}"
    return PointError(
        op,
        "X",
        f"inputs at which, with the current parameters, the loss {loss!r} and its gradient are "
        f"finite; for the loss's argument {err.arg} = the output {out} and y = the targets T: "
        + err.expected,
        f"in {err.arg} = {out}: {err.got}",
        LOSSES[loss].impossible,
    )


def layer_gradients(
    op: str, k: int, delta: np.ndarray, y: np.ndarray, peak: float | None, grads: dict[str, Any]
) -> None:
    """Refuse layer k's gradients δyᵀ and δ1 (δ = ∂C/∂z⁽ᵏ⁾, any shape holding its n×d entries;
    ``peak`` = max |y⁽ᵏ⁻¹⁾| if known) where they overflowed. Cheaply: when d·max|δ|·max(1, max|y|)
    is below the largest float (NaN and inf are not), no entry of δyᵀ or δ1 can overflow, and
    the gradients (n×m, large) are not scanned."""
    peak = _peak(y) if peak is None else peak  # in the backward pass's errstate
    if y.shape[-1] * _peak(delta) * max(1.0, peak) < _BIG:
        return
    for name in (f"W{k}", f"b{k}"):
        with np.errstate(all="ignore"):
            bad = int((~np.isfinite(grads[name])).sum())
        if bad:
            K = sup(k)
            sizes = {f"∂C/∂z{K}": delta, f"y{sup(k - 1)}": y}
            raise overflow(op, f"∂C/∂{name} at {bad} of {grads[name].size} entries", sizes)


def finite_gradients(op: str, grads: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The gradients, or the error naming the first that overflowed (a numeric gradient, which
    has no δ to bound it by)."""
    for name, g in grads.items():
        with np.errstate(all="ignore"):
            bad = int((~np.isfinite(g)).sum())
        if bad:
            raise overflow(op, f"∂C/∂{name} at {bad} of {g.size} entries", {})
    return grads
