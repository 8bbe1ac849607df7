#!/usr/bin/env python3
"""Check that requirements.lock still matches pyproject.toml.

The lock pins every package of `.[test,dev]` to one version for Python 3.11 on Linux x86_64;
CI and the README's install use it as pip constraints (`pip install -c requirements.lock -e
".[test,dev]"`). It is generated (and regenerated after a change to pyproject.toml) with uv,
which keeps the versions already pinned in the lock where they still fit:

    pip install uv
    uv pip compile pyproject.toml --extra test --extra dev --python-version 3.11 \\
        --python-platform x86_64-unknown-linux-gnu -o requirements.lock

(`--upgrade-package NAME` moves one package, `--upgrade` all of them.) This script fails when
a dependency is declared twice, when a declared dependency (or one its declared extras bring
in, as far as the running environment knows them) is missing from the lock, when its pinned
version is outside the declared range, or when a lock line is not an exact `name==version`.
Usage: python .ci/check_lock.py [ROOT]; exit 0 and "ok" when they match, 1 and one line per
problem otherwise.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

EXTRAS = ("test", "dev")
# The platform the lock is for: markers are evaluated against it.
ENVIRONMENT = {"python_version": "3.11", "python_full_version": "3.11.0", "sys_platform": "linux",
               "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix",
               "implementation_name": "cpython", "platform_python_implementation": "CPython"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)\s*$")


def declared(pyproject: Path) -> tuple[list[Requirement], list[str]]:
    """The requirements of the project and of its test and dev extras; duplicates found."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    groups = {"dependencies": project.get("dependencies", [])}
    groups.update({f"[{extra}]": project.get("optional-dependencies", {}).get(extra, [])
                   for extra in EXTRAS})
    requirements: list[Requirement] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for group, lines in groups.items():
        for line in lines:
            requirement = Requirement(line)
            name = canonicalize_name(requirement.name)
            if name in seen:
                problems.append(f"pyproject.toml: {name} is declared twice: "
                                f"{seen[name]} and {line!r} ({group})")
            seen[name] = f"{line!r} ({group})"
            requirements.append(requirement)
    return requirements, problems


def pinned(lock: Path) -> tuple[dict[str, Version], list[str]]:
    """The lock's `name==version` lines by canonical name; lines that are not such a pin."""
    pins: dict[str, Version] = {}
    problems: list[str] = []
    for number, raw in enumerate(lock.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = PIN.match(line)
        if match is None:
            problems.append(f"{lock.name}:{number}: not an exact pin: {line!r}")
            continue
        name = canonicalize_name(match[1])
        if name in pins:
            problems.append(f"{lock.name}:{number}: {match[1]} is pinned twice")
        pins[name] = Version(match[2])
    return pins, problems


def applies(requirement: Requirement, extra: str = "") -> bool:
    return requirement.marker is None or requirement.marker.evaluate({**ENVIRONMENT, "extra": extra})


def extra_requirements(requirement: Requirement, locked: Version | None) -> list[Requirement]:
    """What the requirement's extras (e.g. psycopg[binary]) add, read from the installed
    distribution's metadata; nothing when the version installed here is not the locked one."""
    if not requirement.extras or locked is None:
        return []
    try:
        if Version(metadata.version(requirement.name)) != locked:
            return []
        lines = metadata.requires(requirement.name) or []
    except metadata.PackageNotFoundError:
        return []
    found = []
    for line in lines:
        dependency = Requirement(line)
        if dependency.marker is not None and any(
                applies(dependency, extra) and not applies(dependency) for extra in requirement.extras):
            found.append(dependency)
    return found


def problems(root: Path) -> list[str]:
    if not (root / "pyproject.toml").exists():
        return [f"{root}: no pyproject.toml"]
    requirements, found = declared(root / "pyproject.toml")
    lock = root / "requirements.lock"
    if not lock.exists():
        return [*found, "requirements.lock is missing"]
    pins, bad_lines = pinned(lock)
    found += bad_lines
    for requirement in requirements:
        if not applies(requirement):
            continue
        extras = extra_requirements(requirement, pins.get(canonicalize_name(requirement.name)))
        for needed, why in [(requirement, "declared in pyproject.toml"),
                            *((d, f"needed by {requirement}") for d in extras)]:
            version = pins.get(canonicalize_name(needed.name))
            if version is None:
                found.append(f"requirements.lock: {needed.name} ({why}) is not pinned")
            elif not needed.specifier.contains(version, prereleases=True):
                found.append(f"requirements.lock: {needed.name}=={version} is outside "
                             f"{needed.specifier} ({why})")
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    found = problems(root)
    for problem in found:
        print(problem)
    if found:
        print("fix pyproject.toml or regenerate the lock: see .ci/check_lock.py's docstring")
        return 1
    print("ok: requirements.lock matches pyproject.toml")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
