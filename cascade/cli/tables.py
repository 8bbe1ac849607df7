"""Tables for the terminal: columns that share the width (80 when it is unknown), long text
wrapped inside its column, a colour per row on a terminal.

Written for the listings (`status` of thousands of tasks, `outbox`, `history`, `bodies`): a
general rich table measures every cell many times and costs more than the query itself.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
import unicodedata
from dataclasses import dataclass, field
from typing import Any

STYLES = {"green": "32", "dark_orange": "33", "bold red": "1;31", "cyan": "36",
          "dim green": "2;32", "dim red": "2;31", "dim": "2", "red": "31"}
GAP = 2  # spaces between columns


def width_of(text: str) -> int:
    """Columns `text` takes on a terminal (combining marks take none)."""
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


@dataclass
class Column:
    header: str
    justify: str = "left"
    no_wrap: bool = True
    ratio: int | None = None
    min_width: int | None = None
    max_width: int | None = None
    overflow: str = "wrap"  # "fold": break long words too (addresses)
    style: str | None = None  # the column's colour on a terminal (the ids: "dim")


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[tuple[list[str], str | None]] = field(default_factory=list)
    gap: int = GAP  # spaces between columns

    def add_row(self, *cells: Any, style: str | None = None) -> None:
        self.rows.append(([str(c) for c in cells], style))

    def widths(self, total: int) -> list[int]:
        """Each column's width: its widest cell, the wrapping columns shrunk (by their ratio,
        not below their longest word) when the table is wider than `total`."""
        natural = [max([width_of(c.header), *(width_of(r[i]) for r, _ in self.rows)])
                   for i, c in enumerate(self.columns)]
        widths = [min(n, c.max_width or n) for n, c in zip(natural, self.columns, strict=True)]
        widths = [max(w, c.min_width or 0) for w, c in zip(widths, self.columns, strict=True)]
        room = total - self.gap * (len(widths) - 1)
        flexible = [i for i, c in enumerate(self.columns) if not c.no_wrap]
        floors = {i: self._floor(i) for i in flexible}
        while sum(widths) > room and flexible:
            shrinkable = [i for i in flexible if widths[i] > floors[i]]
            if not shrinkable:
                break
            # take from the column with the most width per unit of ratio
            i = max(shrinkable, key=lambda k: widths[k] / (self.columns[k].ratio or 1))
            widths[i] -= 1
        return widths

    def _floor(self, i: int) -> int:
        column = self.columns[i]
        if column.overflow == "fold":
            return max(column.min_width or 4, 4)
        words = [width_of(w) for r, _ in self.rows for w in r[i].split()] or [1]
        header = max(width_of(w) for w in column.header.split()) if column.header.strip() else 1
        return max(min(max(words), 20), header, column.min_width or 0)

    def lines(self, total: int, colour: bool) -> list[str]:
        widths = self.widths(total)
        out = [self.title] if self.title else []
        out += self._row([c.header for c in self.columns], widths, None, False)
        out.append("─" * min(total, sum(widths) + self.gap * (len(widths) - 1)))
        for cells, style in self.rows:
            out += self._row(cells, widths, style, colour)
        return out

    def _row(self, cells: list[str], widths: list[int], style: str | None,
             colour: bool) -> list[str]:
        wrapped = [self._wrap(cell, w, column)
                   for cell, w, column in zip(cells, widths, self.columns, strict=True)]
        height = max(len(parts) for parts in wrapped)
        lines = []
        for n in range(height):
            pieces = []
            for parts, w, column in zip(wrapped, widths, self.columns, strict=True):
                text = parts[n] if n < len(parts) else ""
                pad = " " * max(w - width_of(text), 0)
                text = pad + text if column.justify == "right" else text + pad
                if colour and column.style in STYLES and not style:
                    text = f"\x1b[{STYLES[column.style]}m{text}\x1b[0m"
                pieces.append(text)
            line = (" " * self.gap).join(pieces).rstrip()
            if colour and style in STYLES:
                line = f"\x1b[{STYLES[style]}m{line}\x1b[0m"
            lines.append(line)
        return lines

    @staticmethod
    def _wrap(text: str, width: int, column: Column) -> list[str]:
        if width_of(text) <= width:
            return [text]
        if column.no_wrap:
            return [text[:max(width - 1, 1)] + "…"]
        return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def table(title: str, *columns: str | tuple[str, dict[str, Any]]) -> Table:
    """A table whose columns are named, with options ({"ratio": 1, "no_wrap": False} lets a
    column wrap its text and share the width left)."""
    made = []
    for column in columns:
        name, options = (column, {}) if isinstance(column, str) else column
        made.append(Column(name, **options))
    return Table(title, made)


def terminal_width() -> int:
    """The terminal's width; 80 when output goes to a file or a pipe (COLUMNS overrides)."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if sys.stdout.isatty():
        return shutil.get_terminal_size((80, 24)).columns
    return 80


def show(listing: Table) -> None:
    """Print `listing` to standard output, coloured on a terminal (unless NO_COLOR is set)."""
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    sys.stdout.write("\n".join(listing.lines(terminal_width(), colour)) + "\n")
