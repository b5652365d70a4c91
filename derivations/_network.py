"""The deep chain: ∂C/∂W⁽ᵏ⁾ (or b⁽ᵏ⁾) of a ``net.MLP`` for one sample, through every layer above k.

The factors are the network's own :meth:`net.MLP.factors` (Jacobians from the ``jacobians``
operations, labelled in the network's notation, ∂C/∂y⁽ᵏ⁾ and ∇σ_k); the shortcut is the network's
backprop with Hadamard products and the numeric gradient its own numeric method, so each check
compares the chain with a computation that shares none of its code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from jacobians import COSTS, Jacobian
from jacobians._notation import sub, unscript, var
from net import ACTIVATION_RULES, LOSSES, MLP, parse_param
from reshape import InputError, InputTypeError, describe

from . import _args, _tex
from ._build import build, factor_row, network_checks
from ._model import Check, Degenerate, Derivation, Value
from ._network_point import depth_of, given_arrays, sample, widths
from ._point import at_the_point, computed, inactive, inputs

__all__ = ["default_activations", "mlp", "sample"]

# A chain's variable with its layer, superscripts undone by unscript: y⁽²⁾ -> "y(2)", x -> "x".
_VARIABLE = re.compile(r"^([A-Za-zℓ]+)(?:\((\d+)\))?$")


def _l(k: int) -> str:
    return f"l{sub(k)}"


def _symbolic_size(name: str) -> str:
    """The symbolic number of entries of a variable: y⁽²⁾ -> l₂, W⁽²⁾ -> l₂l₁, x -> l₀, C -> 1."""
    m = _VARIABLE.match(unscript(name))
    if m is None:
        raise AssertionError(f"unexpected variable {name!r} in a network chain")
    letter, k = m.group(1), m.group(2)
    if k is None:
        return {"x": _l(0)}.get(letter, "1")
    j = int(k)
    return f"{_l(j)}{_l(j - 1)}" if letter == "W" else _l(j)


def _cost_formula(loss: str, L: int) -> tuple[str, str]:
    """The registry's cost formula in the network's names: prediction y⁽ᴸ⁾, target t."""
    cost = COSTS[loss]
    prediction, target = (p.name for p in cost.params)  # (a or z, y)
    y_text, y_latex = var("y", L)
    form = cost.formula_form
    return (
        form.text(**{prediction: y_text, target: "t"}),
        form.latex(**{prediction: y_latex, target: "t"}),
    )


def _symbolic_shape(J: Jacobian) -> str:
    return f"{_symbolic_size(J.of)}×{_symbolic_size(J.wrt)}"


def default_activations(layers: int, loss: str) -> list[str]:
    """tanh for the hidden layers; the last is softmax for cross_entropy (which needs
    probabilities), identity otherwise (squared error, or logits for softmax_cross_entropy).

    >>> default_activations(3, "cross_entropy")
    ['tanh', 'tanh', 'softmax']
    """
    return ["tanh"] * (layers - 1) + ["softmax" if loss == "cross_entropy" else "identity"]


def _activations(layers: int, activations: Sequence[str] | None, loss: str) -> list[str]:
    """One activation per layer, each a name ``net.MLP`` knows (by default
    :func:`default_activations`)."""
    if activations is None:
        return default_activations(layers, loss)
    expected = f"a list of {layers} activation names (one per layer), or None"
    if isinstance(activations, (str, bytes)) or not isinstance(activations, Sequence):
        raise InputTypeError("mlp", "activations", expected, describe(activations))
    if len(activations) != layers:
        raise InputError("mlp", "activations", expected, f"{len(activations)}: {activations!r}")
    for i, a in enumerate(activations):
        _args.choice("mlp", f"activations[{i}]", "activation", a, list(ACTIVATION_RULES))
    return list(activations)


def _point(
    net: MLP, x: np.ndarray, t: np.ndarray, given: set[str]
) -> tuple[list[Value], list[Degenerate]]:
    """The table's point: x, t and the parameters (given or drawn), every z⁽ᵏ⁾ and y⁽ᵏ⁾ and
    the cost; and the layers with no active unit."""
    params = net.params
    values = inputs(
        {"x": x, "t": t, **params},
        given,
        {p: var(p[0], int(p[1:]))[0] for p in params},
        ("x", "t", *(p for p in params if p[0] == "b")),
    )
    net.forward(x)
    setup, computed_values, notes = [], [], []
    for k in range(1, net.depth + 1):
        z, y, W, b = (var(name, k)[0] for name in "zyWb")
        previous = "x" if k == 1 else var("y", k - 1)[0]
        for text in (f"{z} = {W}{previous} + {b}", f"{y} = σ{sub(k)}({z})"):
            setup.append((text, _tex.math(text)))
        computed_values += [net.z[k], net.y[k]]
        if k == 1:
            cut = ("W⁽¹⁾ and b⁽¹⁾", r"$W^{(1)}$ and $b^{(1)}$")
        else:
            cut = (f"the parameters of layers 1 to {k}",) * 2
        notes += inactive(
            net.activations[k - 1],
            net.z[k],
            k,
            f"layer {k}",
            z,
            (f"the gradients of {cut[0]} are zero", f"the gradients of {cut[1]} are zero"),
        )
    setup.append(_cost_formula(net.loss, net.depth))
    computed_values.append(net.cost(x, t))
    return [*values, *computed(setup, computed_values)], notes


def mlp(
    sizes: Sequence[int] | None = None,
    activations: Sequence[str] | None = None,
    loss: str = "squared_error",
    wrt: str = "W1",
    seed: int = 0,
    show_matrices: bool = False,
    *,
    params: Mapping[str, Any] | None = None,
    x: Any = None,
    t: Any = None,
) -> Derivation:
    """∂C/∂(parameter) of a ``net.MLP`` for one sample, as the chain through every layer above it.

    For W⁽ᵏ⁾ of an L-layer network: ∂C/∂y⁽ᴸ⁾ · ∇σ_L · W⁽ᴸ⁾ · … · W⁽ᵏ⁺¹⁾ · ∇σ_k · ∂z⁽ᵏ⁾/∂W⁽ᵏ⁾, with
    symbolic shapes in the layer widths l₀ … l_L.

    Args:
        sizes: layer widths, input first. By default (2, 3, 3, 1) for three layers; the number
            of layers is one per activation, else the deepest parameter given; each width a
            given array fixes is taken from it (a width that contradicts one is refused).
        activations: one per layer (default: tanh, and identity last; softmax last for
            cross_entropy).
        loss: ``squared_error``, ``softmax_cross_entropy`` or ``cross_entropy``.
        wrt: ``W1``, ``b1``, … ``WL``, ``bL``.
        seed: the network's initialisation (``net.MLP``) and the sample's draw, for what is
            not given; a sample at which the gradient of W⁽¹⁾ vanishes (a relu layer with no
            active unit) is replaced by the generator's next (a network dead for every sample,
            as an initialisation can leave a one-unit relu layer, is kept, and said).
        show_matrices: put the factors' numbers in the table (small sizes only).
        params: parameters by name, any subset of W1, b1, …, WL, bL (b as (l,) or (l, 1)).
        x, t: the sample and its target (a probability vector for the cross-entropies).

    Shapes: 1×l_L · l_L×l_L · l_L×l_{L−1} · … · l_k×l_k l_{k−1} = 1×l_k l_{k−1} -> l_k×l_{k−1}.

    >>> d = mlp([2, 3, 3, 1], wrt="W1")
    >>> [F.shape for F in d.factors][-2:], d.gradient.shape, d.passed
    (['l₁×l₁', 'l₁×l₁l₀'], (3, 2), True)
    >>> mlp(params={"W1": np.ones((4, 2)), "W2": np.ones((1, 4))}).sizes  # the arrays' widths
    {'l₀': 2, 'l₁': 4, 'l₂': 1}
    """
    op = "mlp"
    if sizes is not None:
        sizes = _args.sizes(op, "sizes", sizes)
    _args.choice(op, "loss", "loss", loss, list(LOSSES))
    seed = _args.seed(op, seed)
    show_matrices = _args.flag(op, "show_matrices", show_matrices)
    given, sample_given = given_arrays(op, params, x, t, loss)
    depth = depth_of(op, sizes, activations, given)
    acts = _activations(depth, activations, loss)
    sizes = widths(op, sizes, depth, given, sample_given)
    names = [f"{kind}{k}" for k in range(1, len(sizes)) for kind in "Wb"]
    _args.choice(op, "wrt", "parameter", wrt, names)
    net = MLP(sizes, acts, loss, seed=seed)
    parsed = parse_param(wrt)
    if wrt not in net.shapes or parsed is None:
        raise InputError(op, "wrt", f"one of {', '.join(net.shapes)}", f"unknown parameter {wrt!r}")
    kind, k = parsed
    drawn_x, drawn_t = sample(sizes, loss, seed, net)
    net.params = {**net.params, **given}
    x, t = sample_given.get("x", drawn_x), sample_given.get("t", drawn_t)
    arrays = [*(["params"] if given else []), *sample_given]  # what the caller gave
    with at_the_point(op, arrays):  # a given point may leave floating-point range
        chain = net.factors(x, t, wrt)
    factors = [factor_row(J, _symbolic_shape(J)) for J in chain]
    L = net.depth

    def checks(grad: np.ndarray, row: Jacobian) -> list[Check]:
        return network_checks(net, x, t, wrt, grad, "backprop with Hadamard products")

    param_shape = f"{_l(k)}×{_l(k - 1)}" if kind == "W" else _l(k)
    with at_the_point(op, arrays):
        values, degenerate = _point(net, x, t, {*given, *sample_given})
        return build(
            source="mlp",
            setup=[
                (
                    "y⁽ᵏ⁾ = σ_k(W⁽ᵏ⁾y⁽ᵏ⁻¹⁾ + b⁽ᵏ⁾)",
                    r"y^{(k)} = \sigma_k(W^{(k)} y^{(k-1)} + b^{(k)})",
                ),
                (f"σ = {', '.join(acts)}", rf"\sigma = \text{{{_tex.text(', '.join(acts))}}}"),
                _cost_formula(loss, L),
            ],
            sizes={_l(i): s for i, s in enumerate(sizes)},
            options={"sizes": sizes, "activations": acts, "loss": loss, "wrt": wrt, "seed": seed},
            wrt=var(kind, k)[0],
            param_shape=param_shape,
            factors=factors,
            gradient_shape=chain.shape,
            checks=checks,
            notes=(
                "One sample; the factors are net.MLP.factors, W⁽ʲ⁾ standing for ∂z⁽ʲ⁾/∂y⁽ʲ⁻¹⁾ and "
                "∇σ_j for ∂y⁽ʲ⁾/∂z⁽ʲ⁾.",
            ),
            show_matrices=show_matrices,
            values=values,
            degenerate=degenerate,
        )
