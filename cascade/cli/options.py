"""Typer options several commands share."""

from __future__ import annotations

from typing import Annotated

import typer

FormatOpt = Annotated[str, typer.Option("--format", help="table hoặc json")]
AtOpt = Annotated[str | None, typer.Option(
    "--at", help="Thời điểm, ví dụ 30/11/2026 17:00 hoặc 2026-11-30T17:00+07:00 (mặc định: bây giờ)")]
