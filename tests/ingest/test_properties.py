"""Property tests: the drafter never crashes, whatever the text."""

import datetime as dt

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.deadlines import find_deadline
from ingest.draft import draft_layout
from ingest.errors import DraftError
from ingest.layout import analyse
from ingest.reading import Document
from ingest.yaml_out import draft_to_yaml
from models.deadlines import parse_rule

WORDS = ["Ban Tổ chức", "chủ trì", "phối hợp với", "các ban liên quan", "TỔ CHỨC THỰC HIỆN",
         "III.", "1.", "Thời gian:", "Quý III/2024", "trước ngày 30/11", "hằng năm", "Số 48-KH/ĐĐTLĐ",
         "Hà Nội, ngày 11 tháng 7 năm 2023", "Nơi nhận:", "SAO LỤC", "SỐ ĐẾN", "|", "\n", ", ",
         "Tổng Liên đoàn", "LĐLĐ", "Văn phòng", "giao", "báo cáo", "(qua", ")", "thường xuyên"]
vietnamese_text = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)),
                           max_size=60).map(" ".join)
any_text = st.one_of(st.text(max_size=400), vietnamese_text)


def draft_or_error(text, registry):
    document = Document("p.txt", tuple(text.split("\n")))
    try:
        return draft_layout(analyse(document), registry)
    except DraftError:
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text)
def test_draft_never_crashes(registry, text):
    """Any text gives a draft or a DraftError, never another exception."""
    draft_or_error(text, registry)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=vietnamese_text)
def test_any_draft_renders_as_yaml_with_parsable_rules(registry, text):
    """Every draft renders as loadable YAML and every rule it emits parses."""
    draft = draft_or_error(text, registry)
    if draft is None:
        return
    for item in draft["assignments"]:
        if item["deadline"]["rule"]:
            parse_rule(item["deadline"]["rule"])
    loaded = yaml.safe_load(draft_to_yaml(draft))
    assert loaded["directive"] is not None
    assert len(loaded["assignments"] or []) == len(draft["assignments"])


@settings(max_examples=300, deadline=None)
@given(text=any_text)
def test_deadline_finder_never_crashes_and_rules_parse(text):
    """find_deadline on any text returns None or a rule models.deadlines accepts."""
    found = find_deadline(text, issued_on=dt.date(2024, 1, 1))
    if found is not None and found.rule is not None:
        parse_rule(found.rule)


MARKERS = ["I.", "II -", "1.", "1.1.", "(1)", "a)", "(*)", "-", "+", "•", "Phần I", "Điều 2.",
           "**", "|", "||", "| TT | Nội dung | Cơ quan chủ trì | Thời gian hoàn thành |",
           "| 1 | Việc | Sở Nội vụ | Quý II/2025 |", "Đơn vị chủ trì:", "Thời gian thực hiện:",
           "Kính gửi:", "V/v", "đề nghị", "Ủy ban nhân dân các tỉnh", "chậm nhất ngày 22/11/2025",
           "Sở Văn hóa, Thể thao và Du lịch", "thứ 6 hằng tuần", "và các năm tiếp theo"]
line = st.lists(st.one_of(st.sampled_from(MARKERS), st.sampled_from(WORDS), st.text(max_size=8)),
                max_size=12).map(" ".join)
structured = st.lists(line, min_size=1, max_size=40).map("\n".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=structured)
def test_any_numbering_and_table_never_crashes(registry, text):
    """Arbitrary markers, tables (pipe and '|' cells) and labels give a draft or a DraftError,
    and the draft's YAML loads."""
    draft = draft_or_error(text, registry)
    if draft is not None:
        assert isinstance(yaml.safe_load(draft_to_yaml(draft)), dict)
