"""Gradient descent with optional gradient-norm clipping, a terminal progress bar, a stop on a
non-finite loss that leaves the parameters as they were before the bad step, and a warning when
the loss grows far past its start without leaving floating-point range."""

from __future__ import annotations

import sys
import time
import warnings
from typing import Any, TextIO

import numpy as np

from reshape import InputError, InputTypeError, as_real, as_size, check_bytes, describe

from ._checks import PointError
from ._compare import is_network
from ._mlp import METHODS, MLP
from ._shortcut import backprop

__all__ = ["LossGrowthWarning", "NonFiniteLossError", "train"]

_DELAY = 0.5  # seconds before the bar appears: short runs stay silent
_EVERY = 0.1  # seconds between redraws


class NonFiniteLossError(InputError, FloatingPointError):
    """The loss or a gradient left floating-point range: the run stopped, and the parameters are
    those before the step.

    Where the network's numbers left floating-point range (a layer, the loss or a gradient) it
    is the error every gradient method gives at that point, an :class:`~reshape.InputError` with
    the same ``expected`` and ``got`` (the refusal itself is ``cause``), raised with the epoch and
    the history. At epoch 0 the starting point itself is impossible, and the argument and hint
    are the point's; later a step made it so, and the argument is ``lr`` (a learning rate too
    large, most often), as it is for a NaN loss that no overflow explains.

    Attributes:
        epoch: the epoch whose update made the loss non-finite (0: the initial loss).
        loss: the non-finite value (NaN where the point was refused before the loss was summed).
        history: the finite losses before it (history[0] is the initial loss).
        cause: the point's refusal, as ``MLP.gradients`` gives it (None for a NaN loss that no
            overflow explains, from a user's activation).
    """

    def __init__(
        self,
        epoch: int,
        loss: float,
        history: np.ndarray,
        lr: float,
        cause: PointError | None = None,
    ) -> None:
        self.epoch, self.loss, self.history, self.cause = epoch, loss, history, cause
        where = "the initial loss" if epoch == 0 else f"the update of epoch {epoch}"
        last = f" (it was {history[-1]:.6g} before)" if len(history) else ""
        arg = cause.arg if cause is not None and epoch == 0 else "lr"
        kept = (
            "nothing was changed"
            if epoch == 0
            else f"the parameters are left as they were before epoch {epoch}'s step"
        )
        hint = f"lower the learning rate (lr = {lr:g}) or clip the gradients (clip=…)"
        if cause is not None:
            hint = cause.hint if epoch == 0 else f"{hint}; or: {cause.hint}"
        expected = cause.expected if cause else "a finite loss and finite gradients"
        got = cause.got if cause else f"a loss of {loss}"
        super().__init__("train", arg, expected, got, hint)
        if cause is None:
            head = f"train: bad argument {arg!r}: the loss became {loss} after {where}{last}"
        elif epoch == 0:
            head = f"train: bad argument {arg!r}: the initial loss or its gradient is not finite"
        else:
            head = f"train: bad argument {arg!r}: the loss or its gradient is not finite after "
            head += f"{where}{last}"
        head += f"; {kept}."
        self.args = ("\n".join([head, *str(self.args[0]).split("\n")[1:]]),)


class LossGrowthWarning(RuntimeWarning):
    """The loss rose past ``FACTOR`` (100) times its value before training: the steps overshoot.

    A healthy run's loss may rise for a few epochs (the sine demo's at lr = 1 goes to about 7×
    its start and comes back down); a run that goes 100× past its start has left the basin it
    started in, even when the loss stays finite and the run ends without an error. The warning
    is given once, when the run ends, and names the start, the peak and the end.

    Attributes:
        start, peak, end: the loss before training, at its largest, and after the last epoch.
        epoch: the epoch of the peak.
        lr, clip: the run's learning rate and clip (None: not clipped).
    """

    FACTOR = 100.0

    def __init__(
        self, start: float, peak: float, epoch: int, end: float, lr: float, clip: float | None
    ) -> None:
        self.start, self.peak, self.epoch, self.end = start, peak, epoch, end
        self.lr, self.clip = lr, clip
        hint = f"lower the learning rate (lr = {lr:g})"
        hint += " or clip the gradients (clip=…)" if clip is None else f" or the clip ({clip:g})"
        super().__init__(f"train: {self.grew()}: the steps overshoot; {hint}")

    def grew(self) -> str:
        """The growth in words: to 210× its start (0.0695 → 14.6 at epoch 37; 3.69 at the end)."""
        return (
            f"the loss grew to {self.peak / self.start:.3g}× its start ({self.start:.3g} → "
            f"{self.peak:.3g} at epoch {self.epoch}; {self.end:.3g} at the end)"
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


def flag(op: str, arg: str, value: Any) -> bool:
    """A yes/no option: True or False (numpy's booleans too), never a truthy string or None."""
    if not isinstance(value, (bool, np.bool_)):
        raise InputTypeError(op, arg, "True or False", f"{value!r} ({describe(value)})")
    return bool(value)


def _positive(op: str, arg: str, value: Any) -> float:
    """A real number > 0 (see ``as_real``)."""
    return as_real(value, op, arg, "a finite real number > 0", lambda x: x > 0)


def train(
    mlp: Any,
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
    parameters are restored to those before that step. If it stays finite but rises past 100×
    its start (``LossGrowthWarning.FACTOR``), the run ends with a :class:`LossGrowthWarning`
    naming the start, the peak and the end, and suggesting a lower lr or a clip.

    Args:
        mlp: the network (trained in place): a net.MLP or a net.Network.
        X, T: inputs and targets, samples as columns.
        lr: the learning rate, a real number > 0 (a bool, a complex number or text is refused).
        epochs: the number of steps, a whole number ≥ 0; its history (8 bytes an epoch) is
            weighed against the memory limit (``jacobians.set_dense_limit``) before any work.
        method: how the gradients are computed: ``"shortcut"`` (default), ``"jacobian"``, …
        clip: the largest norm of each parameter's gradient, a real number > 0, or None.
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
    if not (is_network(mlp) and callable(getattr(mlp, "_gradients", None))):
        raise InputError("train", "mlp", "a net.MLP or net.Network", describe(mlp))
    lr = _positive("train", "lr", lr)
    epochs = as_size(epochs, "train", "epochs", minimum=0)
    # the history is the one buffer that grows with epochs: weighed before any work
    check_bytes(
        "train",
        f"the loss history for epochs = {epochs:,} ({epochs + 1:,} float64 values)",
        8 * (epochs + 1),
        "train in several shorter runs (each call goes on from the parameters the last one left)",
    )
    if method not in METHODS:
        raise InputError("train", "method", f"one of {METHODS}", repr(method))
    clip = None if clip is None else _positive("train", "clip", clip)
    quiet = flag("train", "quiet", quiet)
    if stream is not None and not callable(getattr(stream, "write", None)):
        raise InputTypeError(
            "train",
            "stream",
            "None (sys.stderr) or a text stream with a write method, such as sys.stdout",
            f"{stream!r} ({describe(stream)})",
        )
    X2, T2 = mlp._data("train", X, T)

    def evaluate(need_grads: bool) -> tuple[float, dict[str, np.ndarray] | None, Any]:
        """(loss, gradients, the point's refusal): the same checks as MLP.gradients, whose
        refusal becomes the NonFiniteLossError of the epoch."""
        try:
            if method == "shortcut" and isinstance(mlp, MLP):
                bp = backprop(mlp, X2, T2, "train")
                return bp.cost, bp.gradients, None
            both = getattr(mlp, "_cost_and_gradients", None)  # a Network: one pass for both
            if both is not None and need_grads:
                loss, grads = both(X2, T2, method, "train")
                return loss, grads, None
            loss = float(mlp._cost(X2, T2, op="train"))
            return loss, mlp._gradients(X2, T2, method, "train") if need_grads else None, None
        except PointError as err:
            return float("nan"), None, err

    history = np.empty(epochs + 1)
    loss, grads, why = evaluate(epochs > 0)
    if why is not None or not np.isfinite(loss):
        raise NonFiniteLossError(0, loss, history[:0], lr, why)
    history[0] = loss
    peak, peak_epoch = loss, 0
    bar = _Progress(sys.stderr if stream is None else stream, epochs, quiet)
    try:
        for e in range(1, epochs + 1):
            assert grads is not None
            if clip is not None:
                grads = {k: _clipped(g, clip) for k, g in grads.items()}
            before = mlp._params
            with np.errstate(all="ignore"):  # a step past floating-point range: refused next
                mlp._params = {k: v - lr * grads[k] for k, v in before.items()}
            loss, grads, why = evaluate(e < epochs)
            if why is not None or not np.isfinite(loss):
                mlp._params = before
                raise NonFiniteLossError(e, loss, history[:e].copy(), lr, why)
            history[e] = loss
            if loss > peak:
                peak, peak_epoch = loss, e
            bar.update(e, loss)
    finally:
        bar.close(e if epochs else 0, float(history[0] if epochs == 0 else loss))
    if history[0] > 0 and peak > LossGrowthWarning.FACTOR * history[0]:
        grew = LossGrowthWarning(history[0], peak, peak_epoch, history[-1], lr, clip)
        warnings.warn(grew, stacklevel=2)
    return history


@np.errstate(all="ignore")
def _clipped(g: np.ndarray, clip: float) -> np.ndarray:
    norm = float(np.linalg.norm(g))
    if not np.isfinite(norm):  # Σg² overflowed: the norm of g/s, times s, does not
        s = float(np.abs(g).max())
        norm = s * float(np.linalg.norm(g / s))
    return g * (clip / norm) if norm > clip else g
