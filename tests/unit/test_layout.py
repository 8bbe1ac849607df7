"""The shape of the house: one composition root, one clock, layers that import one way, and
modules that hold one idea."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

PRODUCT = ("cascade", "config", "models", "services", "reports", "notifications", "ingest", "web",
           "flows")
# package -> the packages it may import (besides itself and the standard library / PyPI)
ALLOWED = {
    "config": set(),
    "models": {"config"},
    "ingest": {"models", "config"},
    "reports": {"models", "config"},
    "notifications": {"models", "config"},
    # the drafter is an adapter the review service calls, as reports are for summaries
    "services": {"models", "config", "reports", "ingest"},
    "web": {"models", "config", "services", "cascade"},
    "flows": {"models", "config", "services", "cascade"},
    "cascade": set(PRODUCT) - {"flows"},
}


def product_files() -> list[Path]:
    return sorted(p for package in PRODUCT for p in (ROOT / package).rglob("*.py"))


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found & set(PRODUCT)


def test_settings_are_loaded_only_in_the_composition_root():
    """`load_settings(` appears in config/ and cascade/bootstrap.py only."""
    offenders = [str(p.relative_to(ROOT)) for p in product_files()
                 if "load_settings(" in p.read_text(encoding="utf-8")
                 and p.parts[len(ROOT.parts)] != "config" and p.name != "bootstrap.py"]
    assert offenders == []


def test_the_clock_is_read_in_one_place():
    """`datetime.now` appears only in the real clock (cascade/bootstrap.py)."""
    now = re.compile(r"\b(dt\.)?datetime\.now\(|\bdate\.today\(|time\.time\(\)")
    offenders = [str(p.relative_to(ROOT)) for p in product_files()
                 if now.search(p.read_text(encoding="utf-8")) and p.name != "bootstrap.py"]
    assert offenders == []


@pytest.mark.parametrize("path", product_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_layers_import_one_way(path):
    """models <- services <- {cli, web, flows}; notifications and reports are adapters."""
    package = path.parts[len(ROOT.parts)]
    wrong = imported_packages(path) - ALLOWED[package] - {package}
    assert wrong == set(), f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


@pytest.mark.parametrize("path", product_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_holds_one_idea(path):
    """No product module over 400 lines: past that it holds more than one idea."""
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400
