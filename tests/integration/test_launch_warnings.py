"""`cascade launch` says what the console's preview says: items already past due (and whether
the sweep will chase them: never beyond 400 days after the deadline) and the bodies that get no
mail, in its table and in the JSON's "warnings"; `cascade status` says which tasks the sweep no
longer chases."""

from __future__ import annotations

import json

from tests.conftest import ROOT, at, cli_runner

CHILD = ROOT / "templates" / "examples" / "07-KH-LDLD-ha-noi.yaml"


def test_a_plan_launched_years_late_warns_per_item_in_json_and_in_the_table(make_app, tmp_path):
    cli = cli_runner(make_app(), tmp_path)
    cli("init")
    result = json.loads(cli("launch", CHILD, "--dry-run", "--format", "json",
                            "--at", "2026-12-07T09:00").stdout)
    warnings = result["warnings"]
    assert any(w.startswith("mục 1: hạn 30/09/2023 đã qua 1164 ngày") and "không đôn đốc quá 400 "
               "ngày sau hạn" in w for w in warnings), warnings
    assert any(w.startswith("mục 2: hạn 15/11/2023") for w in warnings)
    table = cli("launch", CHILD, "--dry-run", "--at", "2026-12-07T09:00", columns=120)
    assert "30/09/2023 (quá hạn)" in table.stdout
    assert "Lưu ý: mục 1: hạn 30/09/2023" in table.stderr


def test_bodies_without_an_address_are_a_warning(make_app, tmp_path):
    contacts = tmp_path / "contacts.yaml"
    contacts.write_text("tld: [tld@example.org]\n", encoding="utf-8")
    cli = cli_runner(make_app(CASCADE_CONTACTS=str(contacts)), tmp_path)
    cli("init")
    result = json.loads(cli("launch", CHILD, "--format", "json", "--at", "2023-08-20T09:00").stdout)
    assert result["missing_email"] == ["ldld_ha_noi"]
    assert any("1 đơn vị chưa có địa chỉ e-mail" in w and "ldld_ha_noi" in w
               for w in result["warnings"])
    assert not any("đã qua" in w for w in result["warnings"])  # launched in time


def test_status_says_when_the_sweep_stopped_chasing(make_app, tmp_path):
    from tests.conftest import FixedClock

    cli = cli_runner(make_app(clock=FixedClock(at("2023-08-20 09:00"))), tmp_path)
    cli("init")
    cli("launch", CHILD)
    late = cli("status", "07/KH-LĐLĐ", "--at", "2024-12-01 09:00", columns=120)
    assert "ngừng đôn đốc" in late.stdout and "03/11/2024" in late.stdout  # 30/9/2023 + 400 days
    fresh = cli("status", "07/KH-LĐLĐ", "--at", "2023-10-10 09:00", columns=120)
    assert "ngừng đôn đốc" not in fresh.stdout
