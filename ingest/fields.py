"""Labelled fields of an activity: "Đơn vị chủ trì: …", "Thời gian thực hiện: …", in any wording.

A label is a short phrase before a colon at the start of a paragraph (after a bullet). Its
role comes from its words: "phối hợp" is co-operating; "chủ trì", "thực hiện" with "đơn vị /
cơ quan / bộ phận", "trách nhiệm" or "đầu mối" is the lead; "thời gian / thời hạn / tiến độ"
the deadline; "nội dung / nhiệm vụ" the task; "sản phẩm / kết quả" the product.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text import ascii_key

_LABEL = re.compile(r"^[-+•–]?\s*(?P<label>[^\W\d_][^:;.]{1,50}?)\s*:\s*(?P<value>.*)$", re.DOTALL)
_LEAD_WORDS = ("chu tri", "dau moi")
_DOER = ("don vi", "co quan", "bo phan", "to chuc", "trach nhiem")


@dataclass(frozen=True)
class Field:
    role: str  # lead, cooperating, deadline, task, product
    label: str
    value: str
    value_offset: int  # where the value starts in the paragraph's text


def label_role(text: str) -> str | None:
    found = read_field(text)
    return found.role if found else None


def read_field(text: str) -> Field | None:
    m = _LABEL.match(text)
    if not m:
        return None
    label = m.group("label")
    key = ascii_key(label).strip()
    if len(key.split()) > 9 or re.match(r"(?:giao|de nghi|yeu cau)\s", key):
        return None  # "Giao Văn phòng Trung ương Đảng chủ trì:" introduces a list, not a field
    role = _role(key)
    if role is None:
        return None
    value = m.group("value").strip()
    if not value and not re.search(r"chu tri|phoi hop|thoi gian|thoi han|dau moi", key):
        return None  # "b) Cơ quan thực hiện:" heads the fields below it, "a) Nhiệm vụ:" a list
    return Field(role, label.strip(), value, m.start("value"))


def _role(key: str) -> str | None:
    if "phoi hop" in key:
        return "cooperating"
    if key.startswith(("thoi gian", "thoi han", "tien do", "han hoan thanh", "han chot")):
        return "deadline"
    if any(w in key for w in _LEAD_WORDS):
        return "lead"
    if "thuc hien" in key and any(w in key for w in _DOER) or key in (
            "trach nhiem", "trach nhiem thuc hien", "don vi thuc hien"):
        return "lead"
    if key.startswith(("noi dung", "nhiem vu", "cong viec")):
        return "task"
    if key.startswith(("san pham", "ket qua", "hinh thuc")):
        return "product"
    return None
