"""Which column of an assignment table holds what: number, task, lead, co-operating, deadline.

"Cơ quan chủ trì" is the lead even when a "Người đứng đầu chịu trách nhiệm" column comes first;
"Kết quả thực hiện" / "Sản phẩm" is the product, never a body.
"""

from __future__ import annotations

from ingest.text import ascii_key

# (role, words), the most telling first: a column takes the first role whose words it holds
_COLUMN_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ref", ("tt", "stt", "so tt", "so thu tu")),
    ("product", ("san pham", "ket qua", "hinh thuc")),
    ("cooperating", ("phoi hop",)),
    ("deadline", ("thoi gian", "thoi han", "tien do", "han hoan thanh", "hoan thanh")),
    ("person", ("nguoi dung dau", "lanh dao phu trach", "nguoi chiu trach nhiem")),
    ("lead", ("chu tri", "don vi thuc hien", "co quan thuc hien", "trach nhiem", "dau moi",
              "phu trach", "xu ly", "don vi", "co quan")),
    ("task", ("noi dung", "nhiem vu", "cong viec", "hoat dong", "ten", "de xuat",
              "giai phap")),
)


def column_role(text: str) -> str | None:
    key = ascii_key(text).strip(" .:")
    for role, words in _COLUMN_WORDS:
        if role == "ref":
            if key in words:
                return role
        elif any(w in key for w in words):
            return role
    return None


def table_columns(header: list[str]) -> dict[str, int]:
    """role -> column index, each role taken by its first column."""
    columns: dict[str, int] = {}
    for index, text in enumerate(header):
        role = column_role(text)
        if role and role not in columns and len(text) < 80:
            columns[role] = index
    return columns
