"""The `cascade` command line.

`main()` runs a plain read command (`status`, `history`, `outbox`) straight away
(cascade/cli/reads.py) and everything else through the Typer application
(cascade/cli/application.py), built only then. Every command gets the App of the process
(built lazily from the environment); tests pass their own through
`CliRunner.invoke(app, args, obj=App)`.
"""

from __future__ import annotations

import sys
from typing import Any

from cascade.cli.common import EXIT_UNEXPECTED, err, safe_text, unexpected_error_log
from cascade.cli.reads import fast_path


def __getattr__(name: str) -> Any:
    if name == "app":  # `from cascade.cli import app`: the Typer application
        from cascade.cli.application import app

        return app
    raise AttributeError(name)


def _typer_app() -> Any:
    given = globals().get("app")
    return given if given is not None else __getattr__("app")


def main() -> None:
    """The `cascade` command: anything a command did not foresee becomes a message and a log
    file, never a traceback on the user's terminal."""
    try:
        if not fast_path(sys.argv[1:]):
            _typer_app()()
    except KeyboardInterrupt:
        err().print("Đã dừng (Ctrl+C).")
        raise SystemExit(130) from None
    except BrokenPipeError:  # `cascade status | head`: the reader has what it wanted
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(0) from None
    except Exception as exc:  # the last line of defence
        log = unexpected_error_log(exc)
        err().print(f"Lỗi không lường trước ({type(exc).__name__}): {safe_text(str(exc))[:300]}\n"
                    f"Chưa có gì được ghi thêm ngoài những gì lệnh đã báo. Chi tiết kỹ thuật ở {log}; "
                    "xin gửi tệp này cho người quản trị.", markup=False)
        raise SystemExit(EXIT_UNEXPECTED) from None


if __name__ == "__main__":
    main()
