"""Values that grow with a product of sizes (an outer product, a Kronecker product, a diagonal
matrix) are weighed against the one memory limit before they are made, as Jacobians are."""

import numpy as np
import pytest

import jacobians as J
from jacobians import DenseLimitError, parse


@pytest.mark.parametrize(
    ("op", "call"),
    [
        ("kron", lambda: J.kron(np.ones((3000, 3000)), np.ones((20, 20)))),
        ("diag", lambda: J.diag(np.ones(30000))),
        ("matmul", lambda: J.matmul(np.ones((30000, 1)), np.ones((1, 30000)))),
        (
            "matmul",
            lambda: parse("x*y'", ["x=20000", "y=20000"]).evaluate(
                {"x": np.ones(20000), "y": np.ones(20000)}
            ),
        ),
        (
            "kron",
            lambda: parse("kron(x, y)", ["x=30000", "y=30000"]).evaluate(
                {"x": np.ones(30000), "y": np.ones(30000)}
            ),
        ),
    ],
)
def test_a_value_past_the_limit_is_refused_before_it_is_made(op, call):
    with pytest.raises(DenseLimitError, match=rf"^{op}: its value, a dense") as info:
        call()
    assert info.value.needed > info.value.limit == J.dense_limit()


def test_the_limit_is_the_sessions_and_a_product_no_larger_than_its_arguments_is_not_weighed():
    previous = J.set_dense_limit(4096)
    try:
        with pytest.raises(DenseLimitError, match="diag"):
            J.diag(np.ones(23))  # 23² · 8 = 4232 bytes
        assert J.diag(np.ones(22)).value.shape == (22, 22)  # 3872 bytes
        big = np.ones((40, 40))  # 12,800 bytes each: arguments past the limit exist already
        assert J.matmul(big, big).value.shape == (40, 40)
    finally:
        J.set_dense_limit(previous)
