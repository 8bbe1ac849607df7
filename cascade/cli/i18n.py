"""Typer's own words in Vietnamese: usage errors, the help page's headings, prompts.

Typer carries its own copy of Click (`typer._click`) whose messages are English f-strings,
and reports a value that does not convert with Pydantic's English message; its own module
(`typer.core`) writes headings through `gettext`. All three are replaced here: the
exceptions' `show`/`format_message`, the usage prefix and the help option's text by
Vietnamese versions, the gettext names by the catalogue below. A message this module does not
know stays as it is; the CLI tests assert the Vietnamese of the common ones, so an upgrade of
Typer that moves them is noticed.
"""

from __future__ import annotations

import re
from typing import IO, Any

HELP_TEXT = "Hiện trợ giúp này rồi thoát."
GETTEXT = {
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Arguments": "Tham số",
    "required": "bắt buộc",
    "default: {default}": "mặc định: {default}",
    "env var: {var}": "biến môi trường: {var}",
    "(dynamic)": "(tùy lúc chạy)",
    "Aborted!": "Đã hủy, không ghi gì.",
    "Missing command.": "Thiếu lệnh.",
    "No such command {name!r}.": "không có lệnh {name!r}.",
}
# Messages built elsewhere in Typer, matched whole: (pattern, Vietnamese).
MESSAGES = (
    (r"không có lệnh (.+?)\. Did you mean (.+)\?", r"không có lệnh \1; có phải \2?"),
    (r"No such option: (\S+)", r"không có tùy chọn \1"),
    (r"Got unexpected extra arguments? \((.*)\)", r"thừa tham số (\1)"),
    (r"Option (.+) requires an argument\.", r"tùy chọn \1 cần một giá trị"),
    (r"Option (.+) requires (\d+) arguments\.", r"tùy chọn \1 cần \2 giá trị"),
    (r"Option (.+) does not take a value\.", r"tùy chọn \1 không nhận giá trị"),
    (r"Argument (.+) takes (\d+) values\.", r"tham số \1 nhận \2 giá trị"),
    (r"Value (.+) is not a valid (.+)\.", r"\1 không phải giá trị hợp lệ"),
    (r"Missing command\.", "thiếu lệnh"),
)
PARAM_TYPES = {"argument": "tham số", "option": "tùy chọn", "parameter": "tham số"}
# Pydantic's error types, for a value Typer could not convert.
PYDANTIC = {
    "int_parsing": "cần một số nguyên",
    "int_from_float": "cần một số nguyên",
    "int_type": "cần một số nguyên",
    "float_parsing": "cần một số",
    "bool_parsing": "cần đúng/sai (true/false)",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "greater_than": "phải lớn hơn {gt}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "less_than": "phải nhỏ hơn {lt}",
    "date_from_datetime_parsing": "cần một ngày có thật",
    "date_parsing": "cần một ngày có thật",
    "enum": "chọn một trong {expected}",
    "literal_error": "chọn một trong {expected}",
}


def translate(message: str) -> str:
    text = message.strip()
    for pattern, replacement in MESSAGES:
        if re.fullmatch(pattern, text):
            return re.sub(pattern, replacement, text)
    return text


def pydantic_message(exc: Any) -> str:
    """A Pydantic ValidationError, as Typer reports it, in Vietnamese."""
    parts = []
    for error in exc.errors():
        text = PYDANTIC.get(error.get("type", ""), error.get("msg", ""))
        try:
            text = text.format(**(error.get("ctx") or {}))
        except (KeyError, IndexError):
            pass
        parts.append(text)
    return "; ".join(parts)


def _hint(exc: Any) -> str:
    hint = getattr(exc, "param_hint", None)
    param = getattr(exc, "param", None)
    if hint is None and param is not None:
        hint = param.get_error_hint()
    if hint is not None and not isinstance(hint, str):
        hint = " / ".join(repr(x) for x in hint)
    return hint or ""


def format_message(exc: Any) -> str:
    """The Vietnamese message of one of Typer's usage errors."""
    from typer._click import exceptions as ex

    if isinstance(exc, ex.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
        return f"thiếu {PARAM_TYPES.get(kind, kind)} {_hint(exc)}".rstrip()
    if isinstance(exc, ex.BadParameter):
        hint = _hint(exc)
        detail = translate(exc.message)
        return f"giá trị không hợp lệ cho {hint}: {detail}" if hint else f"giá trị không hợp lệ: {detail}"
    if isinstance(exc, ex.NoSuchOption):
        text = translate(exc.message)
        if exc.possibilities:
            text += f" (có phải {', '.join(sorted(exc.possibilities))}?)"
        return text
    if isinstance(exc, ex.FileError):
        return f"không mở được tệp {exc.ui_filename!r}: {exc.message}"
    return translate(exc.message)


def _show_usage_error(self: Any, file: IO[Any] | None = None) -> None:
    from typer._click._compat import get_text_stderr
    from typer._click.utils import echo

    file = file or get_text_stderr()
    if self.ctx is not None:
        hint = ""
        if self.ctx.command.get_help_option(self.ctx) is not None:
            hint = (f"Xem '{self.ctx.command_path} {self.ctx.help_option_names[0]}' để được "
                    "hướng dẫn.\n")
        echo(f"{self.ctx.get_usage()}\n{hint}", file=file, color=self.ctx.color)
    echo(f"Lỗi: {format_message(self)}", file=file, color=self.ctx.color if self.ctx else None)


def _show_error(self: Any, file: IO[Any] | None = None) -> None:
    from typer._click._compat import get_text_stderr
    from typer._click.utils import echo

    echo(f"Lỗi: {format_message(self)}", file=file or get_text_stderr())


_installed = False


def install() -> None:
    """Put the Vietnamese in place of Typer's English (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    import typer.core
    from typer._click import core, exceptions, formatting

    typer.core._ = lambda message: GETTEXT.get(message, message)  # type: ignore[attr-defined]
    exceptions.UsageError.show = _show_usage_error  # type: ignore[method-assign]
    exceptions.ClickException.show = _show_error  # type: ignore[method-assign]

    write_usage = formatting.HelpFormatter.write_usage

    def vietnamese_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, "Cách dùng: " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = vietnamese_usage  # type: ignore[method-assign]
    get_help_option = core.Command.get_help_option

    def vietnamese_help_option(self: Any, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    core.Command.get_help_option = vietnamese_help_option  # type: ignore[method-assign]
    try:
        import typer._coercion as coercion
    except ImportError:
        return
    if hasattr(coercion, "get_error_msg"):
        coercion.get_error_msg = pydantic_message
