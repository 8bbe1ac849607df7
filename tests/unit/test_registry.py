"""The registry: ids kept from bodies.json, fan-out of groups, name lookup."""

import json
from pathlib import Path

import pytest

from models.registry import Registry, RegistryError, load_registry

SHARED = Path(__file__).resolve().parents[3] / "shared" / "registry" / "bodies.json"


@pytest.mark.skipif(not SHARED.exists(), reason="shared/registry/bodies.json not beside the repo")
def test_bodies_yaml_keeps_every_id_group_and_alias_of_bodies_json(registry):
    """config/bodies.yaml has the same ids, group members and aliases as the research registry."""
    data = json.loads(SHARED.read_text(encoding="utf-8"))
    assert set(registry.bodies) == {b["id"] for b in data["bodies"]}
    for b in data["bodies"]:
        assert list(registry.bodies[b["id"]].aliases) == b["aliases"]
    for g in data["groups"]:
        assert list(registry.groups[g["id"]].members) == g["members"]


def test_provincial_federations_fan_out_to_34(registry):
    """'các LĐLĐ tỉnh, thành phố' means the 34 provincial federations since 1/7/2025."""
    members = registry.expand("group:ldld_tinh_thanh_pho")
    assert len(members) == 34 and len(set(members)) == 34
    assert all(registry.bodies[m].kind == "provincial_federation" for m in members)


def test_nested_group_fans_out_to_each_body_once(registry):
    """The standard fan-out target expands its sub-groups: 34 + 11 + 7 bodies."""
    members = registry.expand("group:cong_doan_cap_tinh_nganh_tw")
    assert len(members) == 34 + 11 + 7
    assert len(set(members)) == len(members)


def test_expand_all_deduplicates_across_references(registry):
    """A body named directly and through a group gets one task."""
    out = registry.expand_all(["tld_van_phong", "group:ban_don_vi_truc_thuoc_tld"])
    assert out.count("tld_van_phong") == 1 and len(out) == 11


@pytest.mark.parametrize("name, expected", [
    ("các LĐLĐ tỉnh, thành phố", "group:ldld_tinh_thanh_pho"),
    ("CAC LDLD TINH, THANH PHO", "group:ldld_tinh_thanh_pho"),
    ("Ban Tuyên giáo", "tld_ban_tuyen_giao"),
    ("Ban Tuyên giáo Trung ương", "ext_ban_tuyen_giao_tw"),
    ("Ban Chính sách – Pháp luật", "tld_ban_chinh_sach_phap_luat"),
    ("**Ban Tổ chức**", "tld_ban_to_chuc"),
    ("tld_van_phong", "tld_van_phong"),
])
def test_lookup_by_name_alias_accents_and_dashes(registry, name, expected):
    """Names resolve with or without diacritics, with any dash, through markdown remnants."""
    assert registry.lookup(name) == [expected]


def test_lookup_of_an_unknown_name_is_empty(registry):
    """An unknown name resolves to nothing rather than a guess."""
    assert registry.lookup("Ban Không Tồn Tại") == []


def test_a_group_member_missing_from_the_registry_is_refused(tmp_path):
    """A registry whose group names an unknown member does not load."""
    path = tmp_path / "bodies.yaml"
    path.write_text("bodies:\n  - {id: a, name: A, kind: office}\n"
                    "groups:\n  - {id: 'group:g', members: [a, b]}\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="'b'"):
        load_registry(path)


def test_registry_is_a_plain_value(registry):
    """The registry is built from bodies and groups alone (no database needed)."""
    assert isinstance(registry, Registry)
    assert registry.label("group:ldld_tinh_thanh_pho") == "các liên đoàn lao động tỉnh, thành phố"
