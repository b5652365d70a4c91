"""`jacobians derive --values`: one loader (inline JSON, .json, .npz) for the named tables and for
expressions; each bad array refused on one line that names it."""

import json

import numpy as np
import pytest

from derivations import cli
from derivations._cmd_derive import source_arguments
from derivations._cmd_io import error_line
from derivations._values import load_values
from reshape import InputError

POINT = {"W": [[0.5, -1.0], [2.0, 0.3]], "x": [1.0, 2.0], "y": [0.0, 1.0]}


def _main(capsys, *args):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# ----- the loader -----


@pytest.mark.parametrize("form", ["inline", ".json", ".npz"])
def test_the_three_forms_load_the_same_arrays(tmp_path, form):
    if form == "inline":
        spec = json.dumps(POINT)
    elif form == ".json":
        spec = tmp_path / "point.json"
        spec.write_text(json.dumps(POINT))
    else:
        spec = tmp_path / "point.npz"
        np.savez(spec, **{k: np.array(v) for k, v in POINT.items()})
    got = load_values(str(spec))
    assert sorted(got) == sorted(POINT)
    for k, v in POINT.items():
        assert got[k].dtype == np.float64
        np.testing.assert_array_equal(got[k], v)


def test_integers_and_scalars_load_as_floats():
    got = load_values('{"a": 2, "x": [1, 2]}')
    assert got["a"].shape == () and got["a"] == 2.0 and got["x"].dtype == np.float64


def _npz(tmp_path, **arrays):
    path = tmp_path / "v.npz"
    np.savez(path, **arrays)
    return str(path)


@pytest.mark.parametrize(
    "make, arg, needle",
    [
        (lambda p: '{"W": [[1, 2], [3]]}', "W", "ragged nested lists"),
        (lambda p: '{"W": [["a", 2], [3, 4]]}', "W", "Received text"),
        (lambda p: '{"W": [[null, 2]]}', "W", "null"),
        (lambda p: '{"W": [[true]]}', "W", "true/false"),
        (lambda p: '{"W": []}', "W", "non-empty"),
        (lambda p: '{"W": [[1, 2]', "inline JSON", "invalid JSON"),
        (lambda p: "[1, 2]", "inline JSON", "Received a list"),
        (lambda p: _npz(p, W=np.array([[np.inf]])), "W", "infinite"),
        (lambda p: _npz(p, W=np.array([1j])), "W", "complex"),
        (lambda p: _npz(p, W=np.array(["a"])), "W", "text"),
    ],
)
def test_bad_arrays_are_one_line_naming_the_array(tmp_path, make, arg, needle):
    with pytest.raises(InputError) as info:
        load_values(make(tmp_path))
    assert (info.value.op, info.value.arg) == ("--values", arg)
    line = error_line(info.value)
    assert "\n" not in line and needle in line, line


def test_bad_files_are_one_line_naming_the_file(tmp_path):
    (tmp_path / "v.npz").write_text("not an archive")
    np.save(tmp_path / "one.npy", np.ones(2))
    (tmp_path / "one.npy").rename(tmp_path / "one.npz")
    (tmp_path / "v.json").write_text('"just text"')
    for spec, needle in [
        (tmp_path / "missing.json", "no such file"),
        (tmp_path / "values.csv", "a file ending in .csv"),
        (tmp_path / "v.npz", "a file numpy cannot read as one"),
        (tmp_path / "one.npz", "a single array of shape (2,)"),
        (tmp_path / "v.json", "Received a str"),
    ]:
        with pytest.raises(InputError) as info:
            load_values(str(spec))
        line = error_line(info.value)
        assert "\n" not in line and needle in line and str(spec) in line, line


def test_each_table_takes_its_own_names():
    W, x = np.ones((2, 2)), np.ones(2)
    assert source_arguments("layer", {"W": W, "x": x}) == {"W": W, "x": x}
    assert source_arguments("mlp", {"W1": W, "b2": x, "t": x}) == {
        "t": x,
        "params": {"W1": W, "b2": x},
    }
    for source, name in [("layer", "W1"), ("softmax", "t"), ("mlp", "W"), ("mlp", "y")]:
        with pytest.raises(InputError, match=f"an array named '{name}'"):
            source_arguments(source, {name: W})


# ----- the command -----


def test_derive_at_inline_values(capsys):
    code, out, err = _main(capsys, "derive", "--values", json.dumps(POINT))
    assert code == 0 and err == ""
    assert out.startswith("∂C/∂W for z = Wx + b, a = σ(z), C = ½‖a − y‖² (n = 2, m = 2)")
    assert "inputs (W, x, y given; b drawn with seed 0):" in out
    assert "W (2×2, given) =" in out and "x (2, given) = [ 1  2 ]ᵀ" in out


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_derive_at_a_values_file(capsys, tmp_path, suffix):
    path = tmp_path / f"point{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(POINT))
    else:
        np.savez(path, **{k: np.array(v) for k, v in POINT.items()})
    code, out, _ = _main(capsys, "derive", "--values", str(path), "--seed", "3", "-f", "json")
    doc = json.loads(out)
    assert code == 0 and doc["sizes"] == {"n": 2, "m": 2}
    origins = {v["argument"]: v["origin"] for v in doc["values"] if v["role"] == "input"}
    assert origins == {"W": "given", "x": "given", "b": "drawn", "y": "given"}
    W, x, y = (np.array(POINT[k]) for k in "Wxy")
    b = np.array(next(v["value"] for v in doc["values"] if v["name"] == "b"))
    a = 1 / (1 + np.exp(-(W @ x + b)))
    np.testing.assert_allclose(doc["gradient"], np.outer((a - y) * a * (1 - a), x), rtol=1e-12)


def test_derive_mlp_reads_the_widths_off_the_parameters(capsys, tmp_path):
    path = tmp_path / "net.npz"
    np.savez(
        path, W1=np.eye(2), b1=np.zeros(2), W2=np.ones((1, 2)), b2=np.zeros(1), x=[1, 2], t=[0]
    )
    code, out, _ = _main(
        capsys, "derive", "mlp", "--activations", "identity,identity", "--values", str(path),
        "--wrt", "W2", "-f", "json",
    )  # fmt: skip
    doc = json.loads(out)
    assert code == 0 and doc["sizes"] == {"l₀": 2, "l₁": 2, "l₂": 1}
    assert doc["gradient"] == [[3.0, 6.0]]  # y⁽²⁾ = 3 = δ⁽²⁾, y⁽¹⁾ = x = (1, 2)


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--values", '{"V": [1]}'], "Expected arrays the layer table takes: W, x, b, y"),
        (["softmax", "--values", '{"t": [1]}'], "an array named 't'"),
        (["mlp", "--values", '{"y": [1]}'], "W1, b1, W2, b2, …, x, t"),
        (["--values", '{"W": [[1, 2]], "x": [1, 2, 3]}'], "single_layer: bad argument 'x'"),
        (["--n", "3", "--values", '{"W": [[1, 2]]}'], "n = 1, the number of rows of W"),
        (["--values", '{"W": [[1, 2], [3]]}'], "ragged"),
        (["--values", '{"W": [["a"]]}'], "--values: bad argument 'W'"),
        (["--values", "nothing.json"], "no such file"),
        (["mlp", "--sizes", "2,3,1", "--values", '{"W1": [[1, 2]]}'], "sizes[1]"),
        (["softmax", "--shape", "x=3"], "--shape applies to an expression"),
    ],
)
def test_bad_values_are_one_line_and_exit_2(capsys, args, needle):
    code, out, err = _main(capsys, "derive", *args)
    assert code == 2 and out == "", err
    assert err.startswith("jacobians derive: error:") and len(err.strip().splitlines()) == 1
    assert needle in err, err


def test_expressions_read_values_with_the_same_loader(capsys):
    values = json.dumps({"A": [[1, 2], [3, 4]], "x": [1, -1]})
    code, out, _ = _main(capsys, "derive", "x'*A*x", "--wrt", "x", "--values", values, "-f", "json")
    doc = json.loads(out)
    assert code == 0 and [i["drawn"] for i in doc["inputs"]] == ["given", "given"]
    A, x = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, -1.0])
    np.testing.assert_allclose(np.ravel(doc["gradient"]), (A + A.T) @ x)
    code, _, err = _main(capsys, "derive", "x'*A*x", "--wrt", "x", "--values", '{"A": [[1, "b"]]}')
    assert code == 2 and "--values: bad argument 'A'" in err


def test_the_documented_relu_command_has_a_live_gradient(capsys):
    code, out, _ = _main(capsys, "derive", "--activation", "relu", "--n", "2", "--m", "3")
    lines = out.splitlines()
    at = lines.index("gradient ∂C/∂W (2×3):")
    assert code == 0 and "Degenerate" not in out
    assert any(float(v) != 0 for line in lines[at + 1 : at + 3] for v in line.strip("[ ]").split())


def test_a_dead_point_given_on_the_command_line_is_said(capsys):
    dead = json.dumps({"W": [[-1, -2, 0.5], [0.5, -1, -1]], "x": [1, 1, 1], "b": [0, 0]})
    for fmt, needle in [
        ("text", "Degenerate point. No unit of the layer (relu) is active"),
        ("markdown", "**Degenerate point.**"),
        ("json", '"kind": "inactive_layer"'),
    ]:
        code, out, _ = _main(capsys, "derive", "--activation", "relu", "--values", dead, "-f", fmt)
        assert code == 0 and needle in out
