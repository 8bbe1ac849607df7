"""The README's first command and its tour, run as a newcomer would: the `cascade` commands in
order, in a fresh directory beside the shared documents (only `cascade serve` is left out)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
SHARED = ROOT.parent / "shared"
CASCADE = Path(sys.executable).with_name("cascade")

pytestmark = pytest.mark.slow


def shell_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def first_command(text: str) -> list[list[str]]:
    """The `cascade ...` parts of the README's first command (after the install steps)."""
    parts = [shlex.split(p) for p in shell_blocks(text)[0].replace("\\\n", " ").split("&&")]
    return [p for p in parts if p and p[0] == "cascade"]


def tour(text: str) -> list[list[str]]:
    block = shell_blocks(text[text.index("## A short tour"):])[0]
    lines = [shlex.split(line, comments=True) for line in block.splitlines()]
    return [line for line in lines if line and line[0] == "cascade" and line[1:2] != ["serve"]]


def run(args: list[str], cwd: Path, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([str(CASCADE), *args[1:]], cwd=cwd, env=env, input=stdin, text=True,
                          capture_output=True, timeout=120)


def launch_reviewed(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`--review` asks one question per unsettled item, then for confirmation: leave each
    item out (Enter) and confirm. Too few Enters leave a question unanswered, too many refuse
    the confirmation; either way nothing is written, so try until the launch goes through."""
    for enters in range(15):
        result = run(args, cwd, env, "\n" * enters + "y\n")
        assert "Traceback" not in result.stderr, result.stderr
        if result.returncode == 0 and "Đã khởi chạy" in result.stdout:
            return result
    raise AssertionError(f"{shlex.join(args)} did not launch:\n{result.stdout}\n{result.stderr}")


@pytest.mark.skipif(not SHARED.exists(), reason="../shared (the shared documents) is not beside the checkout")
def test_the_readme_tour_runs_in_order_in_a_fresh_directory(tmp_path):
    """Every command of the tour exits 0 with no traceback, after the README's first command."""
    text = README.read_text(encoding="utf-8")
    work = tmp_path / "main"
    work.mkdir()
    (work / "templates").symlink_to(ROOT / "templates")
    (tmp_path / "shared").symlink_to(SHARED)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASCADE_")}
    env["CASCADE_HOME"] = str(work / ".cascade")  # the checkout's own, as the default is
    env["COLUMNS"] = "80"
    commands = first_command(text) + tour(text)
    assert len(commands) > 20 and ["cascade", "init"] in commands
    for args in commands:
        if "--review" in args:
            result = launch_reviewed(args, work, env)
        elif "--password-stdin" in args:  # the account's password, as a script gives it
            result = run(args, work, env, "mật-khẩu-đủ-dài-2026\n")
        else:
            result = run(args, work, env)
        assert result.returncode == 0 and "Traceback" not in result.stderr, (
            f"{shlex.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        assert "already" not in result.stdout and "Lỗi" not in result.stderr, shlex.join(args)
    assert (work / "draft.yaml").exists() and (work / "bao-cao.docx").exists()
    assert len(list((work / ".cascade" / "outbox").glob("*.eml"))) > 83
