"""The candidates offered for a name the registry lacks are ranked by what the name says: the
kind of body, its place, its words. A province's Sở or office is never a body of the
Confederation, a body added for one name never becomes the answer for another, and the
candidates of one name do not all score alike."""

from __future__ import annotations

from ingest.aliases import candidates
from services import review


def _scores(name, registry):
    return {c.ref: c.score for c in candidates(name, registry)}


def test_a_provincial_so_or_office_is_no_confederation_body(registry):
    for name in ("Sở Tư pháp", "Sở Nội vụ", "Sở Khoa học và Công nghệ", "Văn phòng UBND tỉnh",
                 "UBND cấp xã"):
        found = candidates(name, registry)
        assert max(c.score for c in found) < 35, (name, found)
        assert not any(c.same_head for c in found), name
    office = _scores("Văn phòng UBND tỉnh", registry)
    assert office.get("tld_van_phong", 0) < 20
    assert _scores("Văn phòng Tổng Liên đoàn", registry)["tld_van_phong"] >= 85


def test_a_plural_of_bodies_is_no_single_body(registry):
    found = candidates("Các cơ quan, đơn vị", registry)
    assert "tld_co_quan_bao_chi" not in [c.ref for c in found[:3]]
    assert found[0].ref.startswith("group:")


def test_place_and_kind_rank_a_federation(registry):
    found = candidates("Liên đoàn Lao động tỉnh Bắc Ninh", registry)
    assert found[0].ref == "ldld_bac_ninh" and found[0].score > found[1].score + 20
    assert len({c.score for c in found}) == len(found)  # no two alike: no "gần 86%" for all


def test_a_new_body_never_becomes_another_names_answer(make_app):
    app = make_app()
    review.add_local_body(app.settings.local_registry_path, name="Sở Tư pháp", kind="external",
                          registry=app.registry)
    again = make_app()  # the local registry is read at load
    for name in ("Sở Khoa học và Công nghệ", "Sở Nội vụ"):
        found = candidates(name, again.registry)
        added = next((c for c in found if c.ref.startswith("local_")), None)
        assert added is None or added.score < 20, (name, found)
