"""Draft -> the commented YAML template a coordinator reviews, then launches.

Every field carries a comment with its source line(s) ("# dòng 63"). What the reviewer must
settle is marked "# REVIEW: ..." and written so that the template refuses to load until it is
settled: an unresolved name stays "unresolved:<name>" (not a registry id), a placeholder group
stays "group:cac_ban_lien_quan" (the template refuses placeholders), a missing header field
stays null (the template requires it).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ingest.targets import reporting_targets
from models.deadlines import DeadlineRuleError, parse_rule
from models.vocabulary import DRAFT_DOUBT, combine_label

_PLACEHOLDERS = ("group:cac_ban_lien_quan",)
_REQUIRED_HEADER = ("number", "kind", "issuer", "issued_on", "title")


def draft_to_yaml(draft: dict[str, Any]) -> str:
    """The commented YAML template text of a draft (from draft_document or its JSON)."""
    provenance = getattr(draft, "provenance", {}) or {}
    placeholders = tuple(provenance.get("placeholders") or _PLACEHOLDERS)
    source = getattr(draft, "source", None)
    out: list[str] = []
    out += _preamble(draft, source)
    out += _directive(draft.get("directive") or {}, provenance.get("directive") or {})
    out += _settings(draft)
    targets = draft.get("targets") or []
    out += _targets(targets)
    ids = [str(t.get("id")) for t in targets]
    out.append("assignments:")
    item_lines = provenance.get("assignments") or []
    for index, item in enumerate(draft.get("assignments") or []):
        lines = item_lines[index] if index < len(item_lines) else {}
        out += _assignment(item, lines, placeholders)
        if ids:
            out.append(_item_targets(item, ids))
    return _UNPRINTABLE.sub(" ", "\n".join(out)) + "\n"


def _settings(draft: dict[str, Any]) -> list[str]:
    """A reviewed template's own coordinator and policy, kept through the review."""
    out = []
    if draft.get("coordinator"):
        out.append(_field(0, "coordinator", _scalar(draft["coordinator"]), []))
    if draft.get("policy"):
        out.append(_field(0, "policy", _json(draft["policy"]), []))
    return out


def _json(value: Any) -> str:
    """A mapping as one line of YAML (JSON is YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _targets(targets: list[dict[str, Any]]) -> list[str]:
    """The `targets:` block: each target the document sets, with the rule its figures combine
    by (guessed from the wording: the reviewer checks it)."""
    if not targets:
        return []
    out = ["# Chỉ tiêu: đơn vị được giao báo cáo số liệu theo các chỉ tiêu này (mục «targets» của",
           "# từng việc). «combine»: sum (cộng tổng), mean (bình quân), min (đơn vị nào cũng phải",
           "# đạt), share (tỷ lệ đơn vị đạt).",
           "targets:"]
    for target in targets:
        source = target.get("source") or {}
        where = _where((source.get("line_start"), source.get("line_end")))
        out.append(_field(2, "- id", _scalar(target.get("id")), [where]))
        out.append(_field(4, "text", _scalar(target.get("text")), []))
        unit, value, year = target.get("unit"), target.get("value"), target.get("year")
        out.append(_field(4, "unit", _scalar(unit), [] if unit else
                          ["REVIEW: không rõ đơn vị tính; ghi đơn vị, ví dụ «đoàn viên» hoặc «%»"]))
        out.append(_field(4, "value", _number(value), [] if value is not None else
                          ["REVIEW: không rõ giá trị chỉ tiêu; ghi con số"]))
        out.append(_field(4, "year", _scalar(year), [] if year else ["không nêu năm"]))
        rule = str(target.get("combine") or "sum")
        out.append(_field(4, "combine", rule,
                          [f"{combine_label(rule)} (đoán từ câu chữ, kiểm tra lại)"]))
        if source.get("line_start") is not None:  # a reviewed template's target has none
            start, end = _scalar(source.get("line_start")), _scalar(source.get("line_end"))
            out.append(_field(4, "source", f"{{line_start: {start}, line_end: {end}}}", []))
    return out


def _item_targets(item: dict[str, Any], ids: list[str]) -> str:
    if isinstance(item.get("targets"), list):  # a reviewed template says which: kept as written
        return _field(4, "targets", _list([str(t) for t in item["targets"]]), [])
    named = reporting_targets(str(item.get("task") or ""), ids)
    if named:
        return _field(4, "targets", _list(named),
                      ["REVIEW: việc này nói đến chỉ tiêu, số liệu: giữ các chỉ tiêu đơn vị phải "
                       "báo cáo số liệu, bỏ các chỉ tiêu khác"])
    return _field(4, "targets", "[]", ["không báo cáo số liệu chỉ tiêu; thêm mã chỉ tiêu nếu cần"])


def _number(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]")


def _preamble(draft: dict[str, Any], source: str | None) -> list[str]:
    where = f" «{source}»" if source else ""
    out = [
        f"# Bản nháp mẫu giao việc, soạn tự động từ văn bản{where}.",
        "# Rà soát trước khi khởi chạy: sửa mọi dòng có «# REVIEW:» (thay «unresolved:...» bằng",
        "# mã đơn vị trong sổ đăng ký, thay nhóm chưa xác định bằng các đơn vị cụ thể, điền các",
        "# trường còn trống), rồi xóa chú thích REVIEW. «dòng N» là dòng trong văn bản gốc.",
    ]
    warnings = draft.get("warnings") or []
    if warnings:
        out.append("# Cảnh báo khi soạn:")
        out += [_comment(f"#   - {w}") for w in warnings]
    return out


def _directive(header: dict[str, Any], lines: dict[str, Any]) -> list[str]:
    out = ["directive:"]
    for key in ("number", "kind", "issuer", "issued_on", "place", "title", "signer"):
        value = header.get(key)
        notes = [_where(lines.get(key))]
        if value is None and key in _REQUIRED_HEADER:
            notes.append(f"REVIEW: không tìm thấy {_HEADER_VI[key]}; điền trước khi khởi chạy")
        elif isinstance(value, str) and value.startswith("unresolved:"):
            notes.append("REVIEW: cơ quan ban hành không có trong sổ đăng ký; ghi mã đơn vị")
        elif value is None:
            notes.append(f"không tìm thấy {_HEADER_VI[key]}")
        out.append(_field(2, key, _scalar(value), notes))
    implements = header.get("implements") or []
    out.append(_field(2, "implements", _list(implements), [_where(lines.get("implements"))
                                                            if implements else "không nêu"]))
    return out


_HEADER_VI = {"number": "số văn bản", "kind": "loại văn bản", "issuer": "cơ quan ban hành",
              "issued_on": "ngày ban hành", "place": "địa danh", "title": "trích yếu",
              "signer": "người ký"}


def _assignment(item: dict[str, Any], lines: dict[str, Any], placeholders: tuple[str, ...]
                ) -> list[str]:
    source = item.get("source") or {}
    item_range = (source.get("line_start"), source.get("line_end"))
    out = [_field(2, "- ref", _scalar(item.get("ref")), [_where(item_range)])]
    lead, cooperating = item.get("lead") or [], item.get("cooperating") or []
    lead_notes = [_where(lines.get("lead") or item_range)] + _ref_reviews(lead, placeholders)
    flags = item.get("flags") or []
    lead_notes += [f"REVIEW: {DRAFT_DOUBT[f]}" for f in flags
                   if f in DRAFT_DOUBT and f != "deadline_text_only"]
    if not lead:
        lead_notes.append("chỉ có đơn vị phối hợp, không có đơn vị chủ trì")
    out.append(_field(4, "lead", _list(lead), lead_notes))
    coop_notes = [_where(lines.get("cooperating") or item_range) if cooperating else "không nêu"]
    out.append(_field(4, "cooperating", _list(cooperating),
                      coop_notes + _ref_reviews(cooperating, placeholders)))
    report_to = item.get("report_to")
    out.append(_field(4, "report_to", _scalar(report_to),
                      [_where(item_range) if report_to else "không nêu"]))
    out.append(_field(4, "task", _scalar(item.get("task")), [_where(item_range)]))
    out.append(_field(4, "deadline", _deadline(item.get("deadline") or {}),
                      _deadline_notes(item.get("deadline") or {}, lines.get("deadline"))))
    if item.get("policy"):  # a reviewed template's own reminders and escalations for the item
        out.append(_field(4, "policy", _json(item["policy"]), []))
    if source:  # a reviewed template's item has none
        start, end = _scalar(source.get("line_start")), _scalar(source.get("line_end"))
        out.append(_field(4, "source", f"{{line_start: {start}, line_end: {end}}}", []))
    return out


def _ref_reviews(refs: list[str], placeholders: tuple[str, ...]) -> list[str]:
    notes = []
    for ref in refs:
        if ref.startswith("external:"):
            notes.append(f"REVIEW: «{ref[len('external:'):]}» là đơn vị ngoài hệ thống (không gửi "
                         "thư): ghi nhận hoặc bỏ đi")
        elif ref.startswith("unresolved:"):
            notes.append(f"REVIEW: «{ref[len('unresolved:'):]}» không có trong sổ đăng ký: "
                         "thay bằng mã đơn vị hoặc nhóm, hoặc bỏ đi")
        elif ref in placeholders:
            notes.append(f"REVIEW: «{ref}» chưa xác định: thay bằng các đơn vị cụ thể hoặc bỏ đi")
    return notes


def _deadline(deadline: dict[str, Any]) -> str:
    rule, text = _scalar(deadline.get("rule")), _scalar(deadline.get("text"))
    return f"{{rule: {rule}, text: {text}}}"


def _deadline_notes(deadline: dict[str, Any], lines: Any) -> list[str]:
    rule, text = deadline.get("rule"), deadline.get("text")
    if rule is None and text is None:
        return ["văn bản không nêu thời hạn"]
    notes = [_where(lines)]
    if rule is None:
        notes.append(f"REVIEW: không hiểu thời hạn «{text}»: ghi quy tắc (YYYY-MM-DD, annual, ...)")
        return notes
    try:
        parsed = parse_rule(rule)
    except DeadlineRuleError:
        notes.append(f"REVIEW: quy tắc thời hạn {rule!r} không hợp lệ")
        return notes
    notes.append(parsed.describe())
    return notes


def _where(lines: Any) -> str:
    if not lines or lines[0] is None:
        return "không rõ dòng"
    first, last = lines[0], lines[-1]
    return f"dòng {first}" if first == last or last is None else f"dòng {first}-{last}"


def _field(indent: int, key: str, value: str, notes: list[str]) -> str:
    notes = [n for n in notes if n]
    line = f"{' ' * indent}{key}: {value}"
    return _comment(f"{line}  # {'; '.join(notes)}") if notes else line


def _comment(text: str) -> str:
    """One physical line: a value or a comment never spans lines."""
    return text.replace("\r", " ").replace("\n", " ")


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _list(values: list[Any]) -> str:
    return "[" + ", ".join(_scalar(v) for v in values) + "]"
