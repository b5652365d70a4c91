"""Simplification of the closed forms that the symbolic derivatives compose.

A derivative composed rule by rule is correct but cluttered: ``eye(3)*A``, ``(X')'``, ``1*G``,
``2*norm2(r)*r/norm2(r)``. :func:`simplify` rebuilds a graph bottom-up and applies, at each node,
rules that keep its value exactly (to rounding): identities dropped, double transposes and double
negations removed, numbers folded and gathered in front (``A'*(2*r)`` becomes ``2*A'*r``), a
transposed product reversed ((AB)ᵀ = BᵀAᵀ), Kronecker products multiplied factor by factor, equal
terms collected (``x + x`` is ``2*x``) and equal scalar factors cancelled in a quotient.
Expressions are compared by their text, which names every variable and constant.
"""

from __future__ import annotations

from ._graph import Expression, constant, node
from ._shapes import resolve

__all__ = ["simplify", "zero"]


def _is_number(e: Expression, value: float | None = None) -> bool:
    return e.name == "number" and e.op is None and (value is None or e.options["fill"] == value)


def _is_eye(e: Expression) -> bool:
    return e.name == "eye" and e.op is None and e.options.get("fill", 1.0) == 1.0


def _is_zero(e: Expression) -> bool:
    return e.op is None and e.name in ("number", "matrix", "vector") and e.options["fill"] == 0


def _is_ones(e: Expression) -> bool:
    return e.op is None and e.name in ("vector", "matrix") and e.options["fill"] == 1


def _op(e: Expression) -> str:
    return e.op.name if e.op is not None else ""


def zero(shape: tuple) -> Expression:
    """A zero of the given shape: the number 0 or a constant matrix of zeros."""
    if shape == ():
        return constant("number", 0.0)
    return constant("matrix", 0.0, shape)


def _broadcast(x: Expression, shape: tuple) -> Expression:
    """x where it has the shape, else x a scalar spread over it (s + 0ₘₓₙ is s·1ₘₓₙ, not s)."""
    if tuple(map(resolve, x.shape)) == tuple(map(resolve, shape)):
        return x
    return node("multiply", x, constant("matrix", 1.0, shape))


def _number(v: float) -> Expression:
    return constant("number", v)


def _split(e: Expression) -> tuple[float, Expression | None]:
    """e as (number, rest): 3*x → (3, x), -x → (−1, x), 5 → (5, None)."""
    if _is_number(e):
        return e.options["fill"], None
    if _op(e) == "negate":
        c, rest = _split(e.args[0])
        return -c, rest
    if _op(e) == "multiply" and _is_number(e.args[0]):
        c, rest = _split(e.args[1])
        return e.args[0].options["fill"] * c, rest
    if _op(e) == "divide" and e.args[1].is_scalar and not _is_number(e.args[1]):
        c, rest = _split(e.args[0])  # (0.5·u)/s → (0.5, u/s): the number joins the others
        if c != 1:
            return c, node("divide", _number(1.0) if rest is None else rest, e.args[1])
    return 1.0, e


def _scaled(c: float, rest: Expression | None, shape: tuple) -> Expression:
    if rest is None:
        return _number(c)
    if c == 0:
        return zero(shape)
    if c == 1:
        return rest
    if c == -1:
        return node("negate", rest)
    return node("multiply", _number(c), rest)


def _factors(e: Expression) -> tuple[list[Expression], list[Expression]]:
    """A product of scalars and at most one matrix as (numerator, denominator) factor lists."""
    if _op(e) == "multiply" and (e.args[0].is_scalar or e.args[1].is_scalar):
        n1, d1 = _factors(e.args[0])
        n2, d2 = _factors(e.args[1])
        return n1 + n2, d1 + d2
    if _op(e) == "divide" and e.args[1].is_scalar:
        n1, d1 = _factors(e.args[0])
        n2, d2 = _factors(e.args[1])
        return n1 + d2, d1 + n2
    return [e], []


def _product(c: float, factors: list[Expression], shape: tuple) -> Expression:
    """c times the factors (scalars and at most one matrix), scalars first, the matrix last."""
    out: Expression | None = None
    for f in sorted(factors, key=lambda f: not f.is_scalar):
        out = f if out is None else node("multiply", out, f)
    return _scaled(c, out, shape)


def _cancel(e: Expression) -> Expression:
    """Equal scalar factors above and below a quotient cancel: (2*s*r)/s → 2*r."""
    num, den = _factors(e)
    texts = [str(f) for f in num]
    kept_den = []
    for d in den:
        t = str(d)
        if t in texts and not _is_number(d):
            i = texts.index(t)
            del num[i], texts[i]
        else:
            kept_den.append(d)
    if len(kept_den) == len(den):
        return e
    c, rest = 1.0, []
    for f in num:
        if _is_number(f):
            c *= f.options["fill"]
        else:
            rest.append(f)
    out = _product(c, rest, e.shape)
    for d in kept_den:
        out = node("divide", out, d)
    return out


def _gathered(e: Expression) -> Expression:
    """A product whose scalar factors repeat (as themselves or as powers of a number), with each
    base written once, its exponents added: 3*det(X)^2*det(X)*inv(X)' → 3*det(X)^3*inv(X)'."""
    if _op(e) != "multiply":
        return e
    num, den = _factors(e)
    if den:
        return e  # _cancel's quotient: left as it wrote it
    c, order, power, base = 1.0, [], {}, {}
    for f in num:
        if _is_number(f):
            c *= f.options["fill"]
            continue
        b, k = f, 1.0
        if _op(f) == "power" and _is_number(f.args[1]) and f.args[0].is_scalar:
            b, k = f.args[0], f.args[1].options["fill"]
        t = str(b)
        if t in power and not b.is_scalar:
            return e  # a matrix factor twice: a product, not a power
        if t not in power:
            order.append(t)
            base[t], power[t] = b, 0.0
        power[t] += k
    if len(order) == len([f for f in num if not _is_number(f)]):
        return e  # nothing repeats
    rest = [base[t] if power[t] == 1 else node("power", base[t], _number(power[t])) for t in order]
    return _product(c, rest, e.shape)


def _terms(e: Expression, c: float, out: list[tuple[float, Expression | None]]) -> None:
    """The terms of a sum with their numbers: x − y + (x + y) → [(1, x), (−1, y), (1, x), (1, y)];
    a scalar broadcast over a matrix (s + X) is one term, not flattened into the matrix's sum."""
    if _op(e) in ("add", "subtract") and e.args[0].is_scalar == e.args[1].is_scalar:
        _terms(e.args[0], c, out)
        _terms(e.args[1], c if _op(e) == "add" else -c, out)
        return
    k, rest = _split(e)
    if rest is not None and _op(rest) in ("add", "subtract") and k != 1:
        _terms(rest, c * k, out)  # 2*(x + y): its terms, each twice
        return
    out.append((c * k, rest))


def _collected(e: Expression) -> Expression | None:
    """A sum with equal terms among three or more collected (x − y + (x + y) → 2*x), in the
    order they first come; None where no two are equal."""
    terms: list[tuple[float, Expression | None]] = []
    _terms(e, 1.0, terms)
    if len(terms) < 3:
        return None
    order: list[str] = []
    total: dict[str, float] = {}
    first: dict[str, Expression | None] = {}
    for c, rest in terms:
        t = "" if rest is None else str(rest)
        if t not in total:
            order.append(t)
            total[t], first[t] = 0.0, rest
        total[t] += c
    if len(order) == len(terms):
        return None
    out: Expression | None = None
    for t in order:
        c, rest = total[t], first[t]
        if c == 0:
            continue
        if out is None:
            out = _scaled(c, rest, e.shape)
        elif c < 0:
            out = node("subtract", out, _scaled(-c, rest, e.shape))
        else:
            out = node("add", out, _scaled(c, rest, e.shape))
    return zero(e.shape) if out is None else out


def _rule(e: Expression) -> Expression:
    name, a = _op(e), e.args
    if name == "transpose":
        x = a[0]
        if x.is_scalar or _op(x) == "transpose":
            return x if x.is_scalar else x.args[0]
        if _is_eye(x) or _is_zero(x):
            return x if _is_eye(x) else zero(e.shape)
        if _op(x) == "matmul":
            return _rule(
                node(
                    "matmul",
                    _rule(node("transpose", x.args[1])),
                    _rule(node("transpose", x.args[0])),
                )
            )
        c, rest = _split(x)
        if rest is not None and c != 1:
            return _scaled(c, _rule(node("transpose", rest)), e.shape)
        if _op(x) == "multiply" and x.args[0].is_scalar:  # (s·X)ᵀ = s·Xᵀ
            return _rule(node("multiply", x.args[0], _rule(node("transpose", x.args[1]))))
        if _op(x) == "divide" and x.args[1].is_scalar:  # (X/s)ᵀ = Xᵀ/s
            return _rule(node("divide", _rule(node("transpose", x.args[0])), x.args[1]))
    if name == "negate":
        c, rest = _split(e)
        return _scaled(c, rest, e.shape)
    if name in ("add", "subtract"):
        sign = 1.0 if name == "add" else -1.0
        if _is_zero(a[1]):
            return _broadcast(a[0], e.shape)
        if _is_zero(a[0]):
            kept = a[1] if sign > 0 else _rule(node("negate", a[1]))
            return _broadcast(kept, e.shape)
        (c1, r1), (c2, r2) = _split(a[0]), _split(a[1])
        if r1 is None and r2 is None:
            return _number(c1 + sign * c2)
        if r1 is not None and r2 is not None and str(r1) == str(r2):
            return _scaled(c1 + sign * c2, r1, e.shape)
        collected = _collected(e)
        if collected is not None:
            return collected
        if c2 < 0 and r2 is not None:  # x + (-2)*y reads as x - 2*y
            flip = "subtract" if name == "add" else "add"
            return node(flip, a[0], _scaled(-c2, r2, a[1].shape))
    if name == "vec" and len(a[0].shape) == 2 and resolve(a[0].shape[1]) == 1:
        return a[0]  # a column is its own vec
    if name == "multiply" and not (a[0].is_scalar or a[1].is_scalar):
        for i in (0, 1):  # ones .* x is x, and (ones/s) .* x is x/s
            if _is_ones(a[i]):
                return a[1 - i]
            if _op(a[i]) == "divide" and _is_ones(a[i].args[0]) and a[i].args[1].is_scalar:
                return node("divide", a[1 - i], a[i].args[1])
    if name == "multiply" and (a[0].is_scalar or a[1].is_scalar):
        (c1, r1), (c2, r2) = _split(a[0]), _split(a[1])
        if r1 is not None and r2 is not None:
            if r2.is_scalar and not r1.is_scalar:
                r1, r2 = r2, r1  # the scalar first: s*X
            if _op(r1) == "divide" and _is_number(r1.args[0], 1.0):  # (1/s)·X is X/s
                rest = node("divide", r2, r1.args[1])
            else:
                rest = node("multiply", r1, r2)
        else:
            rest = r1 if r2 is None else r2
        if _is_zero(a[0]) or _is_zero(a[1]):
            return zero(e.shape)
        out = _scaled(c1 * c2, rest, e.shape)
        return _gathered(_cancel(out)) if _op(out) == "multiply" else out
    if name == "divide" and a[1].is_scalar:
        if _is_number(a[1], 1.0):
            return a[0]
        if _is_number(a[1]) and a[1].options["fill"] != 0:
            c, rest = _split(a[0])
            return _scaled(c / a[1].options["fill"], rest, e.shape)
        return _cancel(e)
    if name == "power" and _is_number(a[1]):
        p = a[1].options["fill"]
        if p == 1:
            return a[0]
        if _is_number(a[0]):
            return _number(a[0].options["fill"] ** p)
    if name == "matmul":
        if _is_eye(a[0]) or _is_eye(a[1]):
            return a[1] if _is_eye(a[0]) else a[0]
        if _is_zero(a[0]) or _is_zero(a[1]):
            return zero(e.shape)
        (c1, r1), (c2, r2) = _split(a[0]), _split(a[1])
        if (c1 != 1 or c2 != 1) and r1 is not None and r2 is not None:
            return _scaled(c1 * c2, _rule(node("matmul", r1, r2)), e.shape)
        for i in (0, 1):  # A·(s·B) = s·(A·B): a scalar factor goes in front
            x = a[i]
            if _op(x) == "multiply" and x.args[0].is_scalar and not x.args[1].is_scalar:
                inner = (x.args[1], a[1]) if i == 0 else (a[0], x.args[1])
                return _rule(node("multiply", x.args[0], _rule(node("matmul", *inner))))
        if _op(a[0]) == "kron" and _op(a[1]) == "kron":
            (A, B), (C, D) = a[0].args, a[1].args
            if (
                len(A.shape) == 2
                and len(C.shape) == 2
                and resolve(A.shape[1]) == resolve(C.shape[0])
            ):
                return _rule(node("kron", _rule(node("matmul", A, C)), _rule(node("matmul", B, D))))
    if name == "kron":
        for i in (0, 1):
            x = a[i]
            if x.is_scalar:
                return _rule(node("multiply", x, a[1 - i]))
            if _is_eye(x) and resolve(x.shape[0]) == 1:
                return a[1 - i]
        (c1, r1), (c2, r2) = _split(a[0]), _split(a[1])
        if (c1 != 1 or c2 != 1) and r1 is not None and r2 is not None:
            return _scaled(c1 * c2, node("kron", r1, r2), e.shape)
    return e


def simplify(e: Expression) -> Expression:
    """The expression rebuilt bottom-up with the local rules applied (same value to rounding).

    >>> from jacobians.expressions import Variable
    >>> X = Variable("X", (2, 2))
    >>> print(simplify(((X.T).T @ (2 * X)).T))
    2*X'*X'
    """
    done: dict[object, Expression] = {}
    for n in e.nodes():
        if not n.args:  # a 1×1 constant (eye(1), vector(c, 1)) is the number it holds
            one = n.op is None and n.shape == () and n.name in ("eye", "vector", "matrix")
            done[n.key] = _number(n.options["fill"]) if one else n
            continue
        args = tuple(done[a.key] for a in n.args)
        same = all(x is y for x, y in zip(args, n.args, strict=True))
        rebuilt = n if same else node(n.op, *args, **n.options)  # type: ignore[arg-type]
        done[n.key] = _rule(rebuilt)
    return done[e.key]
