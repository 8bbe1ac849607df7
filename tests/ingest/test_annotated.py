"""The drafter on the 20 hand-annotated fixtures (tests/ingest/annotated/), scored with the
shared scorer's own pairing. The floors are today's figures less a margin: a change that loses
assignments on documents the drafter was not built beside fails here (the goal, recall 0.85 and
precision 0.8, is reported by `python -m benchmarks.annotated`)."""

import pytest

from benchmarks.annotated import ANNOTATED, SCORER, score_all, totals

pytestmark = pytest.mark.skipif(not SCORER.exists(), reason="../shared/tools/score_draft.py absent")


@pytest.fixture(scope="module")
def rows():
    return score_all(ANNOTATED)


def test_twenty_documents_of_every_layout_are_scored(rows):
    assert len(rows) == 20
    assert {"letter", "body headings", "numbered running text", "field blocks"} <= {
        r["layout"] for r in rows}
    assert all(r["drafted"] > 0 for r in rows), [r["file"] for r in rows if not r["drafted"]]


def test_scores_hold(rows):
    figures = totals(rows)
    assert figures["recall"] >= 0.84, figures
    assert figures["precision"] >= 0.88, figures
    assert figures["deadline"] >= 0.9, figures
