"""The review page's names: never decided for the user, settled on the one form with a bulk
decision and one save, remembered per issuer as a suggestion to confirm (never applied by
itself), and listed on «Quyết định đã nhớ» to edit or withdraw."""

from __future__ import annotations

import re

import sqlalchemy as sa

from models.db import unit_of_work
from models.review_tables import NameDecision
from services import drafts as draft_service
from services import review
from tests.console.conftest import csrf_of
from tests.console.test_pages import SHARED

BAC_NINH = SHARED / "141-KH-UBND-2025-bac-ninh.txt"
LAI_CHAU = SHARED / "7360-KH-UBND-2025-lai-chau.txt"


def _paste(client, path) -> str:
    new = client.get("/directives/new")
    created = client.post("/directives/new", data={"csrf_token": csrf_of(new.text),
                                                   "text": path.read_text(encoding="utf-8")},
                          follow_redirects=False)
    assert created.status_code == 303, created.text
    return created.headers["location"]


def _names(page: str) -> list[str]:
    """The names on the review form, in order (their hidden phrase fields)."""
    import html

    return [html.unescape(p) for p in re.findall(r'name="n-\d+-phrase" value="([^"]*)"', page)]


def _draft(app, url):
    with unit_of_work(app.engine, write=False) as session:
        row = session.get(draft_service.DraftReview, int(url.rsplit("/", 1)[1]))
        return row.draft if row.status == draft_service.OPEN else None


def _refs(draft) -> set[str]:
    return {r for a in draft["assignments"] for role in ("lead", "cooperating")
            for r in a[role]}


def test_a_name_starts_undecided_and_its_candidates_are_ranked_by_what_it_says(console_app, web):
    client = web("coordinator")
    page = client.get(_paste(client, BAC_NINH)).text
    assert "Sở Tư pháp" in _names(page) and "Văn phòng UBND tỉnh" in _names(page)
    checked = re.findall(r'<input type="radio" name="n-\d+" value="([^"]*)" checked', page)
    assert set(checked) == {""} and len(checked) == len(_names(page))  # all «Chưa quyết định»
    names = {n.phrase: n for n in review.unresolved_names(
        _draft(console_app, _paste(client, BAC_NINH)), console_app.registry)}
    for phrase in ("Sở Tư pháp", "Sở Khoa học và Công nghệ", "Sở Nội vụ"):
        scores = [c.score for c in names[phrase].candidates]
        assert scores[0] < 35, (phrase, names[phrase].candidates)  # no Sở in the registry
        assert len(set(scores)) > 1, scores
        assert not any(c.ref.startswith("tld_ban") and c.score > 20
                       for c in names[phrase].candidates)
    office = names["Văn phòng UBND tỉnh"].candidates
    assert office[0].ref != "tld_van_phong" and office[0].score < 35
    assert not any(c.same_head for c in names["Sở Tư pháp"].candidates)
    groups = names["Các cơ quan, đơn vị"].candidates
    assert "tld_co_quan_bao_chi" not in [c.ref for c in groups[:3]]


def test_one_save_settles_every_name_and_remembers_it_for_the_same_issuer_only(console_app, web):
    client = web("coordinator")
    url = _paste(client, BAC_NINH)
    page = client.get(url).text
    names = _names(page)
    k = names.index("Sở Tư pháp")
    data = {"csrf_token": csrf_of(page), "n-count": str(len(names)), "go": "save",
            f"n-{k}-target": "Liên đoàn Lao động tỉnh Bắc Ninh (ldld_bac_ninh)",
            "bulk": "external", "bulk-scope": "undecided", "h-signer": "Phạm Văn Thịnh",
            "h-place": "Bắc Ninh"}
    data.update({f"n-{i}-phrase": p for i, p in enumerate(names)})
    saved = client.post(url, data=data, follow_redirects=True)
    assert saved.status_code == 200 and "Đã lưu bản nháp" in saved.text
    assert f"quyết định cho {len(names)} tên" in saved.text
    draft = _draft(console_app, url)
    refs = _refs(draft)
    assert not [r for r in refs if r.startswith("unresolved:")]
    assert "ldld_bac_ninh" in refs and all(r == "ldld_bac_ninh" or r.startswith("external:")
                                           for r in refs)
    assert draft["directive"]["signer"] == "Phạm Văn Thịnh"
    with unit_of_work(console_app.engine, write=False) as session:
        rows = session.exec(sa.select(NameDecision)).scalars().all()
    assert len(rows) == len(names)
    assert {r.issuer_key for r in rows} == {"ubnd tinh bac ninh"}

    # the same issuer again: a suggestion to confirm, nothing applied
    again = _paste(client, BAC_NINH)
    page = client.get(again).text
    assert "Sở Tư pháp" in _names(page)
    assert "Gợi ý đã nhớ: Liên đoàn Lao động tỉnh Bắc Ninh" in page
    assert re.search(r'value="s" checked', page) is None
    assert any(r.startswith("unresolved:") for r in _refs(_draft(console_app, again)))
    # confirming the suggestions at once
    names = _names(page)
    data = {"csrf_token": csrf_of(page), "n-count": str(len(names)), "bulk": "suggested",
            "bulk-scope": "undecided"}
    data.update({f"n-{i}-phrase": p for i, p in enumerate(names)})
    client.post(again, data=data)
    assert "ldld_bac_ninh" in _refs(_draft(console_app, again))

    # another province: its «Sở Tư pháp» stays undecided, the other issuer's choice is a hint
    other = _paste(client, LAI_CHAU)
    page = client.get(other).text
    assert "Sở Tư pháp" in _names(page)
    assert "cơ quan khác đã chọn: ỦY BAN NHÂN DÂN TỈNH BẮC NINH" in page
    assert "ldld_bac_ninh" not in _refs(_draft(console_app, other))


def test_a_bad_decision_saves_nothing_and_keeps_what_was_typed(console_app, web):
    client = web("coordinator")
    url = _paste(client, BAC_NINH)
    page = client.get(url).text
    before = _draft(console_app, url)
    names = _names(page)
    data = {"csrf_token": csrf_of(page), "n-count": str(len(names)), "h-signer": "Người khác",
            "n-0-target": "Đơn vị không có thật", "bulk": "drop", "bulk-scope": "undecided"}
    data.update({f"n-{i}-phrase": p for i, p in enumerate(names)})
    response = client.post(url, data=data)
    assert response.status_code == 400 and "Chưa lưu gì" in response.text
    assert 'value="Người khác"' in response.text  # what was typed is still on the page
    assert _draft(console_app, url) == before
    with unit_of_work(console_app.engine, write=False) as session:
        assert session.exec(sa.select(NameDecision)).first() is None


def test_discarding_a_draft_asks_for_a_confirmation(console_app, web):
    client = web("coordinator")
    url = _paste(client, BAC_NINH)
    page = client.get(url).text
    refused = client.post(f"{url}/discard", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 400 and _draft(console_app, url) is not None
    client.post(f"{url}/discard", data={"csrf_token": csrf_of(page), "confirm": "yes"})
    assert _draft(console_app, url) is None


def test_remembered_decisions_are_listed_edited_and_withdrawn(console_app, web):
    client = web("coordinator")
    url = _paste(client, BAC_NINH)
    page = client.get(url).text
    names = _names(page)
    data = {"csrf_token": csrf_of(page), "n-count": str(len(names)),
            f"n-{names.index('Sở Tư pháp')}": "external"}
    data.update({f"n-{i}-phrase": p for i, p in enumerate(names)})
    client.post(url, data=data)
    listing = client.get("/decisions")
    assert listing.status_code == 200 and "«Sở Tư pháp»: ngoài hệ thống" in listing.text
    assert "Sửa hoặc bỏ quyết định cho «Sở Tư pháp»" in listing.text
    with unit_of_work(console_app.engine, write=False) as session:
        row = session.exec(sa.select(NameDecision)).scalars().one()
    bad = client.post(f"/decisions/{row.id}", data={"csrf_token": csrf_of(listing.text),
                                                    "decision": "map", "target": "không có"})
    assert bad.status_code == 400 and "Chưa thay đổi gì" in bad.text
    changed = client.post(f"/decisions/{row.id}", data={
        "csrf_token": csrf_of(listing.text), "decision": "map",
        "target": "Liên đoàn Lao động tỉnh Bắc Ninh (ldld_bac_ninh)"})
    assert "Đã sửa quyết định cho «Sở Tư pháp»" in changed.text
    assert "«Sở Tư pháp»: Liên đoàn Lao động tỉnh Bắc Ninh" in changed.text
    gone = client.post(f"/decisions/{row.id}/withdraw", data={"csrf_token": csrf_of(listing.text)})
    assert "Chưa có quyết định nào được ghi nhớ" in gone.text
    assert web("viewer").get("/decisions").status_code == 403


def test_an_edit_posted_after_the_session_expired_comes_back_after_logging_in(console_app, web,
                                                                              clock):
    """«Lưu» after the session expired: the login page, then the same review with what was
    typed (a signer, a name's decision, the bulk choice), not yet saved; «Lưu» then saves it."""
    from tests.console.conftest import login

    client = web("coordinator")
    url = _paste(client, BAC_NINH)
    page = client.get(url).text
    before = _draft(console_app, url)
    names = _names(page)
    k = names.index("Sở Tư pháp")
    data = {"csrf_token": csrf_of(page), "n-count": str(len(names)), "h-signer": "Người ký mới",
            f"n-{k}": "external", "bulk": "drop", "go": "save"}
    data.update({f"n-{i}-phrase": p for i, p in enumerate(names)})
    clock.advance(hours=2)  # idle past the 60 minutes
    sent = client.post(url, data=data, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].startswith("/login?next=")
    assert _draft(console_app, url) == before  # nothing saved without a session
    assert login(client, "coordinator").status_code == 303
    from urllib.parse import unquote

    back = client.get(unquote(sent.headers["location"].split("next=", 1)[1]))
    assert back.status_code == 200 and "chưa lưu" in back.text
    assert 'value="Người ký mới"' in back.text
    assert re.search(rf'name="n-{k}" value="external" checked', back.text)
    assert re.search(r'<option value="drop" selected>', back.text)
    assert _draft(console_app, url) == before
    again = client.get(url).text  # taken once: a reload shows the saved draft
    assert 'value="Người ký mới"' not in again


def test_only_a_real_session_s_form_is_kept(console_app, web, clock):
    """A made-up session cookie, a wrong token or a session expired over a day ago keeps
    nothing: the login page, no row written, no cookie."""
    from models.review_tables import KeptForm

    client = web("coordinator")
    url = _paste(client, BAC_NINH)
    late = web("coordinator")
    data = {"csrf_token": csrf_of(client.get(url).text), "h-signer": "Người ký mới", "go": "save"}
    late_data = {**data, "csrf_token": csrf_of(late.get(url).text)}
    stranger = web()
    stranger.cookies.set("cascade_session", "made-up-session-id")
    clock.advance(hours=2)
    for sender, form in ((stranger, data), (client, {**data, "csrf_token": "sai"}),
                         (late, late_data)):
        if sender is late:
            clock.advance(days=2)
        assert sender.cookies.get("cascade_session")
        sent = sender.post(url, data=form, follow_redirects=False)
        assert (sent.status_code, sent.headers["location"]) == (303, "/login")
        assert "cascade_kept" not in sent.headers.get("set-cookie", "")
    with unit_of_work(console_app.engine, write=False) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(KeptForm)) == 0
