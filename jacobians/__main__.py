"""``python -m jacobians``: the single-layer tour, 1×n · n×n · n×nm -> 1×nm -> n×m."""

from __future__ import annotations

import numpy as np

from jacobians import chain, chain_costs, linear, numeric, sigmoid, squared_error, to_gradient


def tour(n: int = 3, m: int = 4, seed: int = 0) -> str:
    """The single-layer example of the first write-up, as text."""
    rng = np.random.default_rng(seed)
    W, x, b, y = rng.normal(size=(n, m)), rng.normal(size=m), rng.normal(size=n), rng.random(n)
    z = linear(W, x, b)
    a = sigmoid(z.value)
    C = squared_error(a.value, y)
    factors = (C.jacobian, a.jacobian, z.jacobians["W"])
    row = chain(*factors)
    grad = to_gradient(row, W.shape)
    shortcut = np.outer((a.value - y) * a.value * (1 - a.value), x)

    def cost(W_: np.ndarray) -> float:
        return squared_error(sigmoid(linear(W_, x, b).value).value, y).value

    num = numeric(cost, W, method="complex").matrix.reshape(W.shape)
    lines = [f"a = σ(Wx + b), C = ½‖a − y‖², n = {n}, m = {m}", ""]
    for F in factors:
        lines.append(f"  {F.symbol:7} = {F.closed_form:22} {F.shape[0]}×{F.shape[1]}  ({F.kind})")
    lines += [
        f"  {'∂C/∂W':7} = product {' · '.join(f'{F.shape[0]}×{F.shape[1]}' for F in factors)}"
        f" = {row.shape[0]}×{row.shape[1]} -> gradient {grad.shape[0]}×{grad.shape[1]}",
        "",
        "gradient (n×m):",
        np.array2string(grad, precision=6, suppress_small=True),
        "",
        "max |chain − Hadamard shortcut ((a − y) ⊙ σ′(z)) xᵀ| = "
        f"{np.abs(grad - shortcut).max():.1e}",
        f"max |chain − complex-step numeric|                 = {np.abs(grad - num).max():.1e}",
        f"multiply-adds by order: {chain_costs(*factors)}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(tour())
