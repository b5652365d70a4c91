"""The declared dependency ranges have floors that `.ci/floors` can pin, and CI runs it.

`.ci/floors` installs every requirement of pyproject.toml at its `>=` bound (read by
`.ci/floor_pins.py`) and runs the suite there; these tests keep that possible: a requirement
without a plain lower bound would otherwise be left at its newest version without notice.
"""

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
tomllib = pytest.importorskip("tomllib" if importlib.util.find_spec("tomllib") else "tomli")


def _load_floor_pins():
    spec = importlib.util.spec_from_file_location("floor_pins", ROOT / ".ci" / "floor_pins.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


floor_pins = _load_floor_pins()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_declared_requirement_has_a_floor():
    runtime = floor_pins.pins(PYPROJECT)
    build = floor_pins.pins(PYPROJECT, build=True)
    declared = floor_pins.requirements(PYPROJECT) + floor_pins.requirements(PYPROJECT, build=True)
    names = {p.split("==")[0] for p in runtime + build}
    assert names | floor_pins.NOT_PINNED >= {floor_pins.floor(r)[0] for r in declared}
    assert {"numpy", "einops", "pytest", "hypothesis", "setuptools"} <= names
    assert "ruff" not in names  # lint runs once, at the newest versions


def test_pins_are_the_declared_lower_bounds():
    pyproject = {
        "project": {
            "dependencies": ["numpy>=1.24", "einops >= 0.6.1"],
            "optional-dependencies": {"test": ["pytest>=7", "ruff>=0.5"]},
        },
        "build-system": {"requires": ["setuptools>=70.1"]},
    }
    assert floor_pins.pins(pyproject) == ["numpy==1.24", "einops==0.6.1", "pytest==7"]
    assert floor_pins.pins(pyproject, build=True) == ["setuptools==70.1"]


@pytest.mark.parametrize(
    "requirement",
    ["numpy", "numpy<3", "numpy>=1.24,<3", "numpy==1.26.4", "numpy>=1.24; python_version<'3.13'"],
)
def test_a_requirement_without_a_plain_floor_is_refused(requirement):
    with pytest.raises(ValueError, match=re.escape(repr(requirement))):
        floor_pins.floor(requirement)


def test_ci_runs_the_floors_after_readmes_command():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme_step = run.index('bash -euo pipefail -c "$cmd"')
    assert run.index("bash .ci/floors", readme_step) > readme_step
