"""`cascade contacts import FILE`: the bodies' e-mail addresses from a spreadsheet
(services/contacts_import.py), with a dry run and a template to fill."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cascade.cli.common import app_of, fail, guard, out

if TYPE_CHECKING:
    from cascade.bootstrap import App

contacts_app = typer.Typer(help="Địa chỉ e-mail của các đơn vị.", no_args_is_help=True)


@contacts_app.command("import")
@guard
def import_contacts(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Bảng tính .xlsx hoặc .csv: mã hoặc tên đơn vị, "
                                               "e-mail, điện thoại, người liên hệ")],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Chỉ cho xem thay đổi, không ghi gì")] = False,
    template: Annotated[bool, typer.Option(
        "--template", help="Ghi ra FILE một bảng tính mẫu: mỗi đơn vị một dòng để điền")] = False,
) -> None:
    """Nhập địa chỉ e-mail của các đơn vị từ bảng tính; một dòng sai thì không ghi gì."""
    from cascade.cli.tables import show, table
    from services import contacts_import as ci

    app = app_of(ctx)
    registry, current = app.registry, app.contacts
    try:
        if template:
            count = ci.write_template(file, registry, current)
            out().print(f"Đã ghi bảng tính mẫu {file}: {count} đơn vị, điền cột E-mail (nhiều "
                        "địa chỉ cách nhau bằng dấu phẩy), rồi chạy `cascade contacts import "
                        f"{file.name} --dry-run`.", markup=False)
            return
        entries = ci.parse_sheet(ci.read_rows(file), registry, file.name)
    except ci.ImportRefused as exc:
        fail(str(exc))
    edited = _console_edited(app)
    changes = ci.plan_changes(entries, current, registry, edited or set())
    listing = table(f"Danh bạ từ {file.name}: {len(changes)} đơn vị", "Mã đơn vị",
                    ("Đơn vị", {"no_wrap": False, "ratio": 2}),
                    ("E-mail", {"no_wrap": False, "ratio": 2, "overflow": "fold"}), "Thay đổi")
    for change in changes:
        note = change.action + (" (trang quản trị giữ địa chỉ đã sửa)" if change.console_kept
                                else "")
        listing.add_row(change.body_id, change.name, ", ".join(change.after), note)
    show(listing)
    counts = {a: sum(c.action == a for c in changes) for a in (ci.ADDED, ci.CHANGED, ci.SAME)}
    summary = ", ".join(f"{a} {n}" for a, n in counts.items())
    if dry_run:
        out().print(f"Chạy thử ({summary}): chưa ghi gì.")
        return
    _write(app, ci.contacts_yaml(entries, current, registry))
    where = "cơ sở dữ liệu đã cập nhật" if edited is not None else \
        "cơ sở dữ liệu chưa khởi tạo: `cascade init` sẽ nạp"
    out().print(f"Đã ghi {app.settings.contacts_path} ({summary}); {where}.", markup=False)


def _console_edited(app: App) -> set[str] | None:
    """Bodies whose addresses a coordinator set in the console; None without a database."""
    from sqlmodel import select

    from models.console_tables import ContactEdit
    from models.db import DatabaseError, unit_of_work

    try:
        engine = app.ready_engine()
    except DatabaseError:
        return None
    with unit_of_work(engine, write=False) as session:
        return set(session.exec(select(ContactEdit.body_id)).all())


def _write(app: App, text: str) -> None:
    """The contacts file, checked as `cascade init` reads it, then the database's addresses."""
    from models.atomic import write_atomically
    from models.contacts import ContactsError, load_contacts
    from models.db import unit_of_work
    from services.registry import sync_contacts

    settings = app.settings
    path: Path = settings.contacts_path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text)
    except OSError as exc:
        fail(f"không ghi được {path}: {exc.strerror}")
    try:
        contacts = load_contacts(path, settings.example_contacts_path, app.registry)
    except ContactsError as exc:
        fail(str(exc))
    app.__dict__["contacts"] = contacts
    if _console_edited(app) is not None:
        with unit_of_work(app.ready_engine()) as session:
            sync_contacts(session=session, contacts=contacts)
