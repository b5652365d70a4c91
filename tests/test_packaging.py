"""What pyproject.toml installs beside the code: the PEP 561 marker of every package, and the
files the checkout ignores (README's commands create .venv in it)."""

import importlib.util
from pathlib import Path

import pytest

from tests.test_layers import LAYERS

ROOT = Path(__file__).resolve().parent.parent
tomllib = pytest.importorskip("tomllib" if importlib.util.find_spec("tomllib") else "tomli")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("package", LAYERS)
def test_every_package_is_typed_and_installs_its_marker(package):
    assert (ROOT / package / "py.typed").is_file()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"][package]


def test_the_packages_found_are_the_layers():
    found = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    assert sorted(p.rstrip("*") for p in found) == sorted(LAYERS)


def test_the_virtual_environment_is_ignored():
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".venv/" in lines


def test_the_commonmark_parser_is_a_test_requirement():
    test_extra = PYPROJECT["project"]["optional-dependencies"]["test"]
    assert any(r.startswith("markdown-it-py>=") for r in test_extra)
