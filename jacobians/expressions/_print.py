"""An expression printed as text of the language (what ``str()`` gives and ``parse`` reads back).

The graph is turned into the parser's tree (:mod:`._parse`) and printed by its ``to_text``, so
printing and parsing share one precedence table. Elementwise operations print as the language
writes them: ``.*`` between matrices but ``*`` when an operand is a scalar (``2*x``), ``./`` and
``/``, ``.^`` and ``^`` alike. A scalar times a product prints as one product (``2*A'*r``, not
``2*(A'*r)``), which is the same value. Constants print with their sizes once those are known
(``eye(3)``), so the text can be read back even where nothing around them fixes the size.
"""

from __future__ import annotations

from .._registry import OPERATIONS
from ._graph import ACTIONS, Expression
from ._parse import FUNCTIONS, Binary, Call, Name, Node, Num, Transpose, Unary
from ._parse import to_text as print_tree
from ._shapes import resolve

__all__ = ["register_functions", "to_text", "to_tree"]


def register_functions() -> None:
    """Every registered operation written as a call is a function of the language, so whatever
    prints reads back: ``softplus(x)``, ``linear(W, x, b)``."""
    for op in OPERATIONS.values():
        kind, name = op.syntax or ("call", op.name)
        if kind == "call" and name not in FUNCTIONS:
            FUNCTIONS[name] = tuple(range(len(op.params), len(op.params) + len(op.options) + 1))


def _num(v: float) -> Node:
    if v < 0:
        return Unary("-", _num(-v))
    return Num(float(v), _spell(v))


def _spell(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


def _size(d: object) -> int | None:
    r = resolve(d)  # type: ignore[arg-type]
    return r if isinstance(r, int) else None


def _constant(e: Expression) -> Node:
    fill = e.options.get("fill", 1.0)
    if e.name == "number":
        return _num(fill)
    if e.name == "comm":
        m, n = (_size(e.options[k]) for k in ("m", "n"))
        if m is None or n is None:  # open: the text can only say so
            return Call(
                "comm", (Name(str(resolve(e.options["m"]))), Name(str(resolve(e.options["n"]))))
            )
        return Call("comm", (_num(m), _num(n)))
    sizes = [_size(d) for d in e.shape] if e.shape else [1, 1]  # 1×1: a scalar, made so
    known = all(s is not None for s in sizes)
    if e.name == "eye":
        scaled = Call("eye", (_num(sizes[0]),) if known else ())  # type: ignore[arg-type]
        return scaled if fill == 1 else Binary("*", _num(fill), scaled)
    if e.name == "vector":
        return Call("vector", (_num(fill), *((_num(sizes[0]),) if known else ())))  # type: ignore[arg-type]
    return Call("matrix", (_num(fill), *(tuple(_num(s) for s in sizes) if known else ())))  # type: ignore[arg-type]


def _scalar_first(k: Node, product: Node) -> Node:
    """k * (P * Q) as (k * P) * Q: the scalar joins the first factor of a matrix product."""
    if isinstance(product, Binary) and product.op == "*":
        return Binary("*", _scalar_first(k, product.left), product.right)
    return Binary("*", k, product)


def _product(left: Node, right: Node, products: set[int]) -> Node:
    """A·(B·C) printed as A*B*C: the matrix product is associative, and the text reads as
    written. Only a matrix product is opened (``products`` holds the ids of their trees): in
    A·((xᵀy)·z) the scalar xᵀy·z is not, and A*x'*y*z would read A*x' first."""
    if isinstance(right, Binary) and right.op == "*" and id(right) in products:
        out = Binary("*", _product(left, right.left, products), right.right)
    else:
        out = Binary("*", left, right)
    products.add(id(out))
    return out


_ELEMENTWISE = {"multiply": (".*", "*"), "divide": ("./", "/"), "power": (".^", "^")}


def to_tree(e: Expression) -> Node:
    """The parser's tree for an expression (iteratively built: deep graphs print too)."""
    trees: dict[object, Node] = {}
    products: set[int] = set()  # ids of the matrix products' trees (see _product)
    for n in e.nodes():
        if n.is_variable:
            trees[n.key] = Name(n.name)
            continue
        if n.is_constant:
            trees[n.key] = _constant(n)
            continue
        assert n.op is not None
        args = [trees[a.key] for a in n.args]
        kind, sym = n.op.syntax or ("call", n.op.name)
        if n.op.name in _ELEMENTWISE:
            matrix_op, scalar_op = _ELEMENTWISE[n.op.name]
            scalar = (
                n.args[1].is_scalar
                if n.op.name != "multiply"
                else (n.args[0].is_scalar or n.args[1].is_scalar)
            )
            if n.op.name == "power" and not n.args[0].is_scalar:
                scalar = False  # X.^2 stays elementwise: X^2 would be the matrix power
            if scalar and n.op.name == "multiply" and n.args[0].is_scalar:
                trees[n.key] = _scalar_first(args[0], args[1])
                continue
            trees[n.key] = Binary(scalar_op if scalar else matrix_op, args[0], args[1])
        elif n.op.name == "matmul":
            trees[n.key] = _product(args[0], args[1], products)
        elif kind == "infix":
            trees[n.key] = Binary(sym, args[0], args[1])
        elif kind == "prefix":
            trees[n.key] = Unary(sym, args[0])
        elif kind == "postfix":
            trees[n.key] = Transpose(args[0])
        else:
            extra = [
                _num(v)
                for k, v in n.options.items()
                if v is not None and v != n.op.options.get(k, None)
            ]
            trees[n.key] = Call(sym, (*args, *extra))
    return trees[e.key]


def to_text(e: Expression) -> str:
    """The expression as text of the language.

    >>> from jacobians.expressions import Variable
    >>> A, x, y = Variable("A", (2, 3)), Variable("x", (3,)), Variable("y", (2,))
    >>> print(2 * (A.T @ (A @ x - y)))
    2*A'*(A*x - y)
    """
    register_functions()  # an operation registered since the last call prints as a call too
    return print_tree(to_tree(e))


ACTIONS["text"] = to_text
