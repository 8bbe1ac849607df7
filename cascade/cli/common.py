"""What every command shares: the App from Typer's context, output, errors, common options.

Imports stay light (rich and the domain are imported when a command runs), so `cascade --help`
starts fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from cascade.bootstrap import App

F = TypeVar("F", bound=Callable[..., Any])

FormatOpt = Annotated[str, typer.Option("--format", help="table hoặc json")]
AtOpt = Annotated[str | None, typer.Option(
    "--at", help="Thời điểm, ví dụ 30/11/2026 17:00 hoặc 2026-11-30T17:00+07:00 (mặc định: bây giờ)")]
EXIT_USAGE = 2


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

    return Console(stderr=True, highlight=False)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error in Vietnamese on stderr and exit non-zero."""
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, highlight=False).print(f"[bold red]Lỗi:[/] {escape(safe_text(message))}",
                                                markup=True, soft_wrap=True)
    raise typer.Exit(code)


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
    """Turn the domain's errors into a clear message and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from cascade.bootstrap import UnsafeSettings
        from config.settings import SettingsError
        from models.calendar import CalendarError
        from models.contacts import ContactsError
        from models.db import DatabaseError
        from models.directives import NotFound
        from models.policy import PolicyError
        from models.registry import RegistryError
        from models.scheme import SchemeError
        from models.template import TemplateError

        try:
            return func(*args, **kwargs)
        except TemplateError as exc:
            fail("mẫu không hợp lệ:\n" + "\n".join(f"  {p}" for p in exc.problems))
        except SchemeError as exc:
            fail(str(exc))
        except (SettingsError, RegistryError, CalendarError, DatabaseError, ContactsError,
                PolicyError, UnsafeSettings, NotFound) as exc:
            fail(str(exc))

    return wrapper  # type: ignore[return-value]


def table(title: str, *columns: str | tuple[str, dict[str, Any]]) -> Any:
    """A rich table that fits 80 columns: light borders, and the columns named with options
    ({"ratio": 1} wraps that column's text) share what is left."""
    from rich import box
    from rich.table import Table

    made = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                 show_edge=False, expand=False)
    for column in columns:
        name, options = (column, {}) if isinstance(column, str) else column
        made.add_column(name, **({"no_wrap": True} | options))
    return made
