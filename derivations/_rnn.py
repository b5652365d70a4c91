"""The recurrence table: ∂h_T/∂h_t for t = T … 1, :func:`rnn`.

Each factor ∂h_τ/∂h_{τ−1} = diag(1 − h_τ²) W is the registry's Jacobian (``rnn_step``'s rule for
h), and each product ∂h_T/∂h_t is their product as the toolkit multiplies Jacobians; its
Frobenius norm and largest singular value show the gradient vanish (‖W‖ < 1) or explode
(‖W‖ > 1 while tanh is not saturated) as T − t grows. A check recomputes every product from
plain numpy matrices.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jacobians import Identity, rnn_step
from reshape import InputError, as_real

from . import _args
from . import _rnn_render as _rnn_render  # registers the renderers
from ._model import Check
from ._rnn_model import Product, RnnTable

__all__ = ["rnn"]

_WHERE = "derivations.rnn"
MAX_STEPS = 200
INPUT_SCALE = 0.1  # x_t ~ N(0, 0.1²): small, so tanh stays near its linear part unless W grows h


def _scale(value: Any) -> float:
    return as_real(
        value, _WHERE, "scale", "a positive real number up to 1000", lambda v: 0 < v <= 1e3
    )


def rnn(steps: int = 10, n: int = 4, m: int = 3, seed: int = 0, scale: float = 1.0) -> RnnTable:
    """The table of ∂h_T/∂h_t = Π_{τ=t+1..T} ∂h_τ/∂h_{τ−1} for t = T … 1 in the recurrent network
    h_t = tanh(W h_{t−1} + U x_t + b), h₀ = 0, with each product's Frobenius norm and largest
    singular value.

    Args:
        steps: T, the length of the sequence (1 to 200).
        n: the state's size; m: the input's.
        seed: the draw of W, U, b and the inputs.
        scale: W = scale · Q with Q a random orthogonal matrix, so every singular value of W
            is ``scale``: below 1 the products shrink like scale^(T−t) (vanishing gradients);
            above 1 they grow (exploding) until tanh saturates.

    Shapes: W (n, n), U (n, m), b (n,), x_t (m,); each product n×n.

    >>> t = rnn(steps=6, scale=0.5)
    >>> [p.t for p in t.products], bool(t.norms[-1] < t.norms[1] < t.norms[0]), t.passed
    ([6, 5, 4, 3, 2, 1], True, True)
    """
    T = _args.size(_WHERE, "steps", steps)
    if T > MAX_STEPS:
        raise InputError(_WHERE, "steps", f"a whole number between 1 and {MAX_STEPS}", repr(T))
    n, m = _args.size(_WHERE, "n", n), _args.size(_WHERE, "m", m)
    seed, scale = _args.seed(_WHERE, seed), _scale(scale)
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    W = scale * Q
    U = rng.normal(size=(n, m)) / np.sqrt(m)
    b = np.zeros(n)
    X = INPUT_SCALE * rng.normal(size=(m, T))
    states = np.zeros((T + 1, n))
    factors = []
    for t in range(1, T + 1):  # the forward pass, and each step's registry Jacobian ∂h_t/∂h_{t−1}
        r = rnn_step(W, U, b, states[t - 1], X[:, t - 1])
        states[t] = r.value
        form = rnn_step.rules["h"].form
        text = form.text(a=f"h_{t}", W="W")
        latex = form.latex(a=f"{{h_{{{t}}}}}", W="W")
        factors.append(r.jacobians["h"].labelled(f"h_{t}", f"h_{t - 1}", text, latex))
    products = [_product(T, T, Identity((n,)), n)]
    back = None
    for t in range(T - 1, 0, -1):
        J = factors[t]  # ∂h_{t+1}/∂h_t
        back = J if back is None else back @ J
        products.append(_product(T, t, back, n))
    rows = tuple(products)
    return RnnTable(
        title=f"∂h_T/∂h_t through time for h_t = tanh(W h_(t−1) + U x_t + b) "
        f"(T = {T}, n = {n}, m = {m}, scale = {scale:g})",
        title_latex=(
            rf"$\frac{{\partial h_T}}{{\partial h_t}}$ through time for "
            rf"$h_t = \tanh(W h_{{t-1}} + U x_t + b)$ ($T = {T}$, $n = {n}$, $m = {m}$, "
            rf"scale ${scale:g}$)"
        ),
        steps=T,
        n=n,
        m=m,
        seed=seed,
        scale=scale,
        setup=(
            ("h_0 = 0, b = 0, x_t ~ N(0, 0.1²)", r"h_0 = 0,\ b = 0,\ x_t \sim N(0, 0.1^2)"),
            (
                f"W = {scale:g}·Q (Q orthogonal: every singular value of W is {scale:g}), "
                "U ~ N(0, 1/m)",
                rf"W = {scale:g}\,Q\ (Q^\top Q = I),\ U \sim N(0, 1/m)",
            ),
        ),
        closed_form="∂h_T/∂h_t = Π_(τ = T … t+1) diag(1 − h_τ²) W",
        closed_form_latex=(
            r"\frac{\partial h_T}{\partial h_t} = \prod_{\tau = T}^{t+1} "
            r"\operatorname{diag}(1 - h_\tau^2)\, W"
        ),
        factor_form=rnn_step.rules["h"].form.text(a="h_τ", W="W"),
        factor_form_latex=rnn_step.rules["h"].form.latex(a=r"{h_\tau}", W="W"),
        products=rows,
        states=states,
        checks=(_numpy_check(rows, W, states),),
        notes=(
            "σ_max(∂h_T/∂h_t) ≤ Π σ_max(diag(1 − h_τ²)) σ_max(W) ≤ scale^(T−t): below 1 the "
            "gradient vanishes geometrically; above 1 it may grow, until tanh saturates "
            "(1 − h² → 0) and the factors shrink again.",
        ),
        notes_latex=(
            r"$\sigma_{\max}(\partial h_T / \partial h_t) \le \prod_\tau "
            r"\sigma_{\max}(\operatorname{diag}(1 - h_\tau^2))\, \sigma_{\max}(W) \le "
            r"\mathrm{scale}^{T-t}$: below 1 the gradient vanishes geometrically; above 1 it may "
            r"grow, until tanh saturates ($1 - h^2 \to 0$) and the factors shrink again.",
        ),
    )


def _product(T: int, t: int, J: Any, n: int) -> Product:
    M = J.matrix
    if t == T:
        text, latex = f"I_{n}", rf"I_{{{n}}}"
    elif t == T - 1:
        text, latex = f"∂h_{T}/∂h_{t}", rf"\frac{{\partial h_{{{T}}}}}{{\partial h_{{{t}}}}}"
    else:  # two factors side by side; three or more with ⋯ for those between
        between = (" · ", r" \, ") if t == T - 2 else (" ⋯ ", r" \cdots ")
        text = f"∂h_{T}/∂h_{T - 1}{between[0]}∂h_{t + 1}/∂h_{t}"
        latex = (
            rf"\frac{{\partial h_{{{T}}}}}{{\partial h_{{{T - 1}}}}}{between[1]}"
            rf"\frac{{\partial h_{{{t + 1}}}}}{{\partial h_{{{t}}}}}"
        )
    return Product(
        t=t,
        steps=T - t,
        symbol=f"∂h_{T}/∂h_{t}",
        factors=text,
        factors_latex=latex,
        frobenius=float(np.linalg.norm(M)),
        sigma_max=float(np.linalg.norm(M, 2)),
        structure=J.kind,
        jacobian=J,
    )


def _numpy_check(products: tuple[Product, ...], W: np.ndarray, states: np.ndarray) -> Check:
    """Each product against Π diag(1 − h_τ²) W multiplied as plain numpy matrices, relative to
    the product's largest entry."""
    T, n = states.shape[0] - 1, W.shape[0]
    worst, P = 0.0, np.eye(n)
    for p in products:
        if p.t < T:
            P = P @ ((1 - states[p.t + 1] ** 2)[:, None] * W)
        scale = max(float(np.abs(P).max()), np.finfo(float).tiny)
        worst = max(worst, float(np.abs(p.jacobian.matrix - P).max()) / scale)
    return Check(
        "numpy",
        "each ∂h_T/∂h_t against numpy's product of the matrices diag(1 − h_τ²)W (relative)",
        worst,
        1e-12,
        latex=r"each $\partial h_T/\partial h_t$ against numpy's product of the matrices "
        r"$\operatorname{diag}(1 - h_\tau^2) W$ (relative)",
    )
