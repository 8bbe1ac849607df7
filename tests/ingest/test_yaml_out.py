"""The YAML draft: commented with source lines, flagged items block launch until settled."""

import json
import re

import pytest
import yaml

from ingest.draft import draft_document
from ingest.yaml_out import draft_to_yaml
from models.template import TemplateError, parse_template
from tests.ingest.conftest import DOCUMENTS, SHARED


def settle(text):
    """What a reviewer does: replace every flagged reference by a real body."""
    text = text.replace('"group:cac_ban_lien_quan"', '"tld_van_phong"')
    return re.sub(r'"unresolved:[^"]*"', '"tld_van_phong"', text)


def test_every_field_has_a_source_comment(registry):
    """Each field line of an assignment carries a '# dòng N' (or 'không nêu') comment."""
    text = draft_to_yaml(draft_document(DOCUMENTS / "chi-thi-sao-luc.txt", registry))
    fields = [line for line in text.splitlines()
              if re.match(r"^\s+(-\s)?(ref|lead|cooperating|report_to|task|deadline|number|kind|"
                          r"issuer|issued_on|title):", line)]
    assert fields and all("# dòng" in line or "không nêu" in line for line in fields)


def test_flagged_draft_is_refused_then_valid_once_settled(registry):
    """The template refuses the draft while flagged items remain, and accepts it once settled."""
    text = draft_to_yaml(draft_document(DOCUMENTS / "ke-hoach-300-tld-tien-do.md", registry))
    assert "# REVIEW:" in text
    with pytest.raises(TemplateError):
        parse_template(text, registry)
    spec = parse_template(settle(text), registry)
    assert spec.directive.number == "300/KH-TLĐ"
    assert len(spec.assignments) == 13


def test_missing_header_field_is_flagged(registry, draft_text):
    """A null number is written as null with a REVIEW comment (the template requires it)."""
    draft = draft_text("TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM\n\nKẾ HOẠCH\nVề thử\n\n"
                       "III. TỔ CHỨC THỰC HIỆN\n1. Ban Tổ chức chủ trì.\n")
    text = draft_to_yaml(draft)
    assert re.search(r"^  number: null  # .*REVIEW", text, re.MULTILINE)


def test_yaml_from_plain_json_dict(registry):
    """A draft read back from JSON (no provenance) still renders valid, commented YAML."""
    draft = draft_document(DOCUMENTS / "chi-thi-sao-luc.txt", registry)
    text = draft_to_yaml(json.loads(json.dumps(draft)))
    assert yaml.safe_load(text)["directive"]["number"] == "05-CT/TLĐ"


@pytest.mark.skipif(not SHARED.exists(), reason="shared directives not present")
@pytest.mark.parametrize("name", ["02-NQ-TW-2021-bo-chinh-tri.txt",
                                  "45-KH-DDTLD-2023-nghi-quyet-29.txt",
                                  "48-KH-DDTLD-2023-nghi-quyet-20.txt"])
def test_shared_drafts_validate_once_settled(registry, name):
    """The drafts of the shared directives become valid templates after review."""
    text = draft_to_yaml(draft_document(SHARED / name, registry))
    parse_template(settle(text), registry)
