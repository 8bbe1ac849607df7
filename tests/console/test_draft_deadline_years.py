"""A deadline typed on the review page in a year that does not exist (month 12/0000, quarter
1/0000) is flagged on the page, as any rule that cannot be read is; the draft used to answer
500 on every visit from then on ("year 0 is out of range"). Found by test_property_routes."""

from __future__ import annotations

import pytest

from models.deadlines import DeadlineRuleError, parse_rule
from tests.conftest import ROOT
from tests.console.conftest import csrf_of

DOC = ROOT / "tests" / "fixtures" / "documents" / "ke-hoach-co-quan-dia-phuong.txt"


@pytest.mark.parametrize("rule", ["0000-12", "0000-Q1", "0000-H2", "0000", "0000-01-01"])
def test_a_rule_in_year_0_is_a_rule_error(rule):
    with pytest.raises(DeadlineRuleError, match="năm 0000 không tồn tại"):
        parse_rule(rule)


@pytest.mark.parametrize(("kind", "value"), [("month", "12/0000"), ("quarter", "1/0000")])
def test_a_deadline_in_year_0_is_flagged_and_the_draft_still_opens(console_app, web, kind,
                                                                   value):
    client = web("coordinator")
    form = csrf_of(client.get("/directives/new").text)
    created = client.post("/directives/new", data={"csrf_token": form, "text": DOC.read_text()},
                          follow_redirects=False)
    draft = created.headers["location"]
    form = csrf_of(client.get(draft).text)
    saved = client.post(draft, data={"csrf_token": form, "i-0-task": "Tổ chức hội nghị",
                                     "i-0-dk": kind, "i-0-dv": value}, follow_redirects=False)
    assert saved.status_code < 500
    page = client.get(draft)
    assert page.status_code == 200 and "năm 0000 không tồn tại" in page.text
    assert client.get(f"{draft}/preview").status_code < 500
