"""The header band of a scanned directive's first page, cut at the gutter between its two
columns (the organ and its number on the left, the motto, place and date on the right), so
Tesseract reads each column alone instead of joining them line by line."""

from __future__ import annotations

from typing import Any

INK = 160  # a grey level darker than this is ink
GUTTER_ZONE = (0.30, 0.70)  # the gutter between the header's columns lies in this part of the width
MIN_GUTTER = 0.02  # of the width (a word space is narrower)
HEADER_DEPTH = 0.40  # the header band lies in this top part of the page
STEP = 4  # columns are looked at 4 pixels at a time
MIN_LINE = 8  # pixels: a thinner stripe of ink is a speck or a rule, not a line of text


def header_parts(image: Any) -> list[Any]:
    """[left column, right column, rest of the page] when the page starts with a two-column
    header band; [the page] otherwise."""
    found = header_columns(image)
    if found is None:
        return [image]
    gutter, cut = found
    width, height = image.size
    return [image.crop((0, 0, gutter, cut)), image.crop((gutter, 0, width, cut)),
            image.crop((0, cut, width, height))]


def header_columns(image: Any) -> tuple[int, int] | None:
    """(x of the gutter, y below the header band) of a page whose first lines stand in two
    columns, or None. The band is the run of lines from the top that all leave one white gutter
    at least MIN_GUTTER wide in the middle of the page; it ends at the first line that crosses
    it (the title, the body)."""
    width, height = image.size
    ink = _ink(image)
    lines = _lines(ink, int(height * HEADER_DEPTH))
    if len(lines) < 2 or lines[0][0] > height * 0.2:
        return None
    zone = range(int(GUTTER_ZONE[0] * width) // STEP, int(GUTTER_ZONE[1] * width) // STEP)
    white: set[int] | None = None
    taken = 0
    for top, bottom in lines:
        columns = ink.crop((0, top, width, bottom)).resize((width // STEP, 1), _box()).tobytes()
        empty = {x for x in zone if columns[x] < 12}
        kept = empty if white is None else white & empty
        if _longest_run(kept)[1] * STEP < MIN_GUTTER * width:
            break
        white, taken = kept, taken + 1
    if taken < 2 or white is None:
        return None
    start, length = _longest_run(white)
    gutter = (2 * start + length) * STEP // 2
    band = lines[taken - 1][1]
    below = lines[taken][0] if taken < len(lines) else min(height, band + 40)
    cut = (band + below) // 2
    left, right = ink.crop((0, 0, gutter, cut)), ink.crop((gutter, 0, width, cut))
    if left.getbbox() is None or right.getbbox() is None:
        return None  # one column only: nothing to keep apart
    return gutter, cut


def _box() -> Any:
    from PIL import Image

    return Image.Resampling.BOX


def _ink(image: Any) -> Any:
    """255 where the page is dark, 0 elsewhere."""
    return image.point([255 if v < INK else 0 for v in range(256)])


def blank(image: Any) -> bool:
    return _ink(image).getbbox() is None


def _lines(ink: Any, depth: int) -> list[tuple[int, int]]:
    """(top, bottom) of each stripe of rows holding ink, in the top `depth` rows (the page's
    outer 3 % left out: a scanner's dark edge is not a line)."""
    width = ink.size[0]
    margin = int(width * 0.03)
    rows = list(ink.crop((margin, 0, width - margin, depth)).resize((1, depth), _box()).tobytes())
    lines, start = [], None
    for y, value in enumerate([*rows, 0]):
        if value > 0 and start is None:
            start = y
        elif value == 0 and start is not None:
            if y - start >= MIN_LINE:
                lines.append((start, y))
            start = None
    return lines


def _longest_run(columns: set[int]) -> tuple[int, int]:
    """(first, length) of the longest run of consecutive columns."""
    best, first, length, previous = (0, 0), 0, 0, None
    for x in sorted(columns):
        first, length = (first, length + 1) if previous == x - 1 else (x, 1)
        best = max(best, (first, length), key=lambda run: run[1])
        previous = x
    return best


# -- reading the pages --------------------------------------------------------------------------
