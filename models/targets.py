"""Targets (chỉ tiêu) in a template, and how the figures of several bodies combine.

    targets:
      - id: T1
        text: Phấn đấu có 13,5 triệu đoàn viên công đoàn
        unit: triệu đoàn viên
        value: 13.5          # the value aimed at
        year: 2025
        combine: sum         # sum | mean | min | share
    assignments:
      - ref: IV.1
        targets: [T1]        # the bodies of this item report a figure for T1

- sum: the figures add up (members, unions founded, money);
- mean: the average of the bodies' figures (a rate);
- min: the lowest figure, a floor every body must reach on its own;
- share: the percentage of reporting bodies whose figure reaches the value aimed at.

A figure reaches the value when it is at least the value (targets are floors to reach).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

COMBINE_RULES = ("sum", "mean", "min", "share")
Rule = Literal["sum", "mean", "min", "share"]


class TargetSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_start: int
    line_end: int


class TargetSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    text: str = Field(min_length=1)
    unit: str = Field(min_length=1, max_length=80)
    value: float
    year: int | None = Field(default=None, ge=1900, le=2200)
    combine: Rule = "sum"
    source: TargetSource | None = None

    @field_validator("text", "unit", mode="before")
    @classmethod
    def _nfc(cls, value: Any) -> Any:
        return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("giá trị chỉ tiêu phải là một số")
        return value


@dataclass(frozen=True)
class Combined:
    """The figures of the reporting bodies for one target, combined by its rule."""

    rule: str
    value: float | None  # None: no body reported
    reporting: int  # bodies that gave a figure
    reaching: int  # of those, bodies whose figure reaches the value aimed at
    reached: bool | None  # the combined figure reaches the value (None: no figure, or share)


def combine(values: list[float], *, rule: str, aimed: float) -> Combined:
    """Combine one figure per body by `rule` (see the module docstring)."""
    reaching = sum(1 for v in values if v >= aimed)
    if not values:
        return Combined(rule, None, 0, 0, None)
    if rule == "sum":
        value = math.fsum(values)
    elif rule == "mean":
        value = math.fsum(values) / len(values)
    elif rule == "min":
        value = min(values)
    elif rule == "share":
        value = 100.0 * reaching / len(values)
        return Combined(rule, round(value, 6), len(values), reaching, None)
    else:
        raise ValueError(f"cách cộng gộp {rule!r}: chọn một trong {', '.join(COMBINE_RULES)}")
    value = round(value, 6)
    return Combined(rule, value, len(values), reaching, value >= aimed)
