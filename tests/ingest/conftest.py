"""Fixtures for the drafter: the name resolver, the fixture documents, a draft helper."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.bodies import Resolver
from ingest.draft import draft_document, draft_layout
from ingest.layout import analyse
from ingest.reading import Document

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ROOT / "tests" / "fixtures" / "documents"
SHARED = ROOT.parent / "shared" / "directives"


@pytest.fixture(scope="session")
def resolver(registry):
    return Resolver(registry)


@pytest.fixture(scope="session")
def foreign_resolver(resolver):
    """Names as read in a document not issued by the Confederation."""
    return resolver.with_context(confederation=False)


@pytest.fixture
def draft_text(registry):
    """Draft a text given inline (lines joined as written)."""

    def run(text: str, name: str = "t.txt"):
        document = Document(name=name, lines=tuple(text.split("\n")))
        return draft_layout(analyse(document), registry)

    return run


@pytest.fixture
def draft_fixture(registry):
    def run(name: str):
        return draft_document(DOCUMENTS / name, registry)

    return run


def by_ref(draft, ref):
    return next(a for a in draft["assignments"] if a["ref"] == ref)
