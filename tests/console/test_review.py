"""The review that learns (services/review.py), for the CLI and the console alike: each
unresolved name once with its candidates; mapped, added, external or dropped; remembered in the
alias file and the local registry, so the next draft (in a new process) resolves it; external
bodies launch recorded and never mailed."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import yaml

from ingest import draft_document
from models.db import unit_of_work
from models.tables import Body, Outbox, Task
from services import review
from services.setup import initialise
from tests.conftest import ROOT, cli_runner

DOC = ROOT / "tests" / "fixtures" / "documents" / "ke-hoach-co-quan-dia-phuong.txt"
SO_TU_PHAP, CONG_AN, SO_NOI_VU = ("Sở Tư pháp tỉnh Bắc Ninh", "Công an tỉnh Bắc Ninh",
                                  "Sở Nội vụ tỉnh Bắc Ninh")


def _draft(app):
    return draft_document(DOC, app.registry,
                          aliases=review.learned_aliases(app.settings.aliases_path, app.registry))


def _decide(app, draft, phrase, choice, **kwargs):
    s = app.settings
    return review.decide_name(draft, phrase, choice=choice, registry=app.registry,
                              aliases_path=s.aliases_path,
                              local_registry_path=s.local_registry_path, **kwargs)


def test_each_unresolved_name_is_listed_once_with_candidates(make_app):
    app = make_app()
    names = review.unresolved_names(_draft(app), app.registry)
    assert [n.phrase for n in names] == [SO_TU_PHAP, CONG_AN, SO_NOI_VU]
    assert len(names[0].places) == 2  # items 1 and 4
    assert all(n.candidates and n.candidates[0].ref in app.registry for n in names)


def test_decisions_are_remembered_by_the_next_draft_in_a_new_process(make_app, tmp_path):
    """Map, external, new body: the alias file and the local registry keep them; a new App (a
    restart) drafts the same document with nothing left to settle."""
    app = make_app()
    draft = _draft(app)
    _decide(app, draft, SO_TU_PHAP, review.MAP, target="ldld_bac_ninh")
    _decide(app, draft, CONG_AN, review.EXTERNAL)
    learned = _decide(app, draft, SO_NOI_VU, review.NEW, new_name="Sở Nội vụ Bắc Ninh",
                      new_kind="office")
    assert review.unresolved_names(draft, app.registry) == []
    assert not [f for f in review.flags_of(draft, app.registry) if f.ref]
    saved = yaml.safe_load(app.settings.aliases_path.read_text(encoding="utf-8"))
    assert set(saved.values()) == {"ldld_bac_ninh", "external", learned.new_body}
    local = yaml.safe_load(app.settings.local_registry_path.read_text(encoding="utf-8"))
    assert local["bodies"][0]["name"] == "Sở Nội vụ Bắc Ninh"

    again = make_app()  # same files, a new process
    assert learned.new_body in again.registry.bodies
    redrafted = _draft(again)
    items = {a["ref"]: a for a in redrafted["assignments"]}
    assert items["III.1"]["cooperating"] == ["ldld_bac_ninh"]
    assert items["III.2"]["lead"] == [f"external:{CONG_AN}"]
    assert items["III.3"]["lead"] == [learned.new_body]
    assert review.unresolved_names(redrafted, again.registry) == []


def test_a_dropped_name_disappears_and_a_bad_target_is_refused(make_app):
    import pytest

    app = make_app()
    draft = _draft(app)
    with pytest.raises(review.ReviewError):
        _decide(app, draft, SO_TU_PHAP, review.MAP, target="khong_co_don_vi_nay")
    _decide(app, draft, SO_TU_PHAP, review.DROP)
    refs = [r for a in draft["assignments"] for r in a["lead"] + a["cooperating"]]
    assert not any(SO_TU_PHAP in r for r in refs)
    assert "unresolved:" + SO_TU_PHAP not in str(_draft(make_app()))


def test_launching_with_an_external_body_records_it_and_mails_nobody_there(make_app):
    """The external body gets its task, as a body of kind 'external', and no mail."""
    from models.template import parse_template
    from services.launch import launch_from_template
    from tests.conftest import at

    app = make_app()
    initialise(engine=app.engine, registry=app.registry, contacts=app.contacts, at=app.clock())
    draft = _draft(app)
    _decide(app, draft, SO_TU_PHAP, review.MAP, target="ldld_bac_ninh")
    _decide(app, draft, CONG_AN, review.EXTERNAL)
    _decide(app, draft, SO_NOI_VU, review.DROP)
    text = review.template_text(draft)
    spec = parse_template(text, app.registry)
    result = launch_from_template(engine=app.engine, spec=spec, template_text=text,
                                  registry=app.registry, contacts=app.contacts,
                                  calendar=app.calendar, tz=app.tz, at=at("2023-07-20 09:00"),
                                  coordinator="tld_van_phong_dang_doan")
    assert result.created and result.tasks == 6  # III.3 had no other body: left out
    with unit_of_work(app.engine, write=False) as session:
        external = session.exec(sa.select(Body).where(Body.kind == "outside_system")).scalars().all()
        assert [b.name for b in external] == [CONG_AN]
        task = session.exec(sa.select(Task).where(Task.body_id == external[0].id)).scalars().one()
        mails = session.exec(sa.select(Outbox.body_id)).scalars().all()
    assert task.role == "lead" and external[0].id not in mails and len(mails) == 5
    assert external[0].id not in result.missing_email


def test_cli_review_learns_from_the_coordinators_answers(make_app, tmp_path):
    """`cascade launch DOC --review`: one question per name (a candidate's number, «ngoài»,
    «mới»), then the confirmation; the next `cascade draft` of the document has nothing left."""
    app = make_app()
    cli = cli_runner(app, tmp_path)
    cli("init")
    answers = ["2", "ngoài", "mới", "", "office", "y"]  # name 1: 2nd candidate; 3: new, its kind
    result = cli("launch", DOC, "--review", input="\n".join(answers) + "\n")
    assert "Đã khởi chạy 301/KH-TLĐ" in result.output
    assert "Gần nhất" in result.output and result.output.count(f"«{SO_TU_PHAP}» (") == 1
    assert "6 thư chờ gửi" in result.output  # none for the body outside the system
    drafted = cli("draft", DOC).output
    assert "\"unresolved:" not in drafted and f"external:{CONG_AN}" in drafted


def test_the_cli_review_reads_pdf_and_scans():
    from cascade.cli.review import is_document

    assert all(is_document(Path(f"x{s}")) for s in (".pdf", ".png", ".jpg", ".docx", ".md"))
    assert not is_document(Path("x.yaml"))
