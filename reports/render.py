"""The review summary to bytes in one of its formats: HTML, Word (.docx), JSON."""

from __future__ import annotations

import json
import re

from reports.model import Summary

FORMATS = ("html", "docx", "json")


def render_summary(summary: Summary, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps(summary.as_json(), ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    if fmt == "html":
        from reports.html import render_html

        return render_html(summary).encode("utf-8")
    if fmt == "docx":
        from reports.docx import render_docx

        return render_docx(summary)
    raise ValueError(f"định dạng {fmt!r}: chọn một trong {', '.join(FORMATS)}")


def default_name(number: str, fmt: str) -> str:
    """'48-KH/ĐĐTLĐ' -> 'bao-cao-48-KH-ĐĐTLĐ.docx': safe in any file system, diacritics kept."""
    stem = re.sub(r"[^\w.-]+", "-", number, flags=re.UNICODE).strip("-.") or "bao-cao"
    return f"bao-cao-{stem}.{fmt}"
