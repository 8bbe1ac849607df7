"""The grading scheme of `cascade evaluate` (config/evaluation.yaml): points per outcome,
deductions per returned report and per extension, grade thresholds. The office edits the file;
a mistake is refused with its file, line and field."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from models.template import Problem, validation_problems
from models.yaml_lines import YamlSyntaxError, load_with_lines

OUTCOMES = ("done_on_time", "done_late", "open_overdue", "open_in_term")


class SchemeError(ValueError):
    """config/evaluation.yaml is malformed; `problems` lists every problem with its line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("cách xếp loại không hợp lệ:\n" + "\n".join(f"  {p}" for p in problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Points(_Strict):
    done_on_time: float
    done_late: float
    open_overdue: float
    open_in_term: float | None = None


class Deductions(_Strict):
    returned: float = Field(default=0, ge=0)
    extension: float = Field(default=0, ge=0)


class GradeSpec(_Strict):
    name: str = Field(min_length=1)
    min: float

    @field_validator("name", mode="before")
    @classmethod
    def _nfc(cls, value: Any) -> Any:
        return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value


class SchemeSpec(_Strict):
    points: Points
    deductions: Deductions = Field(default_factory=Deductions)
    grades: list[GradeSpec] = Field(min_length=1)

    @field_validator("grades")
    @classmethod
    def _ordered(cls, grades: list[GradeSpec]) -> list[GradeSpec]:
        mins = [g.min for g in grades]
        if any(not math.isfinite(m) for m in mins) or mins != sorted(mins, reverse=True) \
                or len(set(mins)) != len(mins):
            raise ValueError("xếp các loại từ cao xuống thấp, mỗi loại một mức min khác nhau")
        if mins and mins[-1] > 0:
            raise ValueError(f"loại cuối cùng ({grades[-1].name}) phải có min: 0, để điểm nào "
                             "cũng có loại")
        if len({g.name for g in grades}) != len(grades):
            raise ValueError("hai loại trùng tên")
        return grades


@dataclass(frozen=True)
class Scheme:
    points: dict[str, float | None]  # OUTCOMES -> points (None: not counted)
    returned: float  # deducted per returned report
    extension: float  # deducted per extension
    grades: tuple[tuple[str, float], ...]  # (name, min score), highest first
    source: str = ""

    def counted(self, outcome: str) -> bool:
        return self.points.get(outcome) is not None

    def grade(self, score: float | None) -> str | None:
        if score is None:
            return None
        return next((name for name, low in self.grades if score >= low), self.grades[-1][0])

    def as_json(self) -> dict[str, Any]:
        return {"points": self.points, "deductions": {"returned": self.returned,
                                                      "extension": self.extension},
                "grades": [{"name": n, "min": m} for n, m in self.grades]}


def parse_scheme(text: str, *, file: str = "<evaluation>") -> Scheme:
    try:
        data, lines = load_with_lines(text)
    except YamlSyntaxError as exc:
        raise SchemeError([Problem(file, exc.line, "", exc.message)]) from None
    if not isinstance(data, dict):
        raise SchemeError([Problem(file, 1, "", "cần các mục points, deductions, grades")])
    try:
        spec = SchemeSpec.model_validate(data)
    except ValidationError as exc:
        raise SchemeError(validation_problems(exc, lines, file)) from None
    return Scheme(points=spec.points.model_dump(), returned=spec.deductions.returned,
                  extension=spec.deductions.extension,
                  grades=tuple((g.name, g.min) for g in spec.grades), source=file)


def load_scheme(path: Path) -> Scheme:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "không phải văn bản UTF-8"
        raise SchemeError([Problem(str(path), None, "", f"không đọc được tệp ({reason})")]) \
            from None
    return parse_scheme(text, file=str(path))
