"""The lowest versions pyproject.toml declares, one `name==version` pin a line, for `.ci/floors`.

Every runtime dependency, every extra's and the build backend must be written `name>=version`
(that lower bound is the floor the floor run installs); anything else is refused, so a range that
cannot be pinned is never silently left at its newest.

    python .ci/floor_pins.py            # the runtime dependencies and every extra's
    python .ci/floor_pins.py --build    # the build backend's (build-system.requires)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: tomllib is 3.11+
    import tomli as tomllib

# Tools the floor run does not use: lint runs once, at the newest versions, in README's command.
NOT_PINNED = frozenset({"ruff"})

FLOOR = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*>=\s*([0-9][0-9A-Za-z.]*)\s*$")


def floor(requirement: str) -> tuple[str, str]:
    """(name, lowest version) of a requirement written `name>=version`.

    >>> floor("numpy>=1.24")
    ('numpy', '1.24')
    >>> floor("numpy<3")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: .ci/floor_pins.py: requirement 'numpy<3' must be ... to have a floor
    """
    m = FLOOR.match(requirement)
    if m is None:
        raise ValueError(
            f".ci/floor_pins.py: requirement {requirement!r} must be 'name>=version' "
            "to have a floor"
        )
    return m.group(1), m.group(2)


def requirements(pyproject: dict, build: bool = False) -> list[str]:
    """The requirements whose floors are pinned: the build backend's, or the runtime and extras'."""
    if build:
        return list(pyproject["build-system"]["requires"])
    project = pyproject["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    return reqs


def pins(pyproject: dict, build: bool = False) -> list[str]:
    """`name==floor` for each requirement, in pyproject's order, without the unused tools."""
    out = []
    for req in requirements(pyproject, build):
        name, version = floor(req)
        if name.lower() not in NOT_PINNED:
            out.append(f"{name}=={version}")
    return out


def main(argv: list[str]) -> int:
    path = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        found = pins(tomllib.loads(path.read_text(encoding="utf-8")), "--build" in argv)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    print("\n".join(found))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
