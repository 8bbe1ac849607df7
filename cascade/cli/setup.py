"""`cascade init` and `cascade bodies`: the database and the registry of bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from cascade.cli.common import FormatOpt, app_of, check_format, fail, guard, out, print_json, table

if TYPE_CHECKING:
    from cascade.bootstrap import App

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
    from models.vocabulary import BODY_KIND, body_kind_label

    check_format(format)
    app = app_of(ctx)
    reg = app.registry
    kinds = sorted({b.kind for b in reg.bodies.values()})
    if kind is not None and kind not in kinds and kind != "group":
        listing = ", ".join(f"{k} ({BODY_KIND.get(k, k)})" for k in kinds)
        fail(f"--kind {kind!r}: không có loại này; các loại: {listing}, group (nhóm)")
    if missing_email:
        _missing_email(app, kind, format)
        return
    bodies_ = [b for b in reg.bodies.values() if kind in (None, b.kind)]
    groups = list(reg.groups.values()) if kind in (None, "group") else []
    if format == "json":
        print_json({
            "bodies": [{"id": b.id, "name": b.name, "kind": b.kind, "kind_label": body_kind_label(b.kind),
                        "parent": b.parent, "aliases": list(b.aliases),
                        "abbreviations": list(b.abbreviations)} for b in bodies_],
            "groups": [{"id": g.id, "name": reg.label(g.id), "members": reg.expand(g.id),
                        "closed": g.closed, "placeholder": g.placeholder} for g in groups],
        })
        return
    console = out()
    if bodies_:
        table_ = _bodies_table(f"Đơn vị ({len(bodies_)})")
        for b in bodies_:
            table_.add_row(b.name, body_kind_label(b.kind), b.id)
        console.print(table_)
    if groups:
        gtable = table(f"Nhóm ({len(groups)})", ("Tên", {"ratio": 3, "no_wrap": False}),
                       ("Số đơn vị", {"justify": "right"}), ("Ghi chú", {"ratio": 1, "no_wrap": False}),
                       ("Mã", {"style": "dim", "ratio": 2, "no_wrap": False, "overflow": "fold"}))
        for g in groups:
            note = "chưa xác định, điều phối chọn" if g.placeholder else (
                "" if not reg.is_open(g.id) else "có thể chưa đủ")
            gtable.add_row(reg.label(g.id), str(len(reg.expand(g.id))), note, g.id)
        console.print(gtable)


def _missing_email(app: App, kind: str | None, fmt: str) -> None:
    from models.vocabulary import body_kind_label

    contacts = app.contacts
    missing = [b for b in app.registry.bodies.values()
               if kind in (None, b.kind) and not contacts.of(b.id)]
    if fmt == "json":
        print_json({"contacts": str(contacts.path), "example": contacts.is_example,
                    "missing": [{"id": b.id, "name": b.name, "kind": b.kind} for b in missing]})
        return
    console = out()
    if not missing:
        console.print(f"Mọi đơn vị đều có địa chỉ e-mail trong {contacts.path}.")
        return
    table_ = _bodies_table(f"Đơn vị chưa có địa chỉ e-mail trong {contacts.path} ({len(missing)})")
    for b in missing:
        table_.add_row(b.name, body_kind_label(b.kind), b.id)
    console.print(table_)


def _bodies_table(title: str) -> Any:
    """Name (wrapped), kind, and the id in a dim column for the commands that take it."""
    return table(title, ("Tên", {"ratio": 3, "no_wrap": False}), ("Loại", {"ratio": 2, "no_wrap": False}),
                 ("Mã", {"style": "dim", "ratio": 2, "no_wrap": False, "overflow": "fold"}))


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
                console.print(f"  {i:>3}. {m['name']} [dim]({m['id']})[/]")
