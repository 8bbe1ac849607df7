"""A deadline typed on the review page becomes a rule in ASCII digits, or a Vietnamese error."""

from __future__ import annotations

import pytest

from services.drafts import form_rule


@pytest.mark.parametrize(("kind", "typed", "rule"), [
    ("month", "7/2026", "2026-07"), ("quarter", "quý 2/2026", "2026-Q2"),
    ("annual", "30/11", "annual:11-30"), ("annual", "٣٠/١١", "annual:11-30"),
])
def test_a_typed_deadline_becomes_its_rule(kind, typed, rule):
    assert form_rule(kind, typed, None) == rule


@pytest.mark.parametrize(("kind", "typed"), [("month", "٣/٢٠٢٦"), ("quarter", "2/٢٠٢٦"),
                                             ("month", "13/2026")])
def test_a_year_in_another_script_or_a_month_that_does_not_exist_is_refused(kind, typed):
    with pytest.raises(ValueError, match="viết dạng"):
        form_rule(kind, typed, None)
