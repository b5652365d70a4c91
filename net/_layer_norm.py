"""Layers that normalize or look up: LayerNorm, BatchNorm (training mode) and Embedding.

Each forward pass is the registry operation's ``unchecked`` context (``layernorm``,
``batchnorm``, ``embedding``), which its Jacobian backward pass hands to the operation's rules;
the shortcut is the backward pass as course notes write it, from the cached x̂ and σ:
with g′ = γ ⊙ g, dx = (g′ − mean(g′) − x̂ ⊙ mean(g′ ⊙ x̂))/σ, the means over each column (layer
norm) or each row (batch norm), dγ = Σ g ⊙ x̂ and dβ = Σ g over the samples; an embedding's dE
scatter-adds each token's gradient into its id's column (``np.add.at``).

>>> from net import Dense, Network
>>> net = Network([Embedding(5, 3), LayerNorm(), Dense(1)], ())
>>> net.shapes["E1"], net.shapes["gamma2"]
((3, 5), (3,))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jacobians import Jacobian, Operation, batchnorm, embedding, layernorm
from jacobians._embedding import EmbeddingContext, check_ids
from jacobians._normalize import NormContext, checked_eps
from reshape import InputError, ShapeError

from ._layer_base import Factor, Grads, Layer, vector_input

__all__ = ["BatchNorm", "Embedding", "LayerNorm"]


SYMBOL = {"x": "x", "gamma": "γ", "beta": "β", "E": "E"}


def _labelled(op: Operation, wrt: str, J: Jacobian, **slots: str) -> Factor:
    """(∂y/∂wrt, J labelled with the rule ``wrt`` of ``op``: its closed form, slots filled)."""
    rule, symbol = op.rules[wrt], SYMBOL[wrt]
    tex = {k: f"{{{v}}}" for k, v in slots.items()}
    return f"∂y/∂{symbol}", J.labelled("y", symbol, rule.form.text(**slots), rule.form.latex(**tex))


class _Norm(Layer):
    """y = γ ⊙ x̂ + β over one vector (n,) per sample; γ near 1, β near 0 at the draw (not
    exactly, so that tests of the gradients are not degenerate)."""

    op: Operation
    name = ""

    def __init__(self, eps: float = 1e-5) -> None:
        self.eps = checked_eps(type(self).__name__, eps)

    def __repr__(self) -> str:
        eps = "" if self.eps == 1e-5 else f"eps={self.eps!r}"
        return f"{type(self).__name__}({eps})"

    def init(self, rng: Any, in_shape: tuple[int, ...], where: str) -> tuple[dict, tuple]:
        n = vector_input(where, in_shape, self.name)
        self.where = where
        gamma = 1.0 + rng.normal(0.0, 0.1, size=n)
        return {"gamma": gamma, "beta": rng.normal(0.0, 0.1, size=n)}, (n,)

    def forward(self, P: dict[str, np.ndarray], X: np.ndarray) -> NormContext:
        return self.op.unchecked(X, P["gamma"], P["beta"], eps=self.eps)  # type: ignore[misc]

    def jacobian_backward(self, P: dict[str, np.ndarray], cache: NormContext, G: Any) -> Grads:
        """g · ∂y/∂p for p = γ, β and x, each J built by the registry's rule from the context."""
        row, rules = G.reshape(1, -1), self.op.rules
        grads = {
            p: rules[p].build(cache)._right(row).reshape(P[p].shape) for p in ("gamma", "beta")
        }
        return grads, rules["x"].build(cache)._right(row).reshape(cache.shape)

    def shortcut_backward(self, P: dict[str, np.ndarray], cache: NormContext, G: Any) -> Grads:
        """dx = (g′ − mean(g′) − x̂ ⊙ mean(g′ ⊙ x̂))/σ with g′ = γ ⊙ g, the means over each group
        (a column for layer norm, a row for batch norm); dγ = Σ_j g ⊙ x̂, dβ = Σ_j g."""
        xhat, n = cache.xhat, cache.xhat.shape[0]
        g = G.reshape(xhat.shape)
        gp = P["gamma"].reshape(n, 1) * g
        ax = 0 if cache.axis == 1 else 1  # the axis of a group
        dx = gp - gp.mean(axis=ax, keepdims=True) - xhat * (gp * xhat).mean(axis=ax, keepdims=True)
        dx = dx / cache.sigma
        grads = {
            "gamma": (g * xhat).sum(axis=1).reshape(P["gamma"].shape),
            "beta": g.sum(axis=1).reshape(P["beta"].shape),
        }
        return grads, dx.reshape(cache.shape)


class LayerNorm(_Norm):
    """Layer norm: each sample (token) normalized over its n features, then y = γ ⊙ x̂ + β.

    ∂y/∂x is per sample diag(γ/σ)(I − 11ᵀ/n − x̂x̂ᵀ/n), a diagonal plus rank two: block-diagonal
    over the samples, as a per-sample map's must be. Parameters gamma and beta (n,).

    Shapes: X (n, d) -> (n, d).

    >>> LayerNorm(), LayerNorm(eps=1e-3)
    (LayerNorm(), LayerNorm(eps=0.001))
    """

    kind = "layernorm"
    op = layernorm
    name = "layer norm (over the features of each sample)"

    def factors(self, P: dict[str, np.ndarray], cache: NormContext) -> list[Factor]:
        """∂y/∂x, ∂y/∂γ and ∂y/∂β with the registry's closed forms (for a batch ∂y/∂γ is
        diag(vec x̂)(I_n ⊗ 1_d) and ∂y/∂β is I_n ⊗ 1_d, as batch norm's)."""
        n, d = cache.xhat.shape
        res, sizes = layernorm.result(cache), {"n": str(n), "d": str(d)}
        batch = layernorm if d == 1 else batchnorm  # batch norm's forms of γ and β are a batch's
        return [
            _labelled(layernorm, "x", res.jacobians["x"], **sizes),
            *(_labelled(batch, p, res.jacobians[p], **sizes) for p in ("gamma", "beta")),
        ]


class BatchNorm(_Norm):
    """Batch norm in training mode: each feature normalized over the d samples of the batch.

    ∂y/∂x couples the samples: per feature i the d×d block (γ_i/σ_i)(I − 11ᵀ/d − x̂_i x̂_iᵀ/d),
    so it is not block-diagonal over samples. One sample has no batch statistics: d ≥ 2.

    Shapes: X (n, d), d ≥ 2 -> (n, d).

    >>> BatchNorm()
    BatchNorm()
    """

    kind = "batchnorm"
    op = batchnorm
    name = "batch norm (over the samples of each feature)"

    def forward(self, P: dict[str, np.ndarray], X: np.ndarray) -> NormContext:
        if X.ndim != 2 or X.shape[1] < 2:
            raise ShapeError(
                getattr(self, "where", "BatchNorm"),
                "X",
                "a batch (n, d) of at least 2 samples (the batch statistics need two)",
                # a single sample reaches the layer as an (n, 1) batch, whatever shape it came in
                f"one sample (an (n, 1) batch of shape {X.shape})"
                if X.ndim == 2 and X.shape[1] == 1
                else f"shape {X.shape}",
                "give the network a batch of several samples, or use LayerNorm",
            )
        return super().forward(P, X)

    def factors(self, P: dict[str, np.ndarray], cache: NormContext) -> list[Factor]:
        """∂y/∂x (per feature, over the samples), ∂y/∂γ and ∂y/∂β, the registry's closed forms."""
        n, d = cache.xhat.shape
        res, sizes = batchnorm.result(cache), {"n": str(n), "d": str(d)}
        return [_labelled(batchnorm, p, res.jacobians[p], **sizes) for p in ("x", "gamma", "beta")]


class Embedding(Layer):
    """A lookup table: the network's input is the integer ids of one sequence (s,), its output
    the ids' columns of E (dim, vocab), (dim, s), the tokens as columns.

    E is drawn N(0, 1). The ids are not differentiable: ``jacobian_backward`` and
    ``shortcut_backward`` return None as the input's gradient (an Embedding is a network's
    first layer, so nothing reads it). A network carries its input as floats: whole numbers
    are read as their integers, anything else is refused naming the layer.

    Shapes: X (s,) ids in 0..vocab−1 -> (dim, s).

    >>> Embedding(10, 4)
    Embedding(10, 4)
    """

    kind = "embedding"

    def __init__(self, vocab: int, dim: int) -> None:
        for arg, v in (("vocab", vocab), ("dim", dim)):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < 1:
                raise InputError("Embedding", arg, "a positive whole number", repr(v))
        self.vocab, self.dim = int(vocab), int(dim)

    def __repr__(self) -> str:
        return f"Embedding({self.vocab}, {self.dim})"

    def init(self, rng: Any, in_shape: tuple[int, ...], where: str) -> tuple[dict, tuple]:
        if tuple(in_shape) != ():
            raise ShapeError(
                where,
                "in_shape",
                "() per token: the input is the ids (s,) of one sequence",
                f"per-sample shape {tuple(in_shape)}",
                "give the network input_shape=() and X the integer ids, first layer",
            )
        self.where = where
        return {"E": rng.normal(0.0, 1.0, size=(self.dim, self.vocab))}, (self.dim,)

    def forward(self, P: dict[str, np.ndarray], X: np.ndarray) -> EmbeddingContext:
        where = getattr(self, "where", "Embedding")
        ids = np.asarray(X)
        if ids.dtype.kind in "fc":  # the network's float input: whole numbers, as ids
            whole = np.isfinite(ids) & (ids == ids.real.round())
            if not whole.all():
                first = tuple(int(i) for i in np.argwhere(~whole)[0])
                raise InputError(
                    where,
                    "X",
                    f"whole numbers as token ids in 0..{self.vocab - 1}",
                    f"X{list(first)} = {float(ids[first].real):g}",
                )
            ids = ids.real.astype(np.intp)
        return embedding.unchecked(P["E"], check_ids(where, "X", ids, self.vocab))  # type: ignore[misc]

    def jacobian_backward(self, P: dict, cache: EmbeddingContext, G: Any) -> Grads:
        """g · (I_n ⊗ S): the registry's ∂y/∂E on the forward's context; None for the ids."""
        J = embedding.rules["E"].build(cache)
        return {"E": J._right(G.reshape(1, -1)).reshape(P["E"].shape)}, None  # type: ignore[return-value]

    def shortcut_backward(self, P: dict, cache: EmbeddingContext, G: Any) -> Grads:
        """dE[:, v] = Σ of G's columns j with ids[j] = v (a scatter-add); None for the ids."""
        dE = np.zeros(P["E"].shape, dtype=np.result_type(P["E"], G))
        np.add.at(dE, (slice(None), cache.ids), G.reshape(self.dim, -1))
        return {"E": dE}, None  # type: ignore[return-value]

    def factors(self, P: dict, cache: EmbeddingContext) -> list[Factor]:
        """∂y/∂E = I_n ⊗ S, S one-hot (s × vocab), the registry's closed form."""
        J = embedding.result(cache).jacobians["E"]
        return [_labelled(embedding, "E", J, n=str(self.dim))]
