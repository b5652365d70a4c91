"""Layers of vectors: Dense (linear + activation), Activation, Residual (x + f(x)) and Flatten.

Each keeps samples last (X is in_shape + (d,)). Dense is one layer of :class:`net.MLP`: the
registry's ``linear`` and activation, whose rules give its Jacobians (∇σ, W ⊗ I_d, I_n ⊗ Xᵀ,
I_n ⊗ 1_d) and whose value and backward map give its shortcut (δ = g ⊙ σ′(z), δXᵀ, δ1, Wᵀδ).

>>> from net import Network
>>> net = Network([Dense(3, "tanh"), Dense(1)], (2,))
>>> net.shapes
{'W1': (3, 2), 'b1': (3,), 'W2': (1, 3), 'b2': (1,)}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from jacobians import ACTIVATIONS, OPERATIONS, Context, Identity, linear
from jacobians._kronecker import matmul
from reshape import InputError, InputTypeError

from ._layer_base import Factor, Grads, Layer, vector_input

__all__ = ["Activation", "Dense", "Flatten", "dense_jacobian_step", "dense_shortcut_step"]


def _width(op: str, n: Any) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(op, "n", "a positive whole number of units", repr(n))
    return int(n)


def _activation(op: str, name: Any) -> str:
    names = list(ACTIVATIONS)  # looked up now: an activation may be registered later
    if not isinstance(name, str) or name not in names:
        known = ", ".join(map(repr, names))
        error = InputError if isinstance(name, str) else InputTypeError
        raise error(op, "activation", f"an activation name, one of {known}", repr(name))
    return name


def activation_labels(name: str, z: str, a: str, n: int, d: int) -> tuple[str, str]:
    """∇σ's closed form in a layer's names, as text and LaTeX, for n entries per sample and d
    samples: an entrywise σ′ is one diagonal over all n·d entries (the identity I_{nd}); a
    softmax's diag(a) − a aᵀ is a block for each sample."""
    op = ACTIVATIONS[name]
    form, size = op.rules["z"].form, str(n * d)
    text, tex = form.text(z=z, a=a, n=size), form.latex(z=z, a=a, n=f"{{{size}}}")
    if d > 1 and op.deriv is None:  # not entrywise: one block per sample
        text, tex = (
            f"{text}, per sample ({d} blocks)",
            rf"{tex},\ 	ext{{per sample ({d} blocks)}}",
        )
    return text, tex


def _batch(d: int) -> tuple[tuple[str, str], tuple[str, str]]:
    """The batch marks of a layer's closed forms: ⊗ I_d (samples side by side), ⊗ 1_d (b added
    to each sample); nothing for one sample."""
    if d == 1:
        return ("", ""), ("", "")
    return (f" ⊗ I_{d}", rf" \otimes I_{{{d}}}"), (f" ⊗ 1_{d}", rf" \otimes \mathbf{{1}}_{{{d}}}")


# ----- the step of one dense layer, both ways -----
def dense_jacobian_step(
    lin: Any,
    act: Context,
    name: str,
    row: np.ndarray,
    inputs: bool = True,
    kept: dict[str, Any] | None = None,
) -> tuple[Any, ...]:
    """(∂C/∂z, ∂C/∂W, ∂C/∂b, ∂C/∂x) as rows, each row · J with J built by the registry's rules
    from the contexts of ``linear`` and of the activation ``name``: ∇σ, I_n ⊗ Xᵀ, I_n ⊗ 1_d and
    W ⊗ I_d (W for one sample), each in its structure; ∂C/∂x is None unless ``inputs`` (the
    first layer's input is data).

    ``kept`` (the caller's, one per layer, held across calls) keeps ∂z/∂b and ∂z/∂x, which
    depend on nothing but the array W and the batch's size and dtype: the next call with the
    same W object uses them again. ∂z/∂x holds W itself, so it multiplies by W's entries as they
    are then; the caller drops what it keeps when it replaces W. They are kept as one tuple,
    read and written whole, so two threads' gradients never mix one's ∂z/∂b with the other's."""
    rules = linear.rules
    dz = ACTIVATIONS[name].rules["z"].build(act)._right(row)
    dW = rules["W"].build(lin)._right(dz)
    batch = (lin.d, lin.value.dtype, inputs)  # with W, all that ∂z/∂b and ∂z/∂x depend on
    W, was, Jb, Jx = (kept or {}).get("factors", (None, None, None, None))
    if W is not lin.W or was != batch:
        Jb, Jx = rules["b"].build(lin), rules["x"].build(lin) if inputs else None
        if kept is not None:
            kept["factors"] = (lin.W, batch, Jb, Jx)
    return dz, dW, Jb._right(dz), Jx._right(dz) if Jx is not None else None


def dense_shortcut_step(
    W: np.ndarray,
    X: np.ndarray,
    z: np.ndarray,
    a: np.ndarray,
    name: str,
    G: np.ndarray,
    inputs: bool = True,
) -> tuple[Any, ...]:
    """(δ, δXᵀ, δ1, Wᵀδ) with δ = G ⊙ σ′(z) (softmax's a ⊙ (G − aᵀG) per column): backprop as
    course notes write it; Wᵀδ is None unless ``inputs``."""
    delta = ACTIVATIONS[name].vjp(z, a, G)  # type: ignore[misc]
    dW = matmul(delta, X.T)  # δ Xᵀ; for one sample an outer product, which BLAS is slow at
    return delta, dW, delta.sum(axis=1), W.T @ delta if inputs else None


@dataclass(frozen=True, slots=True)
class DenseCache:
    """A dense layer's forward pass: the contexts of linear (z = WX + b) and of σ (y = σ(z))."""

    value: np.ndarray
    lin: Any
    act: Context


class Dense(Layer):
    """y = σ(Wx + b) with n units: W (n, m) and b (n,), drawn as :class:`net.MLP` draws them
    (W ~ N(0, 1/m), b ~ N(0, 0.1²)), so a network of dense layers is an MLP.

    Shapes: X (m, d) -> (n, d); the input must be a vector per sample (Flatten() first).

    >>> Dense(4, "relu")
    Dense(4, 'relu')
    """

    kind = "dense"

    def __init__(self, n: int, activation: str = "identity") -> None:
        self.n = _width("Dense", n)
        self.activation = _activation("Dense", activation)

    @property
    def analytic(self) -> bool:  # type: ignore[override]
        return OPERATIONS[self.activation].rules["z"].analytic

    def __repr__(self) -> str:
        act = "" if self.activation == "identity" else f", {self.activation!r}"
        return f"Dense({self.n}{act})"

    def init(self, rng: Any, in_shape: tuple[int, ...], where: str) -> tuple[dict, tuple]:
        m = vector_input(where, in_shape, f"a dense layer of {self.n} units")
        # float(): a width past int64 would stop numpy's sqrt before the draw refuses it by name
        W = rng.normal(0.0, 1.0 / np.sqrt(float(m)), size=(self.n, m))
        return {"W": W, "b": rng.normal(0.0, 0.1, size=self.n)}, (self.n,)

    def forward(self, P: dict[str, np.ndarray], X: np.ndarray) -> DenseCache:
        lin = linear.unchecked(P["W"], X, P["b"])  # type: ignore[misc]
        act = ACTIVATIONS[self.activation].unchecked(lin.value)  # type: ignore[misc]
        return DenseCache(act.value, lin, act)

    def inner(self, cache: DenseCache) -> dict[str, np.ndarray]:
        return {"z = Wx + b": cache.lin.value}

    def jacobian_backward(self, P: dict[str, np.ndarray], cache: DenseCache, G: Any) -> Grads:
        _, dW, db, dx = dense_jacobian_step(cache.lin, cache.act, self.activation, G.reshape(1, -1))
        grads = {"W": dW.reshape(P["W"].shape), "b": db.reshape(P["b"].shape)}
        return grads, dx.reshape(cache.lin.X.shape)

    def shortcut_backward(self, P: dict[str, np.ndarray], cache: DenseCache, G: Any) -> Grads:
        c = cache.lin
        _, dW, db, dx = dense_shortcut_step(P["W"], c.X, c.value, cache.value, self.activation, G)
        return {"W": dW, "b": db}, dx

    def factors(self, P: dict[str, np.ndarray], cache: DenseCache) -> list[Factor]:
        """∇σ = ∂y/∂z, then ∂z/∂x = W (⊗ I_d), ∂z/∂W = I_n ⊗ xᵀ and ∂z/∂b = I_n (⊗ 1_d), with
        the registry's closed forms in the layer's names (x its input, z = Wx + b, y = σ(z))."""
        lin, act = linear.result(cache.lin), ACTIVATIONS[self.activation].result(cache.act)
        (batch, batch_tex), (ones, ones_tex) = _batch(cache.lin.d)
        n, rules = str(self.n), linear.rules
        labels = activation_labels(self.activation, "z", "y", self.n, cache.lin.d)
        A = act.jacobian.labelled("y", "z", *labels)
        texts = {
            "x": (rules["x"].form.text(W="W") + batch, rules["x"].form.latex(W="W") + batch_tex),
            "W": (rules["W"].form.text(n=n, x="x"), rules["W"].form.latex(n=f"{{{n}}}", x="x")),
            "b": (rules["b"].form.text(n=n) + ones, rules["b"].form.latex(n=f"{{{n}}}") + ones_tex),
        }
        out = [("∇σ", A)]
        for p, (text, tex) in texts.items():
            out.append((f"∂z/∂{p}", lin.jacobians[p].labelled("z", p, text, tex)))
        return out


@dataclass(frozen=True, slots=True)
class ActivationCache:
    """An activation's forward pass: its context on the (entries, d) view of X, and X's shape."""

    value: np.ndarray
    act: Context
    shape: tuple[int, ...]


class Activation(Layer):
    """y = σ(x) entrywise for any per-sample shape (softmax: over the entries of each sample,
    which must then be a vector).

    Shapes: X in_shape + (d,) -> the same shape.

    >>> Activation("tanh")
    Activation('tanh')
    """

    kind = "activation"

    def __init__(self, name: str) -> None:
        self.name = _activation("Activation", name)
        self.kind = name

    @property
    def analytic(self) -> bool:  # type: ignore[override]
        return OPERATIONS[self.name].rules["z"].analytic

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"

    def init(self, rng: Any, in_shape: tuple[int, ...], where: str) -> tuple[dict, tuple]:
        if self.name == "softmax":
            vector_input(where, in_shape, "softmax (over the entries of each sample)")
        return {}, tuple(in_shape)

    def forward(self, P: dict[str, np.ndarray], X: np.ndarray) -> ActivationCache:
        # the entries of a sample as one column: elementwise maps do not mind, and softmax
        # (a vector per sample) acts per column
        act = ACTIVATIONS[self.name].unchecked(X.reshape(-1, X.shape[-1]))  # type: ignore[misc]
        return ActivationCache(act.value.reshape(X.shape), act, X.shape)

    def jacobian_backward(self, P: dict, cache: ActivationCache, G: Any) -> Grads:
        J = ACTIVATIONS[self.name].rules["z"].build(cache.act)
        return {}, J._right(G.reshape(1, -1)).reshape(cache.shape)

    def shortcut_backward(self, P: dict, cache: ActivationCache, G: Any) -> Grads:
        c, g = cache.act, G.reshape(cache.act.value.shape)
        return {}, ACTIVATIONS[self.name].vjp(c.given["z"], c.value, g).reshape(cache.shape)  # type: ignore[misc]

    def factors(self, P: dict, cache: ActivationCache) -> list[Factor]:
        """∂y/∂x = ∇σ with the registry's closed form in the layer's names."""
        value = cache.act.value  # the (entries, d) view the activation ran on
        entries, d = value.shape[0], value.size // max(value.shape[0], 1)
        J = ACTIVATIONS[self.name].result(cache.act).jacobian
        labels = activation_labels(self.name, "x", "y", entries, d)
        # computed on the (entries, d) view; the factor maps arrays of X's own shape
        shaped = J.labelled("y", "x").label("y", "x", *labels, cache.shape, cache.shape)
        return [("∂y/∂x", shaped)]


@dataclass(frozen=True, slots=True)
class FlattenCache:
    value: np.ndarray
    shape: tuple[int, ...]


class Flatten(Layer):
    """The entries of each sample as one vector, row-major: (C, L) or (C, H, W) -> (C·L,) or
    (C·H·W,). Samples are last, so X (C, L, d) is reshaped to (C·L, d) and nothing moves; the
    Jacobian is the identity from shape (C, L, d) to (C·L, d).

    >>> Flatten()
    Flatten()
    """

    kind = "flatten"

    def __repr__(self) -> str:
        return "Flatten()"

    def init(self, rng: Any, in_shape: tuple[int, ...], where: str) -> tuple[dict, tuple]:
        return {}, (int(np.prod(in_shape, dtype=object)),)

    def forward(self, P: dict, X: np.ndarray) -> FlattenCache:
        return FlattenCache(X.reshape(-1, X.shape[-1]), X.shape)

    def _identity(self, cache: FlattenCache) -> Identity:
        value = cache.value
        J = Identity(value.shape, dtype=value.dtype)
        return J.label("y", "x", J.closed_form, J.latex, value.shape, cache.shape)

    def jacobian_backward(self, P: dict, cache: FlattenCache, G: Any) -> Grads:
        return {}, self._identity(cache)._right(G.reshape(1, -1)).reshape(cache.shape)

    def shortcut_backward(self, P: dict, cache: FlattenCache, G: Any) -> Grads:
        return {}, G.reshape(cache.shape)

    def factors(self, P: dict, cache: FlattenCache) -> list[Factor]:
        return [("∂y/∂x", self._identity(cache))]
