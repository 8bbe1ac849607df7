"""What a section or a paragraph is for, from its words: where assignments are looked for.

Section titles are evidence, not a gate: an assignment section ("TỔ CHỨC THỰC HIỆN", "PHÂN
CÔNG NHIỆM VỤ", ...) lets a body named as a sentence's subject lead; a section about aims,
the situation or results ("MỤC ĐÍCH, YÊU CẦU", "Về đánh giá tình hình ...") assigns nothing;
elsewhere only a strong sign (a label, "giao ...", "chủ trì", "có trách nhiệm") does.
"""

from __future__ import annotations

import re

from ingest.text import ascii_key

_ASSIGNMENT = re.compile(
    r"^(?:ve\s+)?(?:to chuc thuc hien|tien do thuc hien|phan cong thuc hien|phan cong nhiem vu|"
    r"trach nhiem thuc hien|to chuc trien khai|phan cong trach nhiem|trach nhiem cua|"
    r"nhiem vu cu the cua|giao nhiem vu)")
_EXCLUDED = re.compile(
    r"^(?:ve\s+)?(?:muc dich|yeu cau(?!\s+(?:cac|nhung|ubnd|uy ban|so|ban)\b)|"
    r"quan diem|muc tieu|tinh hinh|thuc trang|ket qua|danh gia|"
    r"han che|nguyen nhan|boi canh|su can thiet|can cu|doi tuong|pham vi|thanh phan|"
    r"danh muc (?:cac )?van ban|giai thich|phuong phap|cac buoc|chi tieu|bai hoc|noi dung giam sat|"
    r"noi dung danh gia)")
_SUMMARY = re.compile(r"^tren day la\b")
_GENERIC_CLOSE = re.compile(r"\./\.\s*$")


def section_kind(title: str) -> str | None:
    """'assignment', 'excluded' or None (neutral) for a heading's title."""
    key = ascii_key(title).strip(" .:*")
    if _ASSIGNMENT.match(key):
        return "assignment"
    if _EXCLUDED.match(key):
        return "excluded"
    return None


def is_summary(text: str) -> bool:
    """'Trên đây là Kế hoạch ...': the closing summary of a plan."""
    return bool(_SUMMARY.match(ascii_key(text).strip()))


def ends_document(text: str) -> bool:
    """The text ends with the closing mark of Vietnamese administrative documents ('./.')."""
    return bool(_GENERIC_CLOSE.search(text))


def is_issuance(text: str) -> bool:
    """'…, UBND tỉnh ban hành Kế hoạch … như sau:': the preamble's issuing sentence."""
    key = ascii_key(text).strip()
    return key.endswith(("nhu sau:", "sau:", "nhu sau", "cu the nhu sau:")) and bool(
        re.search(r"\b(?:ban hanh|trien khai|huong dan|xay dung|ket luan|thong bao)\b", key))
