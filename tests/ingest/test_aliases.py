"""The review's alias file: fuzzy candidates, atomic load/save, and drafts that use it."""

import pytest

from ingest.aliases import AliasError, candidates, load_aliases, record, save_aliases
from ingest.draft import draft_text

TEXT = ("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN\nSố: 5/KH-UBND\nNghệ An, ngày 2 tháng 1 năm 2025\n"
        "KẾ HOẠCH\nVề tập huấn\n\nIV. TỔ CHỨC THỰC HIỆN\n\n"
        "1. Liên đoàn Lao động tỉnh chủ trì tập huấn cán bộ công đoàn.\n"
        "2. Sở Tư pháp chủ trì phổ biến pháp luật.\n"
        "3. Bộ Chỉ huy Quân sự tỉnh chủ trì diễn tập.\n"
        "4. Các chủ doanh nghiệp tư nhân có trách nhiệm phối hợp.\n")


def test_candidates_are_accent_insensitive(registry):
    """A name typed without accents or with a slip finds the right body first."""
    best = candidates("Ban Tuyen giao Tong Lien doan", registry)[0]
    assert best.ref == "tld_ban_tuyen_giao" and best.score > 80
    assert candidates("unresolved:Van phong Dang doan TLD", registry, limit=2)[0].ref == \
        "tld_van_phong_dang_doan"


def test_aliases_round_trip_atomically(tmp_path, registry):
    """Decisions saved and loaded again are the same; keys are normalised phrases."""
    path = tmp_path / "aliases.yaml"
    save_aliases(path, {"Sở Tư pháp": "ldld_nghe_an", "Bộ Chỉ huy Quân sự tỉnh": "external"})
    assert load_aliases(path, registry) == {"so tu phap": "ldld_nghe_an",
                                            "bo chi huy quan su tinh": "external"}
    record(path, "unresolved:Các chủ doanh nghiệp tư nhân", "drop", registry)
    assert load_aliases(path)["chu doanh nghiep tu nhan"] == "drop"
    assert [p.name for p in tmp_path.iterdir()] == ["aliases.yaml"]


def test_unknown_decision_is_refused(tmp_path, registry):
    """A decision that is neither an id, 'external' nor 'drop' is refused with the phrase."""
    path = tmp_path / "aliases.yaml"
    path.write_text("so tu phap: ban_khong_co\n", encoding="utf-8")
    with pytest.raises(AliasError, match="so tu phap"):
        load_aliases(path, registry)


def test_next_draft_resolves_reviewed_names(registry):
    """A mapped phrase becomes the id, 'external' is kept as external, 'drop' disappears."""
    first = draft_text(TEXT, "kh.txt", registry)
    leads = [a["lead"] for a in first["assignments"]]
    assert leads[0] == ["ldld_nghe_an"]  # 'Liên đoàn Lao động tỉnh' within the issuer's province
    assert leads[1] == ["unresolved:Sở Tư pháp"]
    aliases = {"so tu phap": "tld_ban_chinh_sach_phap_luat", "bo chi huy quan su tinh": "external",
               "chu doanh nghiep tu nhan": "drop"}
    second = draft_text(TEXT, "kh.txt", registry, aliases=aliases)
    leads = [a["lead"] for a in second["assignments"]]
    assert leads[1] == ["tld_ban_chinh_sach_phap_luat"]
    assert leads[2] == ["external:Bộ Chỉ huy Quân sự tỉnh"]
    assert len(second["assignments"]) == 3


def test_a_candidate_of_another_kind_of_body_is_not_proposed(registry):
    """"UBND tỉnh Bắc Ninh" is near "LĐLĐ tỉnh Bắc Ninh" in letters, yet another body: the
    review proposes no candidate for it (outside the system), and proposes the federation
    for "LĐLĐ tỉnh Bắc Ninh"."""
    from services.review import EXTERNAL, MAP, Name

    state = Name("ỦY BAN NHÂN DÂN TỈNH BẮC NINH",
                 candidates=candidates("ỦY BAN NHÂN DÂN TỈNH BẮC NINH", registry))
    assert state.candidates[0].ref == "ldld_bac_ninh" and not state.candidates[0].same_head
    assert state.likely is None and state.proposed == EXTERNAL
    departments = Name("Các Sở, ngành", candidates=candidates("Các Sở, ngành", registry))
    assert departments.proposed == EXTERNAL
    federation = Name("LĐLĐ tỉnh Bắc Ninh", candidates=candidates("LĐLĐ tỉnh Bắc Ninh", registry))
    assert federation.proposed == MAP and federation.likely.ref == "ldld_bac_ninh"
