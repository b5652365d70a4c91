"""`jacobians.__version__`, `jacobians --version` and `python -m jacobians`: all read from what
pyproject.toml declares, through the installed metadata."""

import importlib.util
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

import jacobians
from jacobians import __main__ as main_module
from jacobians import _distribution

ROOT = Path(__file__).resolve().parents[2]
tomllib = pytest.importorskip("tomllib" if importlib.util.find_spec("tomllib") else "tomli")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _installed():
    try:
        return version("jacobians")
    except PackageNotFoundError:
        pytest.skip("the jacobians distribution is not installed")


def test_version_is_the_installed_distributions():
    assert jacobians.__version__ == _installed() == PYPROJECT["version"]
    assert "__version__" not in jacobians.__all__  # a module attribute, not an export


def test_an_unknown_attribute_is_still_an_error():
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        jacobians.nope  # noqa: B018


@pytest.fixture
def not_installed(monkeypatch):
    """As in a source checkout on PYTHONPATH that pip never installed: no metadata."""

    def missing(name):
        raise PackageNotFoundError(name)

    monkeypatch.setattr(_distribution, "distribution", missing)


@pytest.mark.usefixtures("not_installed")
def test_without_metadata_the_version_is_unknown_and_the_module_says_to_install(capsys):
    assert _distribution.installed_version() == "0+unknown"
    assert _distribution.command_entry() is None
    assert main_module.main() == 2
    assert "pip install" in capsys.readouterr().err


def test_the_entry_point_is_the_console_scripts():
    _installed()
    entry = _distribution.command_entry()
    assert (entry.group, entry.name, entry.value) == (
        "console_scripts",
        "jacobians",
        PYPROJECT["scripts"]["jacobians"],
    )


def _run(*args, cwd):
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_python_m_jacobians_is_the_command(tmp_path):
    """From another directory, so the installed package is what runs."""
    _installed()
    r = _run("-m", "jacobians", "--version", cwd=tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (0, f"jacobians {jacobians.__version__}\n", "")
    a = _run("-m", "jacobians", "derive", "--format", "json", cwd=tmp_path)
    b = _run("-m", "derivations", "derive", "--format", "json", cwd=tmp_path)
    assert a.returncode == 0 and a.stdout == b.stdout and a.stdout.startswith("{")
    r = _run("-m", "jacobians", "derive", "--format", "xml", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith("jacobians derive: error: argument")


def test_the_console_script_prints_the_version(tmp_path):
    script = Path(sys.executable).with_name("jacobians")
    if not script.exists():
        pytest.skip(f"no console script next to {sys.executable} (package not installed)")
    r = subprocess.run([str(script), "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert r.stdout == f"jacobians {_installed()}\n"
