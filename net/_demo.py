"""The sine demo: fit sin(x) on [−π, π] with a small tanh network, by gradient descent."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reshape import InputError, InputTypeError, check_bytes, describe

from ._mlp import MLP
from ._train import flag, train

__all__ = ["sine_data", "sine_demo"]


def sine_data(d: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """d evenly spaced samples of sin on [−π, π], as rows of one feature: X, T of shape (1, d).

    Shapes: -> (1, d), (1, d).

    >>> X, T = sine_data(5)
    >>> X.shape, float(T[0, 2])
    ((1, 5), 0.0)
    """
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 2:
        raise InputError("sine_data", "d", "a whole number of samples ≥ 2", repr(d))
    # X, T and, when a network is trained on them, its activations: weighed before any is made
    check_bytes("sine_data", f"the {d} samples (X and T, each 1×{d})", 16 * int(d))
    X = np.linspace(-np.pi, np.pi, int(d)).reshape(1, -1)
    return X, np.sin(X)


def sine_demo(
    epochs: int = 8000,
    lr: float = 0.05,
    method: str = "shortcut",
    clip: float | None = 1.0,
    sizes: Sequence[int] = (1, 8, 8, 1),
    seed: int = 0,
    d: int = 32,
    quiet: bool = False,
) -> tuple[MLP, np.ndarray]:
    """Fit sin(x) on [−π, π] by full-batch gradient descent with gradient-norm clipping.

    The network is ``sizes`` with tanh hidden layers and an identity output, trained on the
    squared-error cost C = 1/(2d) Σᵢ (tᵢ − y(sᵢ))², so the mean squared error is 2C. From the
    defaults it reaches a mean squared error below 1e-3 (about 3e-4) in about a second.

    Args:
        epochs, lr, method, clip, quiet: passed to :func:`net.train`.
        sizes: the layer widths, 1 in and 1 out.
        seed: the initialisation seed.
        d: the number of samples.

    Returns:
        The trained network and the loss history C (epochs + 1 values; the MSE is 2·history).

    Shapes: the data are (1, d).

    >>> net, history = sine_demo(epochs=10, quiet=True)
    >>> history.shape, bool(history[-1] < history[0])
    ((11,), True)
    """
    quiet = flag("sine_demo", "quiet", quiet)
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (Sequence, np.ndarray)):
        raise InputTypeError(
            "sine_demo", "sizes", "a list of widths like [1, 16, 1]", describe(sizes)
        )
    sizes = tuple(sizes)
    if len(sizes) < 2 or sizes[0] != 1 or sizes[-1] != 1:
        raise InputError("sine_demo", "sizes", "widths starting and ending with 1", repr(sizes))
    if isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 2:
        # the batch's activations, forward and backward: 2 numbers per width per sample
        widths = [int(w) for w in sizes if isinstance(w, (int, np.integer)) and w >= 1]
        if len(widths) == len(sizes):  # bad widths are MLP's to name
            what = f"{d} samples through widths {list(sizes)}"
            check_bytes("sine_demo", what, 16 * int(d) * sum(widths))
    X, T = sine_data(d)
    mlp = MLP(sizes, ["tanh"] * (len(sizes) - 2) + ["identity"], "squared_error", seed=seed)
    history = train(mlp, X, T, lr, epochs, method=method, clip=clip, quiet=quiet)
    return mlp, history
