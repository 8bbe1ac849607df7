"""`cascade users`: the console's accounts (coordinators, supervisors, viewers)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cascade.cli.common import app_of, check_format, fail, guard, out, print_json
from cascade.cli.options import FormatOpt
from cascade.cli.tables import show, table

users_app = typer.Typer(help="Tài khoản trang quản trị (điều phối viên, lãnh đạo, người xem).",
                        no_args_is_help=True)

NameOpt = Annotated[str, typer.Option("--name", help="Họ tên, ví dụ \"Nguyễn Văn A\"")]
RoleOpt = Annotated[str, typer.Option("--role", help="coordinator, supervisor hoặc viewer")]
StdinOpt = Annotated[bool, typer.Option(
    "--password-stdin", help="Đọc mật khẩu từ dòng đầu của đầu vào chuẩn (cho script)")]


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or typed twice at the terminal."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("--password-stdin: đầu vào chuẩn không có mật khẩu")
        return password
    if not sys.stdin.isatty():
        fail("không có terminal để nhập mật khẩu: dùng --password-stdin")
    return str(typer.prompt("Mật khẩu (ít nhất 12 ký tự)", hide_input=True,
                            confirmation_prompt="Nhập lại mật khẩu"))


def add_user(ctx: typer.Context, email: str, name: str, role: str, password: str) -> None:
    from models.db import unit_of_work
    from models.vocabulary import USER_ROLE
    from services.accounts import AccountError, create_user

    app = app_of(ctx)
    try:
        with unit_of_work(app.ready_engine()) as session:
            user = create_user(session=session, email=email, name=name, role=role,
                               password=password, at=app.clock())
    except AccountError as exc:
        fail(str(exc))
    out().print(f"Đã tạo tài khoản {user.email} ({user.name}, {USER_ROLE[user.role]}). Đăng nhập "
                f"tại {app.settings.base_url}/login sau khi chạy `cascade serve`.")


@users_app.command("add")
@guard
def add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="Địa chỉ e-mail dùng để đăng nhập")],
    name: NameOpt,
    role: RoleOpt = "viewer",
    password_stdin: StdinOpt = False,
) -> None:
    """Tạo tài khoản; mật khẩu nhập từ terminal hoặc --password-stdin."""
    from services.accounts import AccountError, check_password, check_role, normalise_email

    try:  # refuse a bad e-mail or role before asking for a password
        normalise_email(email)
        check_role(role)
        password = read_password(password_stdin)
        check_password(password)
    except AccountError as exc:
        fail(str(exc))
    add_user(ctx, email, name, role, password)


@users_app.command("list")
@guard
def list_(ctx: typer.Context, format: FormatOpt = "table") -> None:
    """Liệt kê tài khoản: e-mail, họ tên, vai trò, còn dùng được hay không."""
    from models.db import unit_of_work
    from models.vocabulary import USER_ROLE, short_date
    from services.accounts import list_users

    check_format(format)
    app = app_of(ctx)
    with unit_of_work(app.ready_engine(), write=False) as session:
        users = list_users(session=session)
    if format == "json":
        print_json([{"email": u.email, "name": u.name, "role": u.role,
                     "role_label": USER_ROLE.get(u.role, u.role), "active": u.active,
                     "created_at": u.created_at.isoformat()} for u in users])
        return
    listing = table(f"Tài khoản ({len(users)})", ("E-mail", {"ratio": 3, "overflow": "fold"}),
                    ("Họ tên", {"ratio": 3, "no_wrap": False}),
                    ("Vai trò", {"ratio": 2, "no_wrap": False}), "Trạng thái", "Tạo ngày")
    for u in users:
        listing.add_row(u.email, u.name, USER_ROLE.get(u.role, u.role),
                        "dùng được" if u.active else "đã khóa",
                        short_date(app.today(u.created_at)))
    show(listing)


@users_app.command("disable")
@guard
def disable(ctx: typer.Context, email: Annotated[str, typer.Argument(help="E-mail")]) -> None:
    """Khóa tài khoản: không đăng nhập được nữa, các phiên đang mở kết thúc ngay."""
    from models.db import unit_of_work
    from services.accounts import AccountError, disable_user

    app = app_of(ctx)
    try:
        with unit_of_work(app.ready_engine()) as session:
            user = disable_user(session=session, email=email)
    except AccountError as exc:
        fail(str(exc))
    out().print(f"Đã khóa tài khoản {user.email}; các phiên đang mở đã kết thúc.")


@users_app.command("reset-password")
@guard
def reset(ctx: typer.Context, email: Annotated[str, typer.Argument(help="E-mail")],
          password_stdin: StdinOpt = False) -> None:
    """Đặt mật khẩu mới (mở lại tài khoản đã khóa); các phiên đang mở kết thúc."""
    from models.db import unit_of_work
    from services.accounts import AccountError, reset_password

    app = app_of(ctx)
    password = read_password(password_stdin)
    try:
        with unit_of_work(app.ready_engine()) as session:
            user = reset_password(session=session, email=email, password=password, at=app.clock())
    except AccountError as exc:
        fail(str(exc))
    out().print(f"Đã đặt mật khẩu mới cho {user.email}.")
