"""The chain of any ``net.Network``: ∂C/∂(parameter) factor by factor, :func:`network`.

The factors are the network's own :meth:`net.Network.factors` (each layer's registry Jacobians),
relabelled in the network's variables: layer k's output is y⁽ᵏ⁾ and its input y⁽ᵏ⁻¹⁾ (x for
the first), its arrays carry its number (z⁽²⁾, O₁⁽³⁾, γ⁽¹⁾), and a layer inside a residual
block at k is k·j (y⁽¹·²⁾). Attention's ∂O/∂Q and ∂O/∂K are products (V ⊗ I_s) J ∂S/∂(Q or K):
where the chain runs through one, its factors are rows of their own (:mod:`._net_attention`),
so the softmax's Jacobian J = diag(p_j) − p_j p_jᵀ is seen with its structure. The checks
compare the product with the layers' hand-written backward passes and with numeric
differentiation, neither of which reads a Jacobian.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from jacobians import Jacobian
from net import Layer, Network, SpecError, parse_layers
from reshape import InputError, InputTypeError, describe

from . import _args, _tex
from ._build import build, factor_row, network_checks
from ._model import Check, Derivation, Value
from ._net_attention import attention_notes, split_products
from ._net_names import param_symbol, relabel
from ._net_point import default_input_shape, draw_point, input_shape_of, samples_of
from ._network import _cost_formula
from ._point import inputs

__all__ = ["network"]

_OP = "network"


def _layers(layers: Any) -> tuple[list[Layer], str]:
    """The layers (a spec string parsed, or a list of layer objects) and their text."""
    if isinstance(layers, str):
        try:
            parsed = parse_layers(layers)
        except SpecError as err:  # the parser's column, said for this function's argument
            raise err.named(_OP, "layers") from None
        return parsed, layers
    if isinstance(layers, (list, tuple)) and layers and all(isinstance(v, Layer) for v in layers):
        return list(layers), ", ".join(map(repr, layers))
    raise InputTypeError(
        _OP,
        "layers",
        "a layer spec such as 'conv1d:3x5,relu,flatten,dense:2', or a list of net layers",
        describe(layers),
    )


def _items(spec: str) -> list[str]:
    """A spec's items at depth 0: "residual(a,b),dense:2" -> ["residual(a,b)", "dense:2"]."""
    items, depth, start = [], 0, 0
    for i, c in enumerate(spec):
        depth += {"(": 1, ")": -1}.get(c, 0)
        if c == "," and depth == 0:
            items.append(spec[start:i].strip())
            start = i + 1
    return [*items, spec[start:].strip()]


def _symbolic(J: Jacobian, d: int, last: bool) -> str:
    """A factor's shape as the axes of its arrays, samples (or tokens) last: 2·14×2·1·3; with
    one sample (d = 1) its axis is left out, but for the parameter's."""

    def axes(shape: tuple[int, ...], keep: bool) -> str:
        if d == 1 and not keep and len(shape) > 1 and shape[-1] == 1:
            shape = shape[:-1]
        return "·".join(map(str, shape)) if shape else "1"

    return f"{axes(tuple(J.out_shape), False)}×{axes(tuple(J.in_shape), last)}"


def _checks(net: Network, X: np.ndarray, T: np.ndarray, wrt: str):  # noqa: ANN202
    def checks(grad: np.ndarray, row: Jacobian) -> list[Check]:
        return network_checks(net, X, T, wrt, grad, "the layers' hand-written backward passes")

    return checks


def _matrix(a: np.ndarray) -> np.ndarray:
    """An array as the tables print it: a matrix, its first axis by the rest (row-major)."""
    return a.reshape(a.shape[0], -1) if a.ndim > 2 else a


def _param_shape(shape: tuple[int, ...]) -> str:
    """A parameter's shape as the table folds its gradient: (2, 1, 3) as 2×1·3, the first axis
    by the rest, the tables printing matrices."""
    if len(shape) <= 2:
        return "×".join(map(str, shape))
    return f"{shape[0]}×{'·'.join(map(str, shape[1:]))}"


def _setup(net: Network, items: list[str], loss: str) -> list[tuple[str, str]]:
    """The network as one line, x → layer → … → y⁽ᴸ⁾, and the cost."""
    L = net.depth
    shape = "×".join(map(str, (*net.input_shape, "d")))
    y = f"y⁽{L}⁾".translate(_SUP)
    flow = " → ".join(["x", *items, y])
    # in math, so that a long network breaks after an arrow (a relation) on a page
    latex = r" \to ".join(["x", *(rf"\text{{{_tex.text(i)}}}" for i in items), _tex.math(y)])
    return [
        (f"{flow}, x of shape {shape}", rf"{latex},\ x \text{{ of shape }} {_tex.shape(shape)}"),
        _cost_formula(loss, L),
    ]


_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def network(
    layers: str | Sequence[Layer],
    input_shape: Any = None,
    wrt: str | None = None,
    loss: str = "squared_error",
    seed: int = 0,
    d: int | None = None,
    show_matrices: bool = False,
) -> Derivation:
    """∂C/∂wrt of a ``net.Network`` at a drawn point, as the chain of its layers' Jacobians.

    Args:
        layers: a spec string (``"conv1d:3x5,relu,flatten,dense:2"``, the syntax of
            ``net.parse_layers``) or a list of layers (``[net.Dense(3, "tanh"), …]``).
        input_shape: the per-sample input shape; by default from the first layer (inside a
            residual block, its first): conv1d (1, 16), conv2d (1, 6, 6), rnn (3, 5) (3
            features, 5 steps), embedding () (the ids of a sequence), anything else (4,).
        wrt: the parameter, by the network's name (W1, gamma1.1, Wq2 …); by default the first
            layer's first parameter.
        loss: ``squared_error``, ``softmax_cross_entropy`` or ``cross_entropy``.
        seed: the network's draw (``net.Network``) and the point's (seed + 1).
        d: the samples axis: samples, or the tokens of one sequence; by default 3 when a layer
            mixes the columns (attention, embedding, batch norm), else 1.
        show_matrices: put the factors' numbers in the table (small networks only).

    Shapes: x input_shape + (d,); each factor (entries of its output)×(entries of its input),
    written as the arrays' axes; the product 1×(entries of wrt), folded to wrt's shape.

    >>> t = network("conv1d:2x3,relu,flatten,dense:2")
    >>> t.wrt, [F.structure for F in t.factors][-1], t.gradient.shape, t.passed
    ('w⁽¹⁾', 'kronecker', (2, 3), True)
    >>> any(F.structure == "diagonal-plus-low-rank" for F in network("attention:1,dense:2").factors)
    True
    """
    parsed, text = _layers(layers)
    _args.choice(_OP, "loss", "loss", loss, ["squared_error", "softmax_cross_entropy",
                                             "cross_entropy"])  # fmt: skip
    seed = _args.seed(_OP, seed)
    show_matrices = _args.flag(_OP, "show_matrices", show_matrices)
    shape = default_input_shape(parsed) if input_shape is None else input_shape_of(_OP, input_shape)
    samples = samples_of(_OP, parsed, d)
    try:
        net = Network(parsed, shape, loss, seed)
    except InputError as err:  # a layer refusing the input shape, or the loss its last layer
        arg = "input_shape" if err.arg == "in_shape" else err.arg
        where = err.op if err.op != "Network" else _OP
        raise InputError(_OP, arg, err.expected, f"{err.got} ({where})", err.hint) from None
    names = list(net.shapes)
    if not names:
        raise InputError(_OP, "layers", "a network with at least one parameter", text)
    wrt = names[0] if wrt is None else wrt
    _args.choice(_OP, "wrt", "parameter", wrt, names)
    X, T = draw_point(net, parsed, samples, seed, wrt)
    chain = net.factors(X, T, wrt)
    jacobians = split_products(relabel(chain))
    factors = [
        factor_row(J, _symbolic(J, samples, i == len(jacobians) - 1))
        for i, J in enumerate(jacobians)
    ]
    symbol = param_symbol(wrt)
    shown = {k: _matrix(v) for k, v in {"x": X, "t": T, wrt: net[wrt]}.items()}
    values = [
        *inputs(shown, set(), {wrt: symbol}),
        Value(
            "C",
            "C",
            "forward",
            np.asarray(net.cost(X, T)),
            definition="the mean of the loss over the d samples",
            definition_latex=r"\text{the mean of the loss over the } d \text{ samples}",
        ),
    ]
    what = "the tokens of one sequence, or samples" if samples > 1 else "one sample"
    notes = [
        "Closed forms name each layer's own arrays: x (or X) its input, y its output, W its "
        "weights; the symbols number them by layer, k·j for layer j inside the block at k.",
        f"d = {samples}: the samples axis, last ({what}); C is the mean of the loss over it.",
        *attention_notes(parsed),
    ]
    return build(
        source="network",
        setup=_setup(
            net, _items(layers) if isinstance(layers, str) else [repr(x) for x in parsed], net.loss
        ),
        sizes={"d": samples},
        options={
            "layers": text,
            "input_shape": list(net.input_shape),
            "loss": net.loss,
            "wrt": wrt,
            "seed": seed,
            "d": samples,
        },
        wrt=symbol,
        param_shape=_param_shape(net.shapes[wrt]),
        factors=factors,
        gradient_shape=_matrix(np.empty(chain.shape)).shape,
        checks=_checks(net, X, T, wrt),
        notes=notes,
        show_matrices=show_matrices,
        values=values,
    )
