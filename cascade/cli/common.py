"""What every command shares: the App of the invocation, output, errors, parsing of dates.

No Typer here (the read commands run without it: cascade/cli/reads.py), and rich and the
domain are imported when a command runs, so `cascade --help` starts fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

if TYPE_CHECKING:
    import typer
    from rich.console import Console

    from cascade.bootstrap import App

F = TypeVar("F", bound=Callable[..., Any])
EXIT_USAGE = 2
EXIT_BUSY = 75  # EX_TEMPFAIL: try again later
EXIT_UNEXPECTED = 70  # EX_SOFTWARE


def app_of(ctx: typer.Context) -> App:
    """The App of this invocation: given by the caller (tests, `main`), else built from the
    environment and closed when the command ends."""
    root = ctx.find_root()
    if root.obj is None:
        from cascade.bootstrap import build_app

        root.obj = build_app()
        root.call_on_close(root.obj.close)
    return root.obj


def out() -> Console:
    """Standard output: tables wrap their text to the terminal (80 columns when it is unknown);
    sentences are not cut by inserted line breaks (the terminal wraps them)."""
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal and not os.environ.get("COLUMNS"):
        console.width = 80
    return console


def err() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error in Vietnamese on stderr and exit non-zero."""
    from rich.markup import escape

    err().print(f"[bold red]Lỗi:[/] {escape(safe_text(message))}", markup=True)
    raise SystemExit(code)


def safe_text(text: str) -> str:
    """Text from a document or a database shown on a terminal: control characters (an escape
    sequence that clears the screen, a bell) become visible, never act."""
    return "".join(ch if ch in "\n\t" or ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def check_format(fmt: str, allowed: tuple[str, ...] = ("table", "json")) -> None:
    if fmt not in allowed:
        fail(f"--format {fmt!r}: chọn một trong {', '.join(allowed)}", EXIT_USAGE)


def moment(app: App, value: str | None, option: str = "--at") -> dt.datetime:
    """An option's instant; without an offset it is read in the deployment's time zone."""
    if value is None:
        return app.clock()
    from models.vocabulary import parse_moment

    try:
        return parse_moment(value, app.tz)
    except ValueError as exc:
        fail(f"{option} {value!r}: {exc}", EXIT_USAGE)


def date_option(value: str | None, option: str) -> dt.date | None:
    """A date option written 30/11/2026 or 2026-11-30."""
    if value is None:
        return None
    from models.vocabulary import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        fail(f"{option} {value!r}: {exc}", EXIT_USAGE)


def known_body(app: App, body: str | None, option: str) -> None:
    """Refuse a body id the registry does not know, with the nearest ones."""
    if body is not None and body not in app.registry.bodies:
        near = app.registry.suggest(body)
        fail(f"{option} {body!r}: không có đơn vị này" + (f" (có phải {', '.join(near)}?)" if near
                                                         else "; xem `cascade bodies`"))


def guard(func: F) -> F:
    """Turn the domain's errors into a clear message and a non-zero exit. The error classes are
    imported only when an error happens: a command pays for the modules it uses, no more."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            known = domain_error(exc)
            if known is None:
                raise
            fail(*known)

    return wrapper  # type: ignore[return-value]


def domain_error(exc: Exception) -> tuple[str, int] | None:
    """(message, exit code) for an error a user can act on; None for a bug."""
    import sqlalchemy.exc

    from cascade.bootstrap import UnsafeSettings
    from config.settings import SettingsError
    from models.calendar import CalendarError
    from models.contacts import ContactsError
    from models.db import DatabaseBusy, DatabaseError, is_busy
    from models.directives import NotFound
    from models.policy import PolicyError
    from models.registry import RegistryError
    from models.scheme import SchemeError
    from models.template import TemplateError

    if isinstance(exc, DatabaseBusy) or (isinstance(exc, sqlalchemy.exc.DBAPIError) and is_busy(exc)):
        return str(DatabaseBusy()), EXIT_BUSY
    if isinstance(exc, TemplateError):
        return "mẫu không hợp lệ:\n" + "\n".join(f"  {p}" for p in exc.problems), 1
    if isinstance(exc, SettingsError | RegistryError | CalendarError | DatabaseError | ContactsError
                  | PolicyError | UnsafeSettings | NotFound | SchemeError):
        return str(exc), 1
    return None


def unexpected_error_log(exc: BaseException) -> str:
    """Write the traceback of an unforeseen error to a file of its own; its path."""
    import tempfile
    import traceback

    fd, path = tempfile.mkstemp(prefix="cascade-loi-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(traceback.format_exception(exc)))
    return path

