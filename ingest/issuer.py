"""Who issued the directive: the title ("NGHỊ QUYẾT CỦA BỘ CHÍNH TRỊ"), the signature
("T/M BỘ CHÍNH TRỊ"), the organ block at the top, a site's "Nơi ban hành", "(kèm theo … của
X)", the number's suffix, or the preamble's "X ban hành …".

An organ block is one or two levels: "BAN CHẤP HÀNH TRUNG ƯƠNG / VĂN PHÒNG" is the Văn phòng
of the Central Committee, tried as "Văn phòng" + each name of its parent ("Văn phòng Trung
ương"). An issuer outside the registry is `unresolved:<organ as printed>`.
"""

from __future__ import annotations

import re

from ingest.blocks import Para
from ingest.bodies import Resolver
from ingest.header import (
    _ANNEXED,
    _ISSUES,
    _MOTTO,
    _NUMBER_LINE,
    _PLACE_DATE,
    _SIGNED_FOR,
    Header,
    kind_name,
    number_codes,
)
from ingest.layout import Layout
from ingest.text import ascii_key, is_upper_text

Found = tuple[str, tuple[int, int]] | None


def read_issuer(layout: Layout, zone: list[Para], meta: dict[str, Para], kind_para: Para | None,
                header: Header, resolver: Resolver) -> None:
    plain = resolver.with_context(confederation=False)
    finders = (
        lambda: _in_title(zone, kind_para, resolver),
        lambda: _signed_for(layout, resolver),
        lambda: _organ_block(zone, resolver, plain),
        lambda: _metadata(meta, resolver),
        lambda: _annexed(zone, resolver),
        lambda: _number_code(header, resolver),
    )
    for finder in finders:
        found = finder()
        if found:
            header.issuer, header.lines["issuer"] = found
            _organ_of_confederation(layout, header, resolver)
            return
    organ = _organ_paras(zone)
    if organ:
        name = " ".join(p.text for p in organ)
        header.issuer = f"unresolved:{name}"
        header.lines["issuer"] = (organ[0].first, organ[-1].last)
    elif (value := meta.get("noi ban hanh")) is not None:
        header.issuer = f"unresolved:{value.text.strip()}"
        header.lines["issuer"] = (value.first, value.last)
    elif (issued := _preamble(zone)) is not None:
        header.issuer, header.lines["issuer"] = issued
    else:
        header.warnings.append("không xác định được cơ quan ban hành")
        return
    header.warnings.append(f"dòng {header.lines['issuer'][0]}: cơ quan ban hành "
                           f"«{header.issuer.removeprefix('unresolved:')}» không có trong sổ đăng "
                           "ký đơn vị")


def _organ_of_confederation(layout: Layout, header: Header, resolver: Resolver) -> None:
    """'TỔNG LIÊN ĐOÀN …' above and 'TM. ĐOÀN CHỦ TỊCH' below: the Đoàn Chủ tịch issued it."""
    from ingest.bodies import is_confederation

    if not is_confederation(resolver.registry, header.issuer):
        return
    found = _signed_for(layout, resolver.with_context(confederation=True))
    if found and found[0] != header.issuer and is_confederation(resolver.registry, found[0]):
        header.issuer, header.lines["issuer"] = found


def _in_title(zone: list[Para], kind_para: Para | None, resolver: Resolver) -> Found:
    """'NGHỊ QUYẾT CỦA BỘ CHÍNH TRỊ' (the 'của' part may be the next paragraph)."""
    if kind_para is None or kind_para not in zone:
        return None
    index = zone.index(kind_para)
    for para in zone[index:index + 3]:
        if para is not kind_para and not (para.upper or para.bold):
            continue  # a sentence of the preamble ("… kết luận của Bộ Chính trị, …") is no title
        m = re.search(r"\b(?:CỦA|của)\s+(.+)$", para.text)
        if m:
            # 'CỦA BỘ CHÍNH TRỊ, BAN BÍ THƯ VỀ …': the organs before what the title is about
            named = re.split(r"\s+(?:VỀ|về|V/V)\s+", m.group(1), maxsplit=1)[0]
            for candidate in (m.group(1), named, *re.split(r",\s*|\s+(?:VÀ|và)\s+", named)):
                ref = resolver.whole(candidate.strip(" .*"))
                if ref:
                    return ref, (para.first, para.last)
    return None


def _signed_for(layout: Layout, resolver: Resolver) -> Found:
    """'T/M BỘ CHÍNH TRỊ' above the signature."""
    for para in reversed(layout.paragraphs):
        if not layout.is_closing(para):
            continue
        m = _SIGNED_FOR.match(para.text)
        if m:
            ref = resolver.whole(m.group("body"))
            if ref:
                return ref, (para.first, para.last)
    return None


def _organ_paras(zone: list[Para]) -> list[Para]:
    """The issuing organ's paragraphs at the top ('BAN CHẤP HÀNH TRUNG ƯƠNG / VĂN PHÒNG')."""
    out: list[Para] = []
    for para in zone:
        text = para.text
        key = ascii_key(text)
        skip = (text in ("*", "") or key.startswith(_MOTTO) or re.match(r"so\b", key)
                or _motto_start(key)  # "**ĐẢNG CỘNG" / "SẢN VIỆT NAM**" split over two lines
                or _PLACE_DATE.search(text) or not is_upper_text(text) or kind_name(text)
                or key.startswith(("phu luc", "so hieu")) or _NUMBER_LINE.search(text)
                or re.match(r"^\d", text) or para.cell and text.endswith(":"))
        if skip:
            if out:
                break
            continue
        out.append(para)
    return out[:4]


def _motto_start(key: str) -> bool:
    """The first words of a motto wrapped over two lines ("CỘNG", "ĐẢNG CỘNG")."""
    words = key.strip(" *")
    return len(words) >= 4 and any(m.startswith(words) for m in _MOTTO)


def _organ_block(zone: list[Para], resolver: Resolver, plain: Resolver) -> Found:
    organ = _organ_paras(zone)
    for first in range(len(organ) - 1, -1, -1):
        paras = organ[first:]
        name = " ".join(p.text for p in paras)
        lines = (paras[0].first, paras[-1].last)
        ref = plain.whole(name) or (resolver.whole(name) if first == 0 else None)
        if ref:
            return ref, lines
        parent = plain.whole(" ".join(p.text for p in organ[:first])) if first else None
        if parent and parent in resolver.registry.bodies:
            body = resolver.registry.bodies[parent]
            for form in (body.name, *body.aliases):
                ref = plain.whole(f"{name} {form}")
                if ref:
                    return ref, (organ[0].first, lines[1])
    return None


def _metadata(meta: dict[str, Para], resolver: Resolver) -> Found:
    value = meta.get("noi ban hanh") or meta.get("co quan ban hanh")
    if value is None:
        return None
    ref = resolver.with_context(confederation=False).whole(value.text)
    return (ref, (value.first, value.last)) if ref else None


def _annexed(zone: list[Para], resolver: Resolver) -> Found:
    """'(Ban hành kèm theo Kế hoạch số ... của Đoàn Chủ tịch Tổng Liên đoàn)'."""
    for para in zone:
        if _ANNEXED.search(para.text):
            m = re.search(r"\bcủa\s+([^)]+)", para.text)
            ref = resolver.whole(m.group(1).strip(" .*")) if m else None
            if ref:
                return ref, (para.first, para.last)
    return None


def _number_code(header: Header, resolver: Resolver) -> Found:
    if not header.number:
        return None
    _, code = number_codes(header.number)
    ref = resolver.abbreviation(code) if code else None
    return (ref, header.lines["number"]) if ref else None


def _preamble(zone: list[Para]) -> tuple[str, tuple[int, int]] | None:
    """'…, Ủy ban nhân dân Thành phố ban hành Kế hoạch …': the subject that issues."""
    for para in zone:
        for clause in re.split(r"[;,]\s+", para.text):
            m = _ISSUES.match(clause.strip())
            if m and m.group("who")[0].isupper() and len(m.group("who").split()) <= 12:
                return f"unresolved:{m.group('who').strip()}", (para.first, para.last)
    return None
