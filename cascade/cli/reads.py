"""The read commands (`status`, `history`, `outbox`, `bodies`): their work, and a fast way in.

Reading is what a user does most, and waits for: these commands answer in about the time
Python takes to import SQLAlchemy. They read through SQLAlchemy Core (models/reading.py), and
`main()` runs them without building the Typer application when the command line is plain
(`fast_path`): Typer validates every parameter with Pydantic, which alone costs a tenth of a
second. Anything else (`--help`, a misspelt option, a missing argument) goes to Typer, which
explains it; the Typer commands (cascade/cli/tasks.py, mail.py) call the same functions here,
and tests/integration/test_cli_reads.py checks that both ways agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cascade.cli.common import (
    check_format,
    domain_error,
    fail,
    moment,
    out,
    print_json,
    safe_text,
)
from cascade.cli.tables import show, table

if TYPE_CHECKING:
    from cascade.bootstrap import App

COLOUR_STYLES = {"in_term": "green", "near_due": "dark_orange", "overdue": "bold red",
                 "no_deadline": "cyan", "done_on_time": "dim green", "done_late": "dim red",
                 "cancelled": "dim"}


def task_number(value: str) -> int:
    text = value.strip().lstrip("#")
    if not text.isdigit():
        fail(f"số nhiệm vụ {value!r} không đúng: cần một số, ví dụ 12 (xem `cascade status`)", 2)
    return int(text)


def status(app: App, *, directive: str | None = None, body: str | None = None,
           at: str | None = None, format: str = "table") -> None:
    from models.db import reading
    from models.vocabulary import colour_label, role_label, short_date, status_label
    from services.status import list_tasks

    check_format(format)
    when = moment(app, at)
    with reading(app.ready_engine()) as conn:
        views = list_tasks(session=conn, at=when, tz=app.tz, calendar=app.calendar,
                           near_due_working_days=app.settings.near_due_working_days,
                           directive=directive, body=body)
    if format == "json":
        print_json([v.as_json() for v in views])
        return
    local = when.astimezone(app.tz)
    one_directive = len({v.directive for v in views}) == 1
    scope = f"{views[0].directive}: " if one_directive and views else ""
    columns: list[str | tuple[str, dict]] = [("#", {"justify": "right"})]
    if not one_directive:
        columns.append("Văn bản")
    columns += ["Mục", ("Đơn vị", {"ratio": 1, "no_wrap": False}),
                ("Trạng thái", {"no_wrap": False, "min_width": 14, "max_width": 16}), "Hạn",
                "Tình trạng"]
    listing = table(f"{scope}nhiệm vụ ({len(views)}) tính đến {local:%H:%M ngày %d/%m/%Y}", *columns)
    counts: Counter[str] = Counter()
    for v in views:
        counts[v.colour] += 1
        state = status_label(v.status)
        if v.child_progress:
            state += f" (kế hoạch con {v.child_progress})"
        ref = v.ref if v.occurrence == 1 else f"{v.ref} kỳ {v.occurrence}"
        body_cell = f"{v.body_name} · {role_label(v.role)}"
        listing.add_row(str(v.id), *([] if one_directive else [v.directive]), ref, body_cell, state,
                        short_date(v.due_on) if v.due_on else "—", colour_label(v.colour),
                        style=COLOUR_STYLES[v.colour])
    show(listing)
    if views:
        print("  ".join(f"{colour_label(c)}: {n}" for c, n in sorted(counts.items())))
    for v in views:  # what the sweep no longer chases (400 days after the deadline, or chosen)
        if v.chase_note:
            print(f"#{v.id}: {v.chase_note}")


def history(app: App, *, task_id: str, format: str = "table") -> None:
    from models.db import reading
    from models.vocabulary import action_label, channel_label, event_date, short_time, status_label
    from services.history import TaskNotFound, task_history

    check_format(format)
    number = task_number(task_id)
    try:
        with reading(app.ready_engine()) as conn:
            events = task_history(conn, number)
    except TaskNotFound as exc:
        fail(str(exc))
    if format == "json":
        print_json([{"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "actor_name": e.actor_name,
                     "channel": e.channel, "action": e.action, "from": e.from_status,
                     "to": e.to_status, "note": e.note, "data": e.data} for e in events])
        return
    listing = table(f"Nhật ký nhiệm vụ #{number}", ("Lúc", {"no_wrap": False, "max_width": 10}),
                    ("Ai (kênh)", {"ratio": 3, "no_wrap": False}),
                    ("Thao tác", {"ratio": 3, "no_wrap": False}),
                    ("Trạng thái", {"ratio": 3, "no_wrap": False, "min_width": 10}),
                    ("Ghi chú", {"ratio": 3, "no_wrap": False}))
    for e in events:
        moved = (f"{status_label(e.from_status)} → {status_label(e.to_status)}"
                 if e.from_status and e.from_status != e.to_status else status_label(e.to_status))
        what = action_label(e.action, e.role)
        if due := event_date(e.data):
            what += f" {due}"
        who = safe_text(e.actor_name)
        if e.channel != e.actor:  # the system acts through its own channel
            who += f" ({channel_label(e.channel)})"
        listing.add_row(short_time(e.at, app.tz), who, what, moved, safe_text(e.note or ""))
    show(listing)


def outbox(app: App, *, failed: bool = False, limit: int = 100, format: str = "table") -> None:
    from models.db import reading
    from models.vocabulary import mail_kind_label, outbox_status_label
    from services.outbox import list_outbox, outbox_counts

    check_format(format)
    with reading(app.ready_engine()) as conn:
        rows = list_outbox(session=conn, failed_only=failed, limit=limit or None)
        counts = outbox_counts(session=conn)
    if format == "json":
        print_json([r.as_json() for r in rows])
        return
    if not rows:
        print("Không có thư nào không gửi được." if failed else "Hàng đợi thư trống.")
        return
    title = "Thư không gửi được" if failed else "Hàng đợi thư"
    listing = table(f"{title} ({len(rows)} thư mới nhất)", ("#", {"justify": "right"}),
                    ("Loại", {"ratio": 1, "no_wrap": False}),
                    ("Gửi đến", {"ratio": 2, "no_wrap": False, "overflow": "fold"}),
                    ("Trạng thái", {"ratio": 1, "no_wrap": False}),
                    ("Lần", {"justify": "right"}),
                    ("Lỗi gần nhất", {"ratio": 2, "no_wrap": False}))
    for r in rows:
        state = outbox_status_label(r.status)
        if r.next_attempt_at is not None and r.attempts:
            state += f" (thử lại {r.next_attempt_at.astimezone(app.tz):%H:%M %d/%m})"
        who = r.body_name or r.body_id or "—"
        if r.addresses:
            who += f" {', '.join(r.addresses)}"
        listing.add_row(str(r.id), mail_kind_label(r.kind), who, state, str(r.attempts),
                        safe_text(r.last_error or ""), style="red" if r.status == "failed" else None)
    show(listing)
    print("  ".join(f"{outbox_status_label(s)}: {n}" for s, n in sorted(counts.items())))
    print("Message-ID của từng thư: cascade outbox --format json")


def bodies(app: App, *, kind: str | None = None, missing_email: bool = False,
           format: str = "table") -> None:
    """The registry's bodies and groups (`--kind`), or those without an address."""
    from models.vocabulary import BODY_KIND, body_kind_label

    check_format(format)
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
    if bodies_:
        table_ = _bodies_table(f"Đơn vị ({len(bodies_)})")
        for b in bodies_:
            table_.add_row(b.name, body_kind_label(b.kind), b.id)
        show(table_)
    if groups:
        gtable = table(f"Nhóm ({len(groups)})", ("Tên", {"ratio": 3, "no_wrap": False}),
                       ("Số đơn vị", {"justify": "right"}), ("Ghi chú", {"ratio": 1, "no_wrap": False}),
                       ("Mã", {"style": "dim", "ratio": 2, "no_wrap": False, "overflow": "fold"}))
        for g in groups:
            note = "chưa xác định, điều phối chọn" if g.placeholder else (
                "" if not reg.is_open(g.id) else "có thể chưa đủ")
            gtable.add_row(reg.label(g.id), str(len(reg.expand(g.id))), note, g.id)
        show(gtable)


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
    show(table_)


def _bodies_table(title: str) -> Any:
    """Name (wrapped), kind, and the id in a dim column for the commands that take it."""
    return table(title, ("Tên", {"ratio": 3, "no_wrap": False}), ("Loại", {"ratio": 2, "no_wrap": False}),
                 ("Mã", {"style": "dim", "ratio": 2, "no_wrap": False, "overflow": "fold"}))


@dataclass(frozen=True)
class ReadCommand:
    """How a read command's plain command line maps to its function's parameters (the Typer
    declarations in tasks.py and mail.py say the same, with help texts)."""

    run: Callable[..., None]
    positionals: tuple[str, ...] = ()
    required: int = 0  # how many of the positionals must be there
    options: tuple[str, ...] = ()  # "--body" -> body
    flags: tuple[str, ...] = ()  # "--failed" -> failed=True
    integers: tuple[str, ...] = ()  # parameters given as whole numbers


READS = {
    "status": ReadCommand(status, ("directive",), 0, ("--body", "--at", "--format")),
    "history": ReadCommand(history, ("task_id",), 1, ("--format",)),
    "outbox": ReadCommand(outbox, (), 0, ("--limit", "--format"), ("--failed",), ("limit",)),
    "bodies": ReadCommand(bodies, (), 0, ("--kind", "--format"), ("--missing-email",)),
}


def parse(argv: list[str]) -> tuple[ReadCommand, dict[str, Any]] | None:
    """The read command and its parameters, or None when Typer should handle this line."""
    if not argv or argv[0] not in READS:
        return None
    command, positional = READS[argv[0]], []
    params: dict[str, Any] = {}
    words = iter(argv[1:])
    for word in words:
        name, eq, value = word.partition("=")
        if name in command.options:
            value = value if eq else next(words, None)  # type: ignore[assignment]
            if value is None:
                return None
            params[name[2:].replace("-", "_")] = value
        elif name in command.flags and not eq:
            params[name[2:].replace("-", "_")] = True
        elif word.startswith("-"):
            return None  # --help, -h, a misspelt option: Typer says what is wrong
        else:
            positional.append(word)
    if not command.required <= len(positional) <= len(command.positionals):
        return None
    params.update(zip(command.positionals, positional, strict=False))
    for name in command.integers:
        if name in params:
            if not str(params[name]).isdigit():
                return None
            params[name] = int(params[name])
    return command, params


def fast_path(argv: list[str]) -> bool:
    """Run a plain read command without Typer; False when it is not one."""
    parsed = parse(argv)
    if parsed is None:
        return False
    from cascade.bootstrap import build_app

    command, params = parsed
    with build_app() as app:
        try:
            command.run(app, **params)
        except Exception as exc:
            known = domain_error(exc)
            if known is None:
                raise
            fail(*known)
    return True

