"""The read commands answer the same through the fast way in (no Typer) as through Typer."""

from __future__ import annotations

import contextlib
import io

import pytest

from cascade.cli import reads
from tests.conftest import TEMPLATE_48

DAYS = ["--deadline", "III.1=12-15", "--deadline", "III.2=12-15"]


@pytest.fixture
def launched(cli):
    cli("launch", TEMPLATE_48, *DAYS, "--at", "2023-07-20T09:00")
    cli("task", 20, "acknowledge", "--by", "ldld_ha_noi", "--note", "Đã nhận")
    return cli


def fast(app, argv, monkeypatch):
    """Run argv through reads.fast_path on `app` (as main() does, but on the test's App)."""
    monkeypatch.setattr("cascade.bootstrap.build_app", lambda: contextlib.nullcontext(app))
    monkeypatch.setenv("COLUMNS", "80")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert reads.fast_path(argv)
    return buffer.getvalue()


@pytest.mark.parametrize("argv", [
    ["status", "48-KH/ĐĐTLĐ"], ["status", "48-kh/ddtld", "--format", "json"],
    ["status", "--body=ldld_ha_noi", "--at", "2023-11-28 09:00"], ["history", "20"],
    ["history", "20", "--format", "json"], ["outbox", "--limit", "5"],
    ["outbox", "--failed", "--format", "json"], ["bodies"], ["bodies", "--kind", "group"],
    ["bodies", "--missing-email", "--format", "json"], ["bodies", "--kind=party_body"],
])
def test_fast_and_typer_say_the_same(launched, argv, monkeypatch):
    """Every plain read command line gives the same output both ways."""
    assert fast(launched.app, argv, monkeypatch) == launched(*argv).stdout


@pytest.mark.parametrize("argv", [
    ["status", "--help"], ["status", "-h"], ["status", "--bogus"], ["status", "a", "b"],
    ["history"], ["outbox", "--limit", "x"], ["outbox", "--format"], ["task", "1", "start"],
    ["launch", "x.yaml"], [], ["bodies", "resolve", "Hà Nội"],
])
def test_anything_else_goes_to_typer(argv):
    """Help, errors and the other commands are left to Typer, which explains them."""
    assert reads.parse(argv) is None

