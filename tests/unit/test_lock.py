"""The lock file: every dependency declared once in pyproject.toml, pinned in requirements.lock
to one version inside its declared range (.ci/check_lock.py, run by CI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHECK = ROOT / ".ci" / "check_lock.py"

PYPROJECT = """\
[project]
name = "x"
version = "0"
dependencies = [
    "typer>=0.29,<0.30",
    "psycopg[binary]>=3.1,<4",
    "tomli>=2; python_version < '3.11'",
]

[project.optional-dependencies]
test = ["pytest>=8,<10"]
dev = ["ruff>=0.17,<0.18"]
"""
LOCK = """\
# a comment
typer==0.29.3
    # via x
psycopg==3.3.9
psycopg-binary==3.3.9
pytest==9.2.0
ruff==0.17.6
"""


def check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECK), str(root)], capture_output=True, text=True,
                          timeout=60)


def project(tmp_path: Path, pyproject: str = PYPROJECT, lock: str | None = LOCK) -> Path:
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    if lock is not None:
        (tmp_path / "requirements.lock").write_text(lock, encoding="utf-8")
    return tmp_path


def test_the_repository_lock_matches_its_pyproject():
    result = check(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: requirements.lock matches pyproject.toml" in result.stdout


def test_the_lock_pins_the_versions_the_tests_run_with():
    """Every pin of the lock that is installed here is the installed version (the tested set)."""
    from importlib import metadata

    from packaging.utils import canonicalize_name

    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    pins = [line.split("==") for line in (ROOT / "requirements.lock").read_text().splitlines()
            if "==" in line and not line.startswith((" ", "#"))]
    assert len(pins) > 100
    differ = {name: (version, installed[canonicalize_name(name)]) for name, version in pins
              if canonicalize_name(name) in installed and installed[canonicalize_name(name)] != version}
    assert differ == {}


def test_a_lock_that_fits_passes(tmp_path):
    result = check(project(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("pyproject", "lock", "expected"), [
    (PYPROJECT.replace('"typer>=0.29,<0.30",', '"typer>=0.29,<0.30",\n    "Typer>=0.12",'), LOCK,
     "typer is declared twice"),
    (PYPROJECT.replace("typer>=0.29,<0.30", "typer>=0.30"), LOCK,
     "requirements.lock: typer==0.29.3 is outside >=0.30"),
    (PYPROJECT, LOCK.replace("ruff==0.17.6\n", ""),
     "requirements.lock: ruff (declared in pyproject.toml) is not pinned"),
    (PYPROJECT, LOCK.replace("pytest==9.2.0", "pytest>=9"),
     "requirements.lock:6: not an exact pin: 'pytest>=9'"),
    (PYPROJECT, LOCK + "typer==0.29.2\n", "typer is pinned twice"),
    (PYPROJECT, None, "requirements.lock is missing"),
])
def test_a_lock_that_does_not_fit_fails_and_says_why(tmp_path, pyproject, lock, expected):
    result = check(project(tmp_path, pyproject, lock))
    assert result.returncode == 1
    assert expected in result.stdout
    assert "Traceback" not in result.stderr


def test_an_extra_brings_in_what_it_needs(tmp_path):
    """psycopg[binary] needs psycopg-binary pinned too (read from the installed psycopg)."""
    from importlib import metadata

    pytest.importorskip("psycopg")
    lock = LOCK.replace("psycopg-binary==3.3.9\n", "").replace("3.3.9", metadata.version("psycopg"))
    result = check(project(tmp_path, lock=lock))
    assert result.returncode == 1
    assert "psycopg-binary (needed by psycopg[binary]" in result.stdout
