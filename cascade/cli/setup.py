"""`cascade init` and `cascade bodies`: the database and the registry of bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from cascade.cli import reads
from cascade.cli.common import app_of, check_format, fail, guard, out, print_json
from cascade.cli.options import FormatOpt

if TYPE_CHECKING:
    pass

bodies_app = typer.Typer(help="Đơn vị và nhóm đơn vị trong sổ đăng ký.", invoke_without_command=True)


@guard
def init(
    ctx: typer.Context,
    admin: Annotated[str | None, typer.Option(
        "--admin", help="E-mail của điều phối viên đầu tiên: tạo tài khoản trang quản trị")] = None,
    name: Annotated[str, typer.Option("--name", help="Họ tên người quản trị đầu tiên")] = "Điều phối viên",
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Đọc mật khẩu từ đầu vào chuẩn (với --admin)")] = False,
) -> None:
    """Tạo hoặc nâng cấp cơ sở dữ liệu và nạp sổ đăng ký đơn vị (config/bodies.yaml)."""
    from services.setup import initialise

    app = app_of(ctx)
    password = None
    if admin is not None:
        from cascade.cli.users import read_password
        from services.accounts import AccountError, check_password, normalise_email

        try:
            normalise_email(admin)
            password = read_password(password_stdin)
            check_password(password)
        except AccountError as exc:
            fail(str(exc))
    result = initialise(engine=app.engine, registry=app.registry, contacts=app.contacts,
                        at=app.clock())
    console = out()
    url = app.engine.url.render_as_string(hide_password=True)
    if result.before is None:
        console.print(f"Đã tạo cơ sở dữ liệu {url} (phiên bản {result.after}).")
    elif result.before != result.after:
        console.print(f"Đã nâng cấp cơ sở dữ liệu {url}: {result.before} → {result.after}, dữ liệu "
                      "giữ nguyên.")
    else:
        console.print(f"Cơ sở dữ liệu {url} đã ở phiên bản mới nhất ({result.after}).")
    sync, reg = result.sync, app.registry
    console.print(f"Sổ đăng ký: {len(reg.bodies)} đơn vị, {len(reg.groups)} nhóm (thêm {sync.added}, "
                  f"cập nhật {sync.updated}, giữ nguyên {sync.unchanged}).")
    if sync.not_in_file:
        console.print(f"Có trong cơ sở dữ liệu nhưng không còn trong {app.settings.registry_path}: "
                      f"{', '.join(sync.not_in_file)} (giữ lại vì nhiệm vụ có thể tham chiếu).")
    for notice in result.notices:
        console.print(f"Lưu ý: {notice}")
    contacts = app.contacts
    if contacts.is_example:
        console.print(f"Địa chỉ e-mail: dùng tệp mẫu {contacts.path} (example.org) vì chưa có "
                      f"{app.settings.contacts_path}.")
    else:
        console.print(f"Địa chỉ e-mail: {contacts.path} ({len(contacts.addresses)} đơn vị).")
    if admin is not None and password is not None:
        _first_admin(ctx, admin, name, password)


def _first_admin(ctx: typer.Context, email: str, name: str, password: str) -> None:
    """The first coordinator; an existing account of that e-mail is left as it is."""
    from cascade.cli.users import add_user
    from models.db import unit_of_work
    from services.accounts import find_user

    app = app_of(ctx)
    with unit_of_work(app.engine, write=False) as session:
        exists = find_user(session, email) is not None
    if exists:
        out().print(f"Tài khoản {email.strip().lower()} đã có: giữ nguyên (đổi mật khẩu: "
                    "`cascade users reset-password`).")
        return
    add_user(ctx, email, name, "coordinator", password)


@bodies_app.callback()
@guard
def bodies(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option("--kind", help="Lọc theo loại đơn vị (mã loại, "
                                             "ví dụ provincial_federation)")] = None,
    missing_email: Annotated[bool, typer.Option(
        "--missing-email", help="Chỉ các đơn vị chưa có địa chỉ e-mail")] = False,
    format: FormatOpt = "table",
) -> None:
    """Liệt kê đơn vị và nhóm; `cascade bodies resolve TÊN` cho biết một nhóm gồm những ai."""
    if ctx.invoked_subcommand is not None:
        return
    reads.bodies(app_of(ctx), kind=kind, missing_email=missing_email, format=format)


@bodies_app.command("resolve")
@guard
def bodies_resolve(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Tên, tên viết tắt hoặc mã đơn vị/nhóm")],
    format: FormatOpt = "table",
) -> None:
    """Cho biết một tên ứng với đơn vị nào; với nhóm, liệt kê các đơn vị nhận việc."""
    check_format(format)
    reg = app_of(ctx).registry
    refs = reg.lookup(name)
    if not refs:
        fail(f"không tìm thấy {name!r} trong sổ đăng ký; xem `cascade bodies`")
    result: list[dict[str, Any]] = [
        {"id": ref, "name": reg.label(ref), "group": ref in reg.groups,
         "members": [{"id": m, "name": reg.label(m)} for m in reg.expand(ref)]} for ref in refs]
    if format == "json":
        print_json(result)
        return
    console = out()
    for item in result:
        what = "nhóm" if item["group"] else "đơn vị"
        console.print(f"{name!r} → {what} {item['name']} ({item['id']}): "
                      f"{len(item['members'])} đơn vị nhận việc")
        if item["group"]:
            group = reg.groups[item["id"]]
            if group.placeholder:
                console.print("  Nhóm chưa xác định: điều phối viên chọn đơn vị cụ thể khi giao việc.")
            elif reg.is_open(item["id"]):
                console.print("  Lưu ý: danh sách thành viên có thể chưa đủ.")
            for i, m in enumerate(item["members"], 1):
                console.print(f"  {i:>3}. {m['name']} ({m['id']})", markup=False)
