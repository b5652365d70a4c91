"""A rule's two symbolic forms against the Jacobian it builds, for the operation tests.

``expression(node)`` must evaluate to the Jacobian matrix and ``adjoint(G, node)`` to Gᵀ·J folded
back to the input's shape, both on the values the node is evaluated at.
"""

import numpy as np

from jacobians import OPERATIONS
from jacobians.expressions import Variable
from jacobians.expressions._evaluate import evaluate

_G = "Gbar"  # the adjoint's seed; no operation has an input of this name


def value_of(expr, values):
    return np.asarray(evaluate(expr, values).value(expr))


def check_forms(name, values, tol=1e-12, **options):
    """Every rule of ``name`` at ``values`` (a dict by input name; shapes () or (n, m), a vector
    (n,) being a column): its expression equals the built Jacobian and its adjoint equals Gᵀ·J
    for a random G, to ``tol`` relative to the largest entry. Returns the node."""
    op = OPERATIONS[name]
    node = op(*(Variable(p.name, np.shape(values[p.name])) for p in op.params), **options)
    at = evaluate(node, values)
    out = np.asarray(at.value(node))
    g = np.random.default_rng(0).normal(size=out.shape)
    for p in op.params:
        rule = op.rules[p.name]
        J = rule.build(at.contexts[node.key]).matrix
        scale = max(1.0, np.abs(J).max())
        closed = value_of(rule.expression(node), values)
        assert closed.size == J.size, (name, p.name, closed.shape, J.shape)
        np.testing.assert_allclose(closed.reshape(J.shape), J, rtol=tol, atol=tol * scale)
        back = value_of(rule.adjoint(Variable(_G, node.shape), node), {**values, _G: g})
        want = g.reshape(1, -1) @ J
        assert back.size == want.size, (name, p.name, back.shape, np.shape(values[p.name]))
        np.testing.assert_allclose(
            back.reshape(-1), want.reshape(-1), rtol=tol, atol=tol * scale * np.abs(g).sum()
        )
    return node
