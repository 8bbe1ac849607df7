"""The `cascade` command line: one Typer app, its commands in the modules of this package.

`main()` gives every command the App of the process (built lazily from the environment);
tests pass their own through `CliRunner.invoke(app, args, obj=App)`.
"""

from __future__ import annotations

import typer

from cascade.cli import follow, launching, mail, report, serve, setup, tasks
from cascade.cli.common import EXIT_UNEXPECTED, err, safe_text, unexpected_error_log
from cascade.cli.i18n import install as _install_vietnamese  # noqa: I001

_install_vietnamese()

app = typer.Typer(
    help="directive-cascade: giao việc theo văn bản chỉ đạo, theo dõi, đôn đốc.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["--help", "-h"]},
)


@app.callback()
def _root() -> None:
    """directive-cascade: giao việc theo văn bản chỉ đạo, theo dõi, đôn đốc."""


app.command()(setup.init)
app.add_typer(setup.bodies_app, name="bodies")
app.command()(launching.draft)
app.command()(launching.launch)
app.command()(tasks.status)
app.command()(tasks.task)
app.command()(tasks.history)
app.command()(follow.sweep)
app.command()(follow.digest)
app.command()(mail.dispatch)
app.command()(mail.outbox)
app.command()(report.report)
app.command()(serve.serve)


def main() -> None:
    """The `cascade` command: anything a command did not foresee becomes a message and a log
    file, never a traceback on the user's terminal."""
    try:
        app()
    except KeyboardInterrupt:
        err().print("Đã dừng (Ctrl+C).")
        raise SystemExit(130) from None
    except Exception as exc:  # the last line of defence
        log = unexpected_error_log(exc)
        err().print(f"Lỗi không lường trước ({type(exc).__name__}): {safe_text(str(exc))[:300]}\n"
                    f"Chưa có gì được ghi thêm ngoài những gì lệnh đã báo. Chi tiết kỹ thuật ở {log}; "
                    "xin gửi tệp này cho người quản trị.", markup=False)
        raise SystemExit(EXIT_UNEXPECTED) from None


if __name__ == "__main__":
    main()
