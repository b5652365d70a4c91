"""Gradient descent with optional gradient-norm clipping, a terminal progress bar, and a stop on a
non-finite loss that leaves the parameters as they were before the bad step."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

import numpy as np

from reshape import InputError, describe

from ._mlp import METHODS, MLP
from ._shortcut import backprop

__all__ = ["NonFiniteLossError", "train"]

_DELAY = 0.5  # seconds before the bar appears: short runs stay silent
_EVERY = 0.1  # seconds between redraws


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite: the run stopped, the parameters are those before the step.

    Attributes:
        epoch: the epoch whose update made the loss non-finite (0: the initial loss).
        loss: the non-finite value.
        history: the finite losses before it (history[0] is the initial loss).
    """

    def __init__(self, epoch: int, loss: float, history: np.ndarray, lr: float) -> None:
        self.epoch, self.loss, self.history = epoch, loss, history
        where = "the initial loss" if epoch == 0 else f"the update of epoch {epoch}"
        last = f" (it was {history[-1]:.6g} before)" if len(history) else ""
        kept = (
            "nothing was changed"
            if epoch == 0
            else f"the parameters are left as they were before epoch {epoch}'s step"
        )
        super().__init__(
            f"train: the loss became {loss} after {where}{last}; {kept}.\n"
            f" Hint: lower the learning rate (lr = {lr:g}) or clip the gradients (clip=…)."
        )


class _Progress:
    """A one-line bar on a terminal stream, redrawn with \\r; silent elsewhere."""

    def __init__(self, stream: TextIO, total: int, quiet: bool) -> None:
        isatty = getattr(stream, "isatty", None)
        self.on = not quiet and callable(isatty) and bool(isatty())
        self.stream, self.total = stream, total
        self.start = self.last = time.perf_counter()
        self.drawn = False

    def update(self, epoch: int, loss: float, force: bool = False) -> None:
        if not self.on:
            return
        now = time.perf_counter()
        if not force and (now - self.start < _DELAY or now - self.last < _EVERY):
            return
        self.last, self.drawn = now, True
        width = 24
        full = int(width * epoch / max(self.total, 1))
        bar = "#" * full + "." * (width - full)
        self.stream.write(
            f"\rtrain [{bar}] {epoch:>{len(str(self.total))}}/{self.total}"
            f"  loss {loss:.3e}  {now - self.start:.1f} s"
        )
        self.stream.flush()

    def close(self, epoch: int, loss: float) -> None:
        if self.drawn:
            self.update(epoch, loss, force=True)
            self.stream.write("\n")
            self.stream.flush()


def _positive(op: str, arg: str, value: Any) -> float:
    ok = not isinstance(value, (bool, np.bool_)) and np.isscalar(value) and np.isreal(value)
    if not ok or not np.isfinite(value) or value <= 0:
        raise InputError(op, arg, "a finite number > 0", repr(value) if ok else describe(value))
    return float(value)


def train(
    mlp: MLP,
    X: Any,
    T: Any,
    lr: float,
    epochs: int,
    method: str = "shortcut",
    clip: float | None = None,
    *,
    quiet: bool = False,
    stream: TextIO | None = None,
) -> np.ndarray:
    """Full-batch gradient descent on C = (1/d) Σᵢ ℓ(y⁽ᴸ⁾(sᵢ), tᵢ); updates ``mlp`` in place.

    Each epoch computes every gradient by ``method`` (see ``MLP.gradients``), clips each one to
    norm ``clip`` if its Frobenius norm is larger, and steps θ ← θ − lr·g. If the loss becomes NaN
    or infinite, the run stops with :class:`NonFiniteLossError` naming the epoch, and the
    parameters are restored to those before that step.

    Args:
        mlp: the network (trained in place).
        X, T: inputs and targets, samples as columns.
        lr: the learning rate, > 0.
        epochs: the number of steps, ≥ 0.
        method: how the gradients are computed: ``"shortcut"`` (default), ``"jacobian"``, …
        clip: the largest norm of each parameter's gradient, or None.
        quiet: no progress bar even on a terminal.
        stream: where the bar goes (default ``sys.stderr``); drawn only if it is a terminal and
            the run lasts more than half a second.

    Returns:
        The loss history, epochs + 1 values: history[0] before training, history[e] after
        epoch e.

    Shapes: X (m,) | (m, d), T (n,) | (n, d) -> (epochs + 1,).

    >>> from net import MLP
    >>> net = MLP([1, 1], ["identity"])
    >>> h = train(net, np.ones((1, 2)), np.zeros((1, 2)), lr=0.5, epochs=3)
    >>> h.shape, bool(h[-1] < h[0])
    ((4,), True)
    """
    if not isinstance(mlp, MLP):
        raise InputError("train", "mlp", "a net.MLP", describe(mlp))
    lr = _positive("train", "lr", lr)
    if isinstance(epochs, (bool, np.bool_)) or not isinstance(epochs, (int, np.integer)):
        raise InputError("train", "epochs", "a whole number ≥ 0", describe(epochs))
    if epochs < 0:
        raise InputError("train", "epochs", "a whole number ≥ 0", repr(epochs))
    if method not in METHODS:
        raise InputError("train", "method", f"one of {METHODS}", repr(method))
    clip = None if clip is None else _positive("train", "clip", clip)
    X2, T2 = mlp._data("train", X, T)

    def evaluate(need_grads: bool) -> tuple[float, dict[str, np.ndarray] | None]:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if method == "shortcut":
                bp = backprop(mlp, X2, T2)
                loss, grads = bp.cost, bp.gradients
            else:
                loss, grads = float(mlp._cost(X2, T2)), None
                if np.isfinite(loss) and need_grads:
                    grads = mlp._gradients(X2, T2, method)
        if np.isfinite(loss) and grads is not None:
            if not all(np.isfinite(g).all() for g in grads.values()):
                loss = float("nan")  # a finite loss with a non-finite slope: the same failure
        return loss, grads

    history = np.empty(epochs + 1)
    loss, grads = evaluate(epochs > 0)
    if not np.isfinite(loss):
        raise NonFiniteLossError(0, loss, history[:0], lr)
    history[0] = loss
    bar = _Progress(sys.stderr if stream is None else stream, epochs, quiet)
    try:
        for e in range(1, epochs + 1):
            assert grads is not None
            if clip is not None:
                grads = {k: _clipped(g, clip) for k, g in grads.items()}
            before = mlp._params
            mlp._params = {k: v - lr * grads[k] for k, v in before.items()}
            loss, grads = evaluate(e < epochs)
            if not np.isfinite(loss):
                mlp._params = before
                raise NonFiniteLossError(e, loss, history[:e].copy(), lr)
            history[e] = loss
            bar.update(e, loss)
    finally:
        bar.close(e if epochs else 0, float(history[0] if epochs == 0 else loss))
    return history


def _clipped(g: np.ndarray, clip: float) -> np.ndarray:
    norm = float(np.linalg.norm(g))
    return g * (clip / norm) if norm > clip else g
