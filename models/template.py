"""Workflow templates: a directive's header and its assignments, as a reviewed YAML file.

The template is the spec; a cascade is its instance (models/tables.py). Validation reports
every problem at once, each with file, line, field and what is wrong.

    directive:
      number: 48-KH/ĐĐTLĐ
      kind: Kế hoạch
      issuer: tld_dang_doan
      issued_on: 2023-07-11
      title: Thực hiện Nghị quyết số 20-NQ/TW ...
      implements: [20-NQ/TW]
    coordinator: tld_van_phong_dang_doan      # follow-up office (optional)
    assignments:
      - ref: III.7
        lead: [group:cong_doan_cap_tinh_nganh_tw]
        cooperating: []
        report_to: tld_van_phong
        task: Báo cáo kết quả thực hiện hằng năm ...
        deadline: {rule: "annual:11-30", text: "trước ngày 30/11 hằng năm"}
        policy: {reminders_before: [7, 3, 1]}
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from models.deadlines import DeadlineRule, DeadlineRuleError, deadline_window_problem, parse_rule
from models.registry import Registry, is_external, is_group
from models.targets import TargetSpec
from models.yaml_lines import Path_, YamlSyntaxError, line_of, load_with_lines


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class TemplateError(ValueError):
    """The template is invalid; `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value


ISSUED_YEARS = (1945, 2100)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAK = re.compile(r"[\r\n]")


def _block(value: Any) -> Any:
    """Text that may span lines (a task): NFC, and no control character but tab and newline."""
    value = _nfc(value)
    if isinstance(value, str):
        if m := _CONTROL.search(value.replace("\r\n", "\n")):
            raise ValueError(f"chứa ký tự điều khiển {m.group()!r} ở vị trí {m.start() + 1}: "
                             "xóa ký tự đó (chỉ được dùng tab và xuống dòng)")
    return value


def _line(value: Any) -> Any:
    """One-line text (number, title, signer, ...): as `_block`, and no line break either."""
    value = _block(value)
    if isinstance(value, str) and _LINE_BREAK.search(value):
        raise ValueError("phải nằm trên một dòng: bỏ dấu xuống dòng")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EscalationLevel(_Strict):
    after: int = Field(ge=0, description="working days past the deadline")
    to: str = Field(description="'body', 'follow_up_office', or a body id")
    repeat_every: int | None = Field(default=None, ge=1, description="working days")


class PolicyOverride(_Strict):
    """Overrides of the escalation policy (config/escalation.yaml) for a template or an item."""

    reminders_before: list[int] | None = None
    levels: list[EscalationLevel] | None = None

    @field_validator("reminders_before")
    @classmethod
    def _positive(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and any(v < 0 for v in value):
            raise ValueError("số ngày làm việc phải không âm")
        return value


class DeadlineSpec(_Strict):
    rule: str | None = None
    text: str | None = None

    @field_validator("rule")
    @classmethod
    def _parses(cls, value: str | None) -> str | None:
        if value is not None:
            parse_rule(value)
        return value

    @property
    def parsed(self) -> DeadlineRule | None:
        return parse_rule(self.rule) if self.rule else None


class SourceLines(_Strict):
    line_start: int
    line_end: int


def _as_list(value: Any) -> Any:
    if value is None:
        return []
    return [value] if isinstance(value, str) else value


class AssignmentSpec(_Strict):
    ref: str = Field(min_length=1)
    lead: list[str] = Field(default_factory=list)
    cooperating: list[str] = Field(default_factory=list)
    report_to: str | None = None
    task: str = Field(min_length=1)
    deadline: DeadlineSpec = Field(default_factory=DeadlineSpec)
    policy: PolicyOverride | None = None
    targets: list[str] = Field(default_factory=list)  # ids of the template's targets
    source: SourceLines | None = None

    _lists = field_validator("lead", "cooperating", "targets", mode="before")(_as_list)

    @field_validator("deadline", mode="before")
    @classmethod
    def _rule_shorthand(cls, value: Any) -> Any:
        return {"rule": value} if isinstance(value, str) else value

    @field_validator("ref", mode="before")
    @classmethod
    def _one_line(cls, value: Any) -> Any:
        return _line(value)

    @field_validator("task", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _block(value)

    @model_validator(mode="after")
    def _someone(self) -> AssignmentSpec:
        if not self.lead and not self.cooperating:
            raise ValueError("cần ít nhất một đơn vị chủ trì (lead) hoặc phối hợp (cooperating)")
        return self


class DirectiveHeader(_Strict):
    number: str = Field(min_length=1)
    kind: str = Field(min_length=1)
    issuer: str
    issued_on: dt.date
    place: str | None = None
    title: str = Field(min_length=1)
    signer: str | None = None
    implements: list[str] = Field(default_factory=list)

    _lists = field_validator("implements", mode="before")(_as_list)

    @field_validator("number", "kind", "title", "place", "signer", "issuer", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _line(value)

    @field_validator("issued_on", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"ngày không tồn tại hoặc sai dạng YYYY-MM-DD: {value!r}") from None
        return value

    @field_validator("issued_on")
    @classmethod
    def _plausible(cls, value: dt.date) -> dt.date:
        if not ISSUED_YEARS[0] <= value.year <= ISSUED_YEARS[1]:
            raise ValueError(f"năm ban hành {value.year} không hợp lý: chỉ nhận từ {ISSUED_YEARS[0]} "
                             f"đến {ISSUED_YEARS[1]}")
        return value


class TemplateSpec(_Strict):
    directive: DirectiveHeader
    coordinator: str | None = None
    policy: PolicyOverride | None = None
    targets: list[TargetSpec] = Field(default_factory=list)
    assignments: list[AssignmentSpec] = Field(min_length=1)


_PYDANTIC_VI = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép (gõ nhầm tên trường?)",
    "string_type": "cần một chuỗi",
    "int_type": "cần một số nguyên",
    "int_parsing": "cần một số nguyên",
    "list_type": "cần một danh sách",
    "dict_type": "cần một ánh xạ (khóa: giá trị)",
    "model_type": "cần một ánh xạ (khóa: giá trị)",
    "too_short": "không được để trống",
    "string_too_short": "không được để trống",
    "greater_than_equal": "phải không âm",
    "date_from_datetime_parsing": "ngày không tồn tại hoặc sai dạng YYYY-MM-DD",
    "date_parsing": "ngày không tồn tại hoặc sai dạng YYYY-MM-DD",
    "date_type": "cần một ngày dạng YYYY-MM-DD",
    "float_type": "cần một số",
    "float_parsing": "cần một số (dấu chấm thập phân: 13.5)",
    "literal_error": "chọn một trong sum, mean, min, share",
    "string_pattern_mismatch": "chỉ gồm chữ không dấu, số, '.', '_', '-' (ví dụ T1)",
    "less_than_equal": "lớn quá",
}


def field_name(loc: Path_) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(error: Mapping[str, Any]) -> str:
    if error["type"] == "value_error":
        ctx = error.get("ctx", {}).get("error")
        return str(ctx) if ctx else error["msg"]
    text = _PYDANTIC_VI.get(error["type"], error["msg"])
    if error["type"] in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        text += f": {error.get('input')!r}"
    return text


def _check_refs(spec: TemplateSpec, registry: Registry) -> list[tuple[Path_, str]]:
    """Body references that the registry does not know, placeholders, empty fan-outs."""
    found: list[tuple[Path_, str]] = []

    def check(ref: str | None, path: Path_, *, fan_out: bool) -> None:
        if ref is None or is_external(ref):
            return  # a body outside the system, recorded as written
        if ref not in registry:
            near = registry.suggest(ref)
            hint = f" (có phải {', '.join(near)}?)" if near else ""
            found.append((path, f"không có đơn vị {ref!r} trong sổ đăng ký{hint}"))
            return
        if not fan_out and is_group(ref):
            found.append((path, f"{ref!r} là một nhóm; ở đây cần một đơn vị"))
            return
        group = registry.groups.get(ref)
        if group and group.placeholder:
            found.append((path, f"{ref!r} ({registry.label(ref)}) chưa xác định: thay bằng các "
                                "đơn vị cụ thể hoặc bỏ đi"))
        elif group and not registry.expand(ref):
            found.append((path, f"nhóm {ref!r} chưa có thành viên nào trong sổ đăng ký"))

    found += _check_targets(spec)
    check(spec.directive.issuer, ("directive", "issuer"), fan_out=False)
    check(spec.coordinator, ("coordinator",), fan_out=False)
    refs_seen: dict[str, int] = {}
    for i, item in enumerate(spec.assignments):
        for role in ("lead", "cooperating"):
            for j, ref in enumerate(getattr(item, role)):
                check(ref, ("assignments", i, role, j), fan_out=True)
        check(item.report_to, ("assignments", i, "report_to"), fan_out=False)
        if item.ref in refs_seen:
            found.append((("assignments", i, "ref"),
                          f"mục {item.ref!r} trùng với assignments[{refs_seen[item.ref]}]"))
        refs_seen.setdefault(item.ref, i)
        problem = deadline_window_problem(item.deadline.parsed, spec.directive.issued_on)
        if problem:
            found.append((("assignments", i, "deadline", "rule"), problem))
    return found


def _check_targets(spec: TemplateSpec) -> list[tuple[Path_, str]]:
    """Target ids are unique; an assignment names only targets of the template."""
    found: list[tuple[Path_, str]] = []
    seen: dict[str, int] = {}
    for i, target in enumerate(spec.targets):
        if target.id in seen:
            found.append((("targets", i, "id"),
                          f"chỉ tiêu {target.id!r} trùng với targets[{seen[target.id]}]"))
        seen.setdefault(target.id, i)
    for i, item in enumerate(spec.assignments):
        for j, ref in enumerate(item.targets):
            if ref not in seen:
                known = f" (các chỉ tiêu: {', '.join(seen)})" if seen else \
                    " (mẫu chưa có mục targets)"
                found.append((("assignments", i, "targets", j),
                              f"không có chỉ tiêu {ref!r} trong targets{known}"))
    return found


def validation_problems(exc: ValidationError, lines: dict[Path_, int], file: str) -> list[Problem]:
    """Pydantic's errors as problems with file, line, field and a Vietnamese message."""
    problems = []
    for error in exc.errors():
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
        problems.append(Problem(file, line_of(lines, loc), field_name(loc), _message(error)))
    return problems


def parse_template(text: str, registry: Registry, *, file: str = "<template>") -> TemplateSpec:
    """Validate template text; raise TemplateError listing every problem with its line."""
    try:
        data, lines = load_with_lines(text)
    except YamlSyntaxError as exc:
        raise TemplateError([Problem(file, exc.line, "", exc.message)]) from None
    if not isinstance(data, dict):
        raise TemplateError([Problem(file, 1, "", "mẫu phải là một ánh xạ với directive và "
                                                   "assignments")])
    try:
        spec = TemplateSpec.model_validate(data)
    except ValidationError as exc:
        raise TemplateError(validation_problems(exc, lines, file)) from None
    problems = [Problem(file, line_of(lines, path), field_name(path), message)
                for path, message in _check_refs(spec, registry)]
    if problems:
        raise TemplateError(problems)
    return spec


def load_template(path: Path | str, registry: Registry) -> TemplateSpec:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TemplateError([Problem(str(path), None, "", f"không đọc được tệp ({exc.strerror})")]) \
            from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TemplateError([Problem(str(path), line, "", "tệp không phải văn bản UTF-8")]) \
            from None
    return parse_template(text, registry, file=str(path))


__all__ = [
    "AssignmentSpec", "DeadlineRuleError", "DeadlineSpec", "DirectiveHeader", "EscalationLevel",
    "PolicyOverride", "Problem", "TargetSpec", "TemplateError", "TemplateSpec", "load_template",
    "parse_template",
]
