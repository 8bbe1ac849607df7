"""Drafts under review in the console ("Giao việc mới"): from an upload or pasted text to a
launched cascade, kept in the database per user so a draft survives a reload and a logout.

An upload is recognised by its content, never by its name: a PDF, a PNG or JPEG scan, a Word
.docx (a zip holding word/document.xml), a reviewed template (YAML with directive and
assignments), or UTF-8 text; anything else is refused, as is anything over the size limit.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.bidi import strip_bidi
from models.calendar import WorkingCalendar
from models.console_tables import DraftReview
from models.contacts import Contacts
from models.db import unit_of_work
from models.deadlines import DeadlineRuleError, parse_rule
from models.files import FILE_TYPES
from models.files import sniff as sniff_file
from models.registry import Registry, is_external
from models.template import TemplateError, TemplateSpec, parse_template, validation_problems
from models.vocabulary import parse_date
from models.yaml_lines import YamlSyntaxError, load_with_lines
from services.documents import attach_to_launch
from services.launch import LaunchError, LaunchPlan, LaunchResult, launch_from_template, plan_launch
from services.review import template_text

OPEN, LAUNCHED, DISCARDED = "open", "launched", "discarded"
MAX_PASTE_CHARS = 1_000_000
DOCUMENT_KINDS = ("docx", "pdf", "png", "jpeg")  # models.files kinds; a scan is an image


class UploadRefused(ValueError):
    """The upload is not a document the drafter reads, or too large; nothing was stored."""


class DraftNotFound(LookupError):
    pass


def sniff(data: bytes) -> str:
    """The suffix the content calls for (.pdf, .png, .jpg, .docx, .yaml, .txt); UploadRefused
    when it is none of them."""
    kind = sniff_file(io.BytesIO(data))
    if kind in DOCUMENT_KINDS:
        return FILE_TYPES[kind].suffixes[0]
    if data.startswith(b"PK\x03\x04"):  # a zip, an .xlsx: not a document the drafter reads
        raise UploadRefused("tệp nén này không phải văn bản Word (.docx)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefused("tệp không phải văn bản Word, PDF, ảnh quét hay văn bản UTF-8 "
                            "(.doc cũ: lưu lại thành .docx)") from None
    if "\x00" in text:
        raise UploadRefused("tệp có ký tự nhị phân, không phải văn bản")
    return ".yaml" if _looks_like_template(text) else ".txt"


def _looks_like_template(text: str) -> bool:
    """Top-level `directive:` and `assignments:`: meant as a template, read as one or refused."""
    return bool(re.search(r"^directive:", text, re.M) and re.search(r"^assignments:", text, re.M))


def _checked_template(text: str) -> dict[str, Any]:
    """A template (reviewed, or a draft from `cascade draft`) whose shape is sound: names the
    registry lacks are settled on the review page, anything else is refused with its lines."""
    try:
        data, lines = load_with_lines(text)
        spec = TemplateSpec.model_validate(data)
    except YamlSyntaxError as exc:
        raise UploadRefused(f"mẫu YAML lỗi cú pháp (dòng {exc.line}): {exc.message}") from None
    except ValidationError as exc:
        problems = validation_problems(exc, lines, "mẫu")
        raise UploadRefused("mẫu giao việc không hợp lệ: " + "; ".join(
            f"dòng {p.line}, {p.field}: {p.message}" if p.line else f"{p.field}: {p.message}"
            for p in problems[:5])) from None
    return _template_draft(spec)


def _template_draft(spec: TemplateSpec) -> dict[str, Any]:
    """The draft of a sound template: every field a drafted document has (a header field the
    template leaves out is None, as the drafter leaves it), plus what only a reviewed template
    says (its coordinator, its policies, which targets each item reports), kept through the
    review to the launch."""
    draft = spec.model_dump(mode="json")
    draft["policy"] = spec.policy.model_dump(mode="json", exclude_none=True) if spec.policy else None
    for item, assignment in zip(draft["assignments"], spec.assignments, strict=True):
        item["policy"] = (assignment.policy.model_dump(mode="json", exclude_none=True)
                          if assignment.policy else None)
    return dict(draft)


def _jsonable(value: Any) -> Any:
    """The draft as JSON, its texts without bidirectional control characters (models.bidi)."""
    if isinstance(value, str):
        return strip_bidi(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def draft_from(data: bytes | None, text: str | None, name: str, registry: Registry,
               aliases: dict[str, str], max_bytes: int, *, ocr: Any = None) -> dict[str, Any]:
    """Draft an upload (`data`) or pasted `text`; UploadRefused says why it cannot be used.
    `ocr`: how a scan is read (ingest.ocr.OcrRun: progress, cache)."""
    from ingest import DraftError, draft_document, draft_text

    if data is not None and len(data) > max_bytes:
        raise UploadRefused(f"tệp {len(data) // 1024:,} KB, quá giới hạn {max_bytes // 1024:,} KB")
    if data is None and (text is None or not text.strip()):
        raise UploadRefused("chọn một tệp hoặc dán nội dung văn bản")
    if text is not None and len(text) > MAX_PASTE_CHARS:
        raise UploadRefused(f"văn bản dán vào dài quá {MAX_PASTE_CHARS:,} ký tự")
    try:
        if data is None:
            assert text is not None
            drafted: dict[str, Any] = _checked_template(text) if _looks_like_template(text) else dict(
                draft_text(text, "van-ban-dan.txt", registry, aliases=aliases))
        else:
            suffix = sniff(data)
            if suffix == ".yaml":
                drafted = _checked_template(data.decode("utf-8-sig"))
            else:
                with tempfile.TemporaryDirectory() as tmp:
                    path = Path(tmp) / f"van-ban{suffix}"
                    path.write_bytes(data)
                    drafted = dict(draft_document(path, registry, aliases=aliases, ocr=ocr))
    except DraftError as exc:
        raise UploadRefused(str(exc).replace(tempfile.gettempdir(), "").lstrip("/")) from None
    drafted.setdefault("warnings", [])
    for item in drafted.get("assignments") or []:
        item.setdefault("lead", [])
        item.setdefault("cooperating", [])
        item.setdefault("deadline", {"rule": None, "text": None})
        item.setdefault("source", None)  # a reviewed template says no source line
        item.setdefault("flags", [])
        if isinstance(item["deadline"], str):
            item["deadline"] = {"rule": item["deadline"], "text": None}
    return _jsonable(drafted)


def start_draft(*, session: Session, user_id: int, draft: dict[str, Any], name: str,
                at: dt.datetime) -> DraftReview:
    row = DraftReview(user_id=user_id, source_name=(name or "văn bản dán vào")[:255], draft=draft,
                      status=OPEN, created_at=at, updated_at=at)
    session.add(row)
    session.flush()
    return row


def get_draft(session: Session, user_id: int, draft_id: int) -> DraftReview:
    """The user's own open draft; DraftNotFound for anyone else's."""
    row = session.get(DraftReview, draft_id)
    if row is None or row.user_id != user_id or row.status != OPEN:
        raise DraftNotFound(f"không có bản nháp #{draft_id} đang rà soát của bạn")
    return row


def open_drafts(session: Session, user_id: int) -> list[DraftReview]:
    return list(session.exec(select(DraftReview).where(
        DraftReview.user_id == user_id, DraftReview.status == OPEN)
        .order_by(col(DraftReview.updated_at).desc())).all())


def save_draft(session: Session, row: DraftReview, draft: dict[str, Any], at: dt.datetime,
               annual_days: dict[str, str] | None = None) -> None:
    row.draft = _jsonable(draft)
    if annual_days is not None:
        row.annual_days = annual_days
    row.updated_at = at
    session.add(row)


def discard_draft(session: Session, row: DraftReview, at: dt.datetime) -> None:
    row.status, row.updated_at = DISCARDED, at
    session.add(row)


# --- Editing an item ----------------------------------------------------------------------------

DEADLINE_FORMS = ("keep", "none", "date", "month", "quarter", "annual", "continuous")


def rule_form(rule: str | None) -> tuple[str, str]:
    """A rule as the review form shows it: (kind, value typed by a person)."""
    if rule is None:
        return "none", ""
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", rule):
        return "date", f"{m[3]}/{m[2]}/{m[1]}"
    if m := re.fullmatch(r"(\d{4})-(\d{2})", rule):
        return "month", f"{m[2]}/{m[1]}"
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", rule):
        return "quarter", f"{m[2]}/{m[1]}"
    if rule == "annual":
        return "annual", ""
    if m := re.fullmatch(r"annual:(\d{2})-(\d{2})", rule):
        return "annual", f"{m[2]}/{m[1]}"
    if rule == "continuous":
        return "continuous", ""
    return "keep", rule


def form_rule(kind: str, value: str, current: str | None) -> str | None:
    """The rule for what a person chose and typed; ValueError with a Vietnamese message."""
    value = (value or "").strip()
    if kind == "keep":
        return current
    if kind == "none":
        return None
    if kind == "continuous":
        return "continuous"
    if kind == "date":
        return parse_date(value).isoformat()
    if kind == "month":
        m = re.fullmatch(r"(\d{1,2})\s*/\s*(\d{4})", value, re.ASCII)
        if not m or not 1 <= int(m[1]) <= 12:
            raise ValueError(f"tháng «{value}»: viết dạng 7/2026")
        return f"{m[2]}-{int(m[1]):02d}"
    if kind == "quarter":
        m = re.fullmatch(r"(?:Q|quý\s*)?([1-4])\s*/\s*([0-9]{4})", value, re.I)
        if not m:
            raise ValueError(f"quý «{value}»: viết dạng 2/2026 (quý II năm 2026)")
        return f"{m[2]}-Q{m[1]}"
    if kind == "annual":
        if not value:
            return "annual"
        return f"annual:{_day_month(value)}"
    raise ValueError(f"loại thời hạn {kind!r} không có")


def _day_month(value: str) -> str:
    m = re.fullmatch(r"(\d{1,2})\s*/\s*(\d{1,2})", value.strip())
    if not m:
        raise ValueError(f"ngày hằng năm «{value}»: viết dạng 30/11")
    rule = f"annual:{int(m[2]):02d}-{int(m[1]):02d}"
    try:
        parse_rule(rule)
    except DeadlineRuleError:
        raise ValueError(f"ngày hằng năm «{value}» không có thật") from None
    return rule.removeprefix("annual:")


def resolve_ref(text: str, registry: Registry) -> str:
    """A body or group typed in the form: its id, its name, or "Name (id)"; ValueError."""
    typed = " ".join((text or "").split())
    if m := re.fullmatch(r".*\(([^()]+)\)", typed):
        typed = m[1].strip()
    if typed in registry or is_external(typed):
        return typed
    found = registry.lookup(typed)
    if len(found) == 1:
        return found[0]
    if found:
        raise ValueError(f"«{text}» ứng với nhiều đơn vị: {', '.join(found)}; chọn theo mã")
    raise ValueError(f"«{text}» không có trong sổ đăng ký")


# --- Preview and launch -------------------------------------------------------------------------

@dataclass
class Preview:
    plan: LaunchPlan | None
    problems: list[str] = field(default_factory=list)
    needs_day: list[str] = field(default_factory=list)  # refs of yearly items with no day yet
    per_body: list[tuple[str, int]] = field(default_factory=list)
    per_item: list[tuple[str, int]] = field(default_factory=list)


def preview(draft: dict[str, Any], *, registry: Registry, calendar: WorkingCalendar,
            launched_on: dt.date, annual_days: dict[str, str]) -> Preview:
    """What launching the draft would create, or what still stops it."""
    if not any(a.get("lead") or a.get("cooperating") for a in draft.get("assignments") or []):
        return Preview(None, ["không còn việc giao nào có đơn vị nhận: thêm đơn vị vào ít nhất "
                              "một mục"])
    try:
        spec = parse_template(template_text(draft), registry, file="bản nháp")
    except TemplateError as exc:
        return Preview(None, [f"{p.field}: {p.message}" if p.field else p.message
                              for p in exc.problems])
    needs = [a.ref for a in spec.assignments
             if a.deadline.parsed and a.deadline.parsed.needs_day and a.ref not in annual_days]
    if needs:
        return Preview(None, [], needs)
    try:
        plan = plan_launch(spec, registry=registry, calendar=calendar, launched_on=launched_on,
                           annual_days=annual_days)
    except LaunchError as exc:
        return Preview(None, [str(exc)])
    bodies = Counter(t.body_id for t in plan.tasks)
    items = Counter(t.ref for t in plan.tasks)
    return Preview(plan, [], [], sorted(bodies.items(), key=lambda kv: (-kv[1], kv[0])),
                   list(items.items()))


def parse_day(value: str) -> str:
    """'15/12' -> '12-15' (a yearly item's day chosen at launch)."""
    return _day_month(value)


def launch_draft(*, engine: Engine, draft_id: int, user_id: int, actor: str, registry: Registry,
                 contacts: Contacts, calendar: WorkingCalendar, tz: dt.tzinfo, at: dt.datetime,
                 coordinator: str, annual_days: dict[str, str]) -> LaunchResult:
    """Launch the user's draft (one transaction, as `cascade launch`); the draft is then closed.
    Raises DraftNotFound, TemplateError or LaunchError; nothing is written then."""
    with unit_of_work(engine, write=False) as session:
        draft = get_draft(session, user_id, draft_id).draft
    text = template_text(draft)
    spec = parse_template(text, registry, file="bản nháp")
    result = launch_from_template(engine=engine, spec=spec, template_text=text, registry=registry,
                                  contacts=contacts, calendar=calendar, tz=tz, at=at,
                                  coordinator=coordinator, annual_days=annual_days, actor=actor,
                                  channel="web")
    with unit_of_work(engine) as session:
        row = get_draft(session, user_id, draft_id)
        row.status, row.directive_number, row.updated_at = LAUNCHED, result.directive, at
        session.add(row)
        attach_to_launch(session=session, draft_id=draft_id, cascade_id=result.cascade_id)
    return result
