"""02-NQ/TW: its targets drafted into the template, reviewed, launched; three of four
provincial federations report figures; the JSON report combines them as a hand computation
does and lists the federation that did not report."""

from __future__ import annotations

import json
import re

import pytest

from ingest.draft import draft_document
from ingest.yaml_out import draft_to_yaml
from models.db import unit_of_work
from models.template import parse_template
from models.vocabulary import file_size
from services.file_store import MemoryFileStore
from services.launch import launch_cascade
from services.results import ReportInput, submit_report
from tests.conftest import VN, at, cli_runner
from tests.ingest.conftest import SHARED
from tests.results.conftest import task_of, upload
from tests.results.samples import docx_bytes

DOCUMENT = SHARED / "02-NQ-TW-2021-bo-chinh-tri.txt"
PROVINCES = ["ldld_ha_noi", "ldld_hai_phong", "ldld_da_nang", "ldld_hue"]

pytestmark = pytest.mark.skipif(not DOCUMENT.exists(), reason="shared directives not present")


def reviewed_template(registry) -> str:
    """What the coordinator does with the draft: the provincial federations lead IV.1, which
    reports on T1 (members) and T3 (collective agreements); other flagged names settled."""
    text = draft_to_yaml(draft_document(DOCUMENT, registry))
    text = re.sub(r'(- ref: "IV\.1".*\n    lead: )\[[^\]]*\]', r"\1[" + ", ".join(PROVINCES) + "]",
                  text)
    text = re.sub(r'targets: \["T1", "T2", "T3"[^\]]*\]', 'targets: ["T1", "T3"]', text)
    text = text.replace(', "group:cac_ban_lien_quan"', "")
    return re.sub(r'"unresolved:[^"]*"', '"tld_van_phong"', text)


def test_targets_are_drafted_with_their_rule_and_the_item_that_reports(registry):
    """The draft's YAML has a real `targets:` block (id, text, unit, value, year, combine) and
    IV.1, which speaks of 'chỉ tiêu', names them for review."""
    text = draft_to_yaml(draft_document(DOCUMENT, registry))
    spec = parse_template(reviewed_template(registry), registry)
    first = spec.targets[0]
    assert (first.id, first.unit, first.value, first.year, first.combine) == (
        "T1", "triệu đoàn viên", 13.5, 2025, "sum")
    assert [(t.id, t.value, t.combine) for t in spec.targets if t.unit == "%"][:2] == [
        ("T3", 80.0, "share"), ("T4", 70.0, "share")]
    assert re.search(r'targets: \["T1", .*\]  # REVIEW: việc này nói đến chỉ tiêu', text)
    assert [a.targets for a in spec.assignments if a.ref == "IV.1"] == [["T1", "T3"]]


@pytest.fixture
def reported(engine, registry, calendar, make_app):
    """02-NQ/TW launched from its reviewed draft; Hà Nội, Hải Phòng, Đà Nẵng report."""
    text = reviewed_template(registry)
    launched_at = at("2023-07-20 09:00")
    with unit_of_work(engine) as session:
        launch_cascade(session=session, spec=parse_template(text, registry), template_text=text,
                       registry=registry, calendar=calendar, at=launched_at,
                       coordinator="tld_van_phong_dang_doan", annual_days={"IV.1": "12-15"},
                       launched_on=launched_at.date(), tz=VN)
    store = MemoryFileStore()
    given = {"ldld_ha_noi": {"T1": "1,25", "T3": "82,5"},
             "ldld_hai_phong": {"T1": "850 nghìn", "T3": "79"},
             "ldld_da_nang": {"T1": "0.4", "T3": "80%"}}
    for day, (body, figures) in enumerate(given.items(), start=1):
        files = [upload("Báo cáo.docx", docx_bytes())] if body == "ldld_ha_noi" else []
        with unit_of_work(engine) as session:
            submit_report(session=session, store=store, limits=make_app().upload_limits,
                          task_id=task_of(engine, body, "IV.1"),
                          report=ReportInput(summary="Báo cáo số liệu", files=files,
                                             figures=figures),
                          at=at(f"2023-12-0{day} 09:00"), tz=VN, actor=body, channel="cli")
    return store


def test_three_bodies_report_and_the_json_report_combines_their_figures(reported, make_app,
                                                                        tmp_path):
    """Hà Nội 1,25 triệu (with a .docx), Hải Phòng '850 nghìn', Đà Nẵng '0.4'; Huế nothing.
    T1 (sum): 1.25 + 0.85 + 0.4 = 2.5 triệu against 13.5, not reached. T3 (share of bodies at
    80 % or more): Hà Nội 82.5 and Đà Nẵng 80 reach it, Hải Phòng 79 does not: 2 of 3."""
    store = reported
    run = cli_runner(make_app(), tmp_path)
    report = json.loads(run("report", "02-NQ/TW", "--format", "json", "--at", "10/12/2023").stdout)
    targets = {t["id"]: t for t in report["targets"]}
    t1, t3 = targets["T1"], targets["T3"]
    assert t1["combined"] == pytest.approx(1.25 + 0.85 + 0.4) == pytest.approx(2.5)
    assert (t1["value"], t1["reporting"], t1["reached"]) == (13.5, 3, False)
    assert sorted(f["value"] for f in t1["figures"]) == [0.4, 0.85, 1.25]
    assert t3["combined"] == pytest.approx(100 * 2 / 3, abs=1e-6)
    assert (t3["reporting"], t3["reaching"], t3["reached"]) == (3, 2, None)
    for target in (t1, t3):
        assert [b["body"] for b in target["not_reported"]] == ["ldld_hue"]
    assert targets["T2"]["figures"] == [] and targets["T2"]["combined"] is None
    tasks = {t["body"]: t for t in report["tasks"] if t["ref"] == "IV.1"}
    assert tasks["ldld_ha_noi"]["files"] == [{"name": "Báo cáo.docx", "size": len(docx_bytes()),
                                              "sha256": next(iter(store.data))}]
    assert tasks["ldld_hai_phong"]["figures"] == {"T1": 0.85, "T3": 79.0}
    assert tasks["ldld_hue"]["report"] is None and tasks["ldld_hue"]["figures"] == {}
    assert tasks["ldld_ha_noi"]["report"]["review"] == "pending"


def test_the_docx_and_html_reports_show_targets_and_reports(reported, make_app, tmp_path):
    """Section III of the Word and HTML summaries: each target's combined figure, result and
    the bodies that did not report; each body's report with its files and review."""
    import io

    from docx import Document

    run = cli_runner(make_app(), tmp_path)
    run("report", "02-NQ/TW", "--format", "docx", "-o", "bc.docx", "--at", "10/12/2023")
    doc = Document(io.BytesIO((tmp_path / "bc.docx").read_bytes()))
    assert "III. BÁO CÁO KẾT QUẢ VÀ CHỈ TIÊU" in [p.text for p in doc.paragraphs]
    assert any("3 đơn vị đã gửi báo cáo cho 3 nhiệm vụ, kèm 1 tệp: 0 báo cáo đã được chấp nhận, "
               "0 bị trả lại, 3 chờ xem xét" in p.text for p in doc.paragraphs)
    targets = next(t for t in doc.tables if t.rows[0].cells[1].text == "Chỉ tiêu")
    t1 = [c.text for c in targets.rows[1].cells]
    assert t1[0] == "1" and t1[1].startswith("T1: Phấn đấu có 13,5 triệu đoàn viên")
    assert t1[2:] == ["13,5 triệu đoàn viên", "3", "2,5 triệu đoàn viên", "chưa đạt",
                      "Liên đoàn Lao động thành phố Huế"]
    t3 = [c.text for c in targets.rows[3].cells]
    assert t3[4:6] == ["2/3 đơn vị đạt (66,7%)", "—"]
    reports = next(t for t in doc.tables
                   if len(t.columns) == 7 and t.rows[0].cells[4].text == "Tệp đính kèm")
    rows = [[c.text for c in r.cells] for r in reports.rows[1:]]
    hanoi = next(r for r in rows if r[1] == "Liên đoàn Lao động Thành phố Hà Nội")
    assert hanoi[2:] == ["IV.1", "01/12/2023", f"Báo cáo.docx ({file_size(len(docx_bytes()))})",
                         "T1: 1,25 triệu đoàn viên\nT3: 82,5%", "chờ xem xét"]
    html = run("report", "02-NQ/TW", "--format", "html", "--at", "10/12/2023").stdout
    assert 'class="grid targets"' in html and "2,5 triệu đoàn viên" in html
    assert "Liên đoàn Lao động thành phố Huế" in html and "Báo cáo.docx" in html
