"""What the console's templates get from the shared Jinja environment: the vocabulary's labels
and dates, and the bar segments of a count by colour."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jinja2

from models import vocabulary as v
from services.board import COLOUR_ORDER

if TYPE_CHECKING:
    from cascade.bootstrap import App


def segments(counts: dict[str, int]) -> list[tuple[str, int, float, float]]:
    """(colour, count, x %, width %) for a stacked bar, in the colours' reading order."""
    total = sum(counts.values())
    out, x = [], 0.0
    for hue in COLOUR_ORDER:
        n = counts.get(hue, 0)
        if n and total:
            width = 100.0 * n / total
            out.append((hue, n, round(x, 3), round(width, 3)))
            x += width
    return out


def install(env: jinja2.Environment, app: App) -> None:
    tz = app.tz
    env.globals.update(
        V=v, COLOUR_ORDER=COLOUR_ORDER, segments=segments,
        status_label=v.status_label, role_label=v.role_label, colour_label=v.colour_label,
        action_label=v.action_label, channel_label=v.channel_label,
        body_kind_label=v.body_kind_label, mail_kind_label=v.mail_kind_label,
        outbox_status_label=v.outbox_status_label, short_date=v.short_date, due_label=v.due_label,
        event_date=v.event_date, upper_first=v.upper_first,
        when=lambda moment: v.short_time(moment, tz) if moment else "—",
        number=lambda x, digits=2: v.vi_number(x, digits), file_size=v.file_size,
        percent=lambda rate: "—" if rate is None else f"{v.vi_number(100 * rate, 1)}%",
    )
    env.filters["vn_date"] = lambda day: v.short_date(day) if day else "—"
    env.filters["plural"] = _plural
    env.filters["iso_vn"] = _iso_vn
    env.tests["startingwith_unresolved"] = lambda ref: str(ref).startswith("unresolved:")


def _iso_vn(value: Any) -> str:
    """'2023-07-11' -> '11/07/2023' (dates a draft keeps as ISO text)."""
    import datetime as dt

    try:
        return v.short_date(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _plural(n: Any) -> str:
    return f"{n:,}".replace(",", ".") if isinstance(n, int) else str(n)
