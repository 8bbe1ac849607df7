"""Is this a Vietnamese text? A cheap test on the share of very common Vietnamese syllables.

Vietnamese prose is made of short syllables, and a few dozen of them ("và", "các", "của",
"thực hiện", "công đoàn") make up a large part of any directive; English or French text,
even with accents, shares almost none of them (words common to both, like "do" or "la", are
left out). Text typed without accents passes too: the comparison is accent-free. A text on a
subject far from directives' wording (tax, customs, farming) has fewer of them, but a third of
its words carry letters only Vietnamese writes (ă, đ, ơ, ư, a dot below, a hook above).
"""

from __future__ import annotations

import re

from ingest.errors import DraftError
from ingest.reading import Document
from ingest.text import ascii_key

_COMMON = frozenset("""
va cac cua thuc hien cong doan lao dong nghi quyet ke hoach chuc trong nhung duoc voi nam ngay
thang tong lien viec nguoi chu tri phoi hop nhiem vu bao cao chi dao trien khai tuyen giao xay
dung phat kinh xa hoi chinh sach phap luat nha nuoc tinh thanh pho quan ly tap trung uong vien
tham gia muc tieu giai cap cap co so doanh nghiep nghiep tren duoi cho nay khong mot hai ba
cung theo nhu thuong xuyen tiep tuc nang cao hieu qua ket qua chuong trinh van phong kiem tra
giam sat dam bao quyen loi ich hang toan dan viet dai hoi chap hanh uy lanh phong trao thi dua
ban noi da de ve tai su thong tu nghi dinh quy dinh dieu khoan thue hai quan bo so
""".split())
# letters only Vietnamese writes (ă đ ơ ư, a dot below, a hook above, ĩ ũ ỹ): French, Spanish or
# Portuguese accents are not among them
_VIETNAMESE_LETTERS = frozenset(
    "ăđơưạặậẹệịọộợụựỵảẳẩẻểỉỏổởủửỷắằẵẫếềễốồỗớờỡứừữỳỹĩũ"
    "ĂĐƠƯẠẶẬẸỆỊỌỘỢỤỰỴẢẲẨẺỂỈỎỔỞỦỬỶẮẰẴẪẾỀỄỐỒỖỚỜỠỨỪỮỲỸĨŨ")
_WORD = re.compile(r"[^\W\d_]+")
MIN_SHARE = 0.35


def vietnamese_share(text: str) -> float:
    words = _WORD.findall(ascii_key(text))
    if not words:
        return 0.0
    return sum(1 for w in words if w in _COMMON) / len(words)


def check_vietnamese(document: Document) -> None:
    """DraftError unless the document reads as Vietnamese."""
    text = "\n".join(document.lines)
    words = _WORD.findall(text)
    if not words:
        raise DraftError(f"{document.name}: văn bản không có chữ nào để soạn")
    share = vietnamese_share(text)
    marked = sum(1 for w in words if _VIETNAMESE_LETTERS.intersection(w)) / len(words)
    if share < MIN_SHARE and not (marked >= 0.3 and share >= 0.15):
        raise DraftError(f"{document.name}: văn bản không phải tiếng Việt (chỉ {share:.0%} từ "
                         "thông dụng tiếng Việt); cần văn bản chỉ đạo bằng tiếng Việt")
