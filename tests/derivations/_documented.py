"""The documented commands whose tables every format must render well: README's examples, the
commands' --help examples, and small and large sizes of each source (the LaTeX and Markdown
tests render each of them)."""

TR = "tr(A*X'*B*X*C)"
COMMANDS: dict[str, list[str]] = {
    "catalog": ["catalog"],
    "derive": ["derive"],
    "derive-matrices": ["derive", "--n", "2", "--m", "3", "--matrices"],
    "derive-wide-matrices": ["derive", "--n", "4", "--m", "8", "--matrices"],
    "derive-row-matrices": ["derive", "--n", "1", "--m", "48", "--matrices"],
    "derive-tanh-b": ["derive", "--activation", "tanh", "--wrt", "b"],
    "derive-relu": ["derive", "--activation", "relu", "--n", "2", "--m", "3"],
    "derive-leaky-relu": ["derive", "--activation", "leaky_relu", "--matrices"],
    "derive-large": ["derive", "--n", "120", "--m", "200"],  # the numeric check is skipped
    "derive-tall-gradient": ["derive", "--n", "100", "--m", "1"],
    "softmax": ["derive", "softmax", "--n", "4", "--m", "3"],
    "softmax-matrices": ["derive", "softmax", "--matrices"],
    "mlp": ["derive", "mlp", "--sizes", "2,3,3,1", "--activations", "tanh,tanh,identity"],
    "mlp-matrices": ["derive", "mlp", "--sizes", "2,3,3,1", "--wrt", "W1", "--matrices"],
    "mlp-deep": ["derive", "mlp", "--sizes", "3,4,4,4,4,4,2", "--wrt", "W1", "--matrices"],
    "mlp-large": ["derive", "mlp", "--sizes", "784,256,10", "--wrt", "W1"],
    "mlp-softmax": ["derive", "mlp", "--sizes", "2,3,2", "--loss", "softmax_cross_entropy"],
    "expression": ["derive", "x'*A*x", "--wrt", "x"],
    "expression-trace": ["derive", TR, "--wrt", "X", "--shape", "X=3x4", "--shape", "A=4x4"],
    "expression-readme": ["derive", TR, "--wrt", "X", "--shape", "A=2x2", "--shape", "X=3x2"],
    "expression-norm": ["derive", "norm2(A*x - y)^2", "--wrt", "x"],
    "expression-matrices": [
        *("derive", "A*X*B", "--wrt", "X", "--matrices"),
        *("--shape", "A=2x3", "--shape", "X=3x4", "--shape", "B=4x2"),
    ],
    "expression-logdet": ["derive", "log(det(X))", "--wrt", "X"],
    # a long path, 12 nodes: its table wraps rather than overflowing the page
    "expression-long": ["derive", "tr(A*X'*B*X*C*D*X*E*X'*F)", "--wrt", "X"],
    # names of letters, digits and underscores: one subscript each, the rest escaped
    "expression-names": ["derive", "norm2(W_in*h_prev - y_target)^2", "--wrt", "h_prev"],
    "expression-double-underscore": ["derive", "x_a_b'*x_a_b", "--wrt", "x_a_b"],
    "expression-digit-names": ["derive", "W_1_2*x", "--wrt", "W_1_2"],
    "expression-trailing-underscore": ["derive", "x_'*x_", "--wrt", "x_"],
    "network-readme": [
        *("derive", "network", "--layers"),
        "residual(layernorm,attention:4),residual(layernorm,dense:16:relu,dense:8)",
    ],
    "verify-names": ["verify", "x_a_b'*x_a_b", "--wrt", "x_a_b", "--claimed", "x_a_b"],
    "verify-match": ["verify", TR, "--wrt", "X", "--claimed", "B'*X*A'*C' + B*X*C*A"],
    "verify-slip": ["verify", TR, "--wrt", "X", "--claimed", "B*X*A'*C' + B*X*C*A"],
}
# The exit status each command must end with, where it is not 0 (a slip found: 1).
EXIT = {"verify-slip": 1, "verify-names": 1}
