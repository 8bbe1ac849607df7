"""The `cascade` command line. Start-up stays light: every command imports what it needs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="directive-cascade: giao việc theo văn bản chỉ đạo, theo dõi, đôn đốc.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """directive-cascade: giao việc theo văn bản chỉ đạo, theo dõi, đôn đốc."""


@app.command()
def draft(
    doc: Annotated[Path, typer.Argument(help="Văn bản chỉ đạo (.txt, .md, .docx)")],
    format: Annotated[str, typer.Option("--format", help="yaml hoặc json")] = "yaml",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Ghi ra tệp")] = None,
) -> None:
    """Soạn mẫu giao việc từ chính văn bản chỉ đạo."""
    from ingest.command import run_draft

    raise typer.Exit(run_draft(doc, fmt=format, output=output))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
