"""The worked derivations in derivations/*.md are exactly what derivations.worked generates.

If this fails after an intended change, regenerate them with
`python -m derivations.worked --output-dir derivations` and review the diff.
"""

import subprocess
import sys

import pytest

from derivations import worked

REGENERATE = "python -m derivations.worked --output-dir derivations"


@pytest.fixture(scope="module")
def generated():
    return worked.documents()


@pytest.mark.parametrize("name", worked.FILES)
def test_worked_derivation_is_up_to_date(generated, name):
    path = worked.HERE / name
    assert path.exists(), f"{path} is missing: run {REGENERATE}"
    assert path.read_text(encoding="utf-8") == generated[name], (
        f"{name} is stale: run {REGENERATE} and review the diff"
    )


def test_worked_derivations_say_what_they_must(generated):
    one, three, soft = (generated[n] for n in worked.FILES)
    for doc in (one, three, soft):
        for phrase in ("Numerator layout", "Row-major vec", "shaped like the parameter"):
            assert phrase in doc
    # the prose's underscores are escaped for Markdown (test_markdown_render reads them back)
    assert "1×n · n×n · n×nm = 1×nm → n×m" in one and r"I\_n ⊗ xᵀ" in one
    assert "is transposed" in three and "`.T`" in three
    assert three.count("**∂C/∂") == 3  # the three backprop equations
    assert "**i = j**" in soft and "**i ≠ j**" in soft and "(a − y)ᵀ" in soft
    for doc in (one, three, soft):  # every check in the documents passed
        assert "FAILED" not in doc and "| ok |" in doc


def test_worked_derivations_cite_no_document_the_reader_lacks(generated):
    """A slip is said in words; "numerator layout" names a Jacobian's layout only."""
    for name, doc in generated.items():
        for phrase in ("write-up", "Lemma", "numerator-layout", "the seeds"):
            assert phrase not in doc, f"{name} says {phrase!r}"


def test_main_writes_the_files_into_the_directory_it_is_told(tmp_path, monkeypatch):
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()
    monkeypatch.chdir(here)
    assert worked.main(["--output-dir", str(there)]) == 0
    assert sorted(p.name for p in there.iterdir()) == sorted(worked.FILES)
    assert list(here.iterdir()) == []


def test_main_without_a_directory_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        worked.main([])
    assert stop.value.code == 2 and "--output-dir" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_main_refuses_a_missing_directory(tmp_path, capsys):
    assert worked.main(["--output-dir", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expected an existing directory" in err
    assert list(tmp_path.iterdir()) == []


def test_check_says_what_is_stale_and_writes_nothing(tmp_path, generated, capsys):
    for name, text in generated.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert worked.main(["--output-dir", str(tmp_path), "--check"]) == 0
    (tmp_path / worked.FILES[0]).write_text("old", encoding="utf-8")
    (tmp_path / worked.FILES[1]).unlink()
    capsys.readouterr()
    assert worked.main(["--output-dir", str(tmp_path), "--check"]) == 1
    err = capsys.readouterr().err
    assert f"{worked.FILES[0]}: stale" in err and f"{worked.FILES[1]}: missing" in err
    assert (tmp_path / worked.FILES[0]).read_text(encoding="utf-8") == "old"
    assert not (tmp_path / worked.FILES[1]).exists()


def test_the_module_honours_help(tmp_path):
    """`python -m derivations.worked --help` prints the usage and writes nothing."""
    run = subprocess.run(
        [sys.executable, "-m", "derivations.worked", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0 and "--output-dir DIR" in run.stdout and "--check" in run.stdout
    assert list(tmp_path.iterdir()) == []
