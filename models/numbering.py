"""Directive numbers: one spelling for "Số 45 - KH/ĐĐTLĐ", "45-KH/ĐĐTLĐ" and "45–KH/ĐĐTLĐ"."""

from __future__ import annotations

import re
import unicodedata


def normalise_number(text: str) -> str:
    """'45 - KH/ĐĐTLĐ' -> '45-KH/ĐĐTLĐ' (NFC, one hyphen, no spaces around - and /)."""
    s = unicodedata.normalize("NFC", text).strip()
    s = re.sub(r"^(số|so)\s*[:.]?\s*", "", s, flags=re.IGNORECASE)
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", s)
    s = re.sub(r"\s*([-/])\s*", r"\1", s)
    return s.rstrip(".,;")
