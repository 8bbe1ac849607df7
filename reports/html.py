"""The review summary as one self-contained, printable HTML page: the same content as the .docx
plus charts drawn with inline SVG (no JavaScript, no external files: it opens offline)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2

from reports.model import Counts, Summary
from reports.wording import (
    COLUMNS,
    COLUMNS_NOTE,
    cascade_caption,
    event_line,
    heading,
    overview,
    recipients,
    results_overview,
    short,
    title_lines,
)

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "report"

# Chart segments, in order: (key, label, colour). "in_term" here excludes the near-due ones,
# which get their own (orange) segment, so the segments still add up to the task count.
SEGMENTS = (
    ("done_on_time", "Xong đúng hạn", "#2e7d32"),
    ("done_late", "Xong trễ hạn", "#a1887f"),
    ("in_term_only", "Trong hạn", "#81c784"),
    ("near_due", "Sắp đến hạn", "#fb8c00"),
    ("overdue", "Quá hạn", "#d32f2f"),
    ("no_deadline", "Thường xuyên", "#4fc3f7"),
    ("cancelled", "Đã hủy", "#bdbdbd"),
)


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    colour: str
    count: int
    x: float  # percent of the bar
    width: float


def segments(counts: Counts) -> list[Segment]:
    """The stacked bar of `counts`: one segment per non-empty category, widths in percent."""
    values = {"done_on_time": counts.done_on_time, "done_late": counts.done_late,
              "in_term_only": counts.in_term - counts.near_due, "near_due": counts.near_due,
              "overdue": counts.overdue, "no_deadline": counts.no_deadline,
              "cancelled": counts.cancelled}
    total = sum(values.values())
    out, x = [], 0.0
    for key, label, colour in SEGMENTS:
        n = values[key]
        if n and total:
            width = 100.0 * n / total
            out.append(Segment(key, label, colour, n, round(x, 3), round(width, 3)))
            x += width
    return out


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.do"],
    )
    env.filters["short"] = short
    env.globals.update(segments=segments, SEGMENTS=SEGMENTS, COLUMNS=COLUMNS,
                       cascade_caption=cascade_caption)
    return env


def render_html(summary: Summary) -> str:
    """The report as an HTML document (UTF-8 text)."""
    env = _environment()
    css = (TEMPLATE_DIR / "report.css").read_text(encoding="utf-8")
    title, subject = title_lines(summary)
    return env.get_template("report.html").render(
        s=summary, css=css, head=heading(summary), title=title, subject=subject,
        overview=overview(summary), results_overview=results_overview(summary),
        columns_note=COLUMNS_NOTE, recipients=recipients(summary),
        event_line=lambda e: event_line(summary, e), cascades=summary.all_cascades()[1:])
