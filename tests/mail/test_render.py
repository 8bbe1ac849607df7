"""Rendering alone: data in, EmailMessage out, no database."""

from __future__ import annotations

import base64
import datetime as dt
import email
from email import policy

import pytest
from icalendar import Calendar

from models.mail import (
    KINDS,
    BadAddress,
    MailData,
    MailDirective,
    MailEvent,
    MailLink,
    MailTask,
    message_id,
)
from notifications.mailer import recipients_of
from notifications.mime import header_text
from notifications.render import render_mail
from services.mail_views import deadline_phrase

VN = dt.timezone(dt.timedelta(hours=7))

AT = dt.datetime(2025, 11, 3, 2, 0, tzinfo=dt.UTC)


def data(kind="task_assigned", *, text="Tuyên truyền Nghị quyết đến đoàn viên.", number="48-KH/ĐĐTLĐ",
         due=dt.date(2026, 11, 30), event=None, to=("ldld-lamdong@example.org",), links=None):
    return MailData(
        kind=kind, message_id="<cascade.7.abc@congdoan.vn>",
        sender="Văn phòng Đảng đoàn <giaoviec@congdoan.vn>", to=to,
        recipient="Liên đoàn Lao động tỉnh Lâm Đồng", at=AT, event=event,
        links=links if links is not None else (
            MailLink("acknowledge", "xác nhận đã nhận", "https://x.test/l/tok1"),),
        directive=MailDirective(number=number, kind="Kế hoạch", title="Thực hiện Nghị quyết 20",
                                issued_on=dt.date(2023, 7, 11), issuer="Đảng đoàn Tổng Liên đoàn"),
        task=MailTask(id=7, ref="III.7", occurrence=1, text=text, role="lead", status="assigned",
                      body="Liên đoàn Lao động tỉnh Lâm Đồng", due_on=due,
                      deadline="ngày 30 tháng 11 năm 2026" if due else "thường xuyên",
                      report_to="Văn phòng Tổng Liên đoàn"),
        calendar_uid="cascade-task-7-1@congdoan.vn", timezone=VN)


def reparse(msg):
    return email.message_from_bytes(msg.as_bytes(), policy=policy.default)


def test_subject_and_body_are_vietnamese_after_a_round_trip():
    """The subject names directive, item and deadline; the body keeps its diacritics."""
    msg = reparse(render_mail(data()))
    assert msg["Subject"] == "[48-KH/ĐĐTLĐ] Nhiệm vụ III.7 — hạn 30/11/2026"
    text = msg.get_body(("plain",)).get_content()
    assert "ngày 30 tháng 11 năm 2026" in text and "Kế hoạch số 48-KH/ĐĐTLĐ ngày 11 tháng 7 năm 2023" in text
    assert "(chủ trì)" in text and "Báo cáo về: Văn phòng Tổng Liên đoàn" in text
    assert "Xác nhận đã nhận: https://x.test/l/tok1" in text
    html = msg.get_body(("html",)).get_content()
    assert 'href="https://x.test/l/tok1"' in html and "Xác nhận đã nhận" in html


def test_every_kind_renders_text_and_html():
    """Each mail kind of services.notify has a template pair that renders."""
    event = MailEvent("request-extension", "Ban Tuyên giáo", AT, note="Cần thêm thời gian",
                      until=dt.date(2026, 12, 31))
    for kind in KINDS:
        msg = reparse(render_mail(data(kind, event=event)))
        assert msg["Subject"].startswith("[48-KH/ĐĐTLĐ] Nhiệm vụ III.7 — "), kind
        assert msg.get_body(("plain",)).get_content().startswith("Kính gửi: "), kind
        assert "<html" in msg.get_body(("html",)).get_content(), kind


def test_extension_request_shows_who_the_note_and_the_proposed_date():
    """The coordinator's mail names the requesting body, its note and the date it proposes."""
    event = MailEvent("request-extension", "Ban Tuyên giáo", AT, note="Chờ số liệu quý IV",
                      until=dt.date(2026, 12, 31))
    msg = reparse(render_mail(data("extension_requested", event=event)))
    text = msg.get_body(("plain",)).get_content()
    assert msg["Subject"].endswith("xin gia hạn đến 31/12/2026")
    assert "Ban Tuyên giáo xin gia hạn." in text and "Ghi chú: Chờ số liệu quý IV" in text
    assert "Ngày đề nghị gia hạn: ngày 31 tháng 12 năm 2026" in text


def test_header_injection_in_document_text_adds_no_header():
    """A directive number or body name carrying CR/LF cannot add a Bcc header."""
    msg = render_mail(data(number="48-KH\r\nBcc: x@evil.example", text="x\r\nBcc: y@evil.example"))
    parsed = reparse(msg)
    assert parsed["Bcc"] is None and "\n" not in parsed["Subject"]
    assert recipients_of(parsed) == ["ldld-lamdong@example.org"]
    assert "x@evil.example" not in recipients_of(parsed)


def test_an_address_with_a_line_break_is_refused():
    """A recipient address that smuggles a header is a BadAddress, not a sent mail."""
    with pytest.raises(BadAddress):
        render_mail(data(to=("a@example.org\r\nBcc: x@evil.example",)))


def test_html_is_autoescaped():
    """Script in a task text reaches the HTML part escaped."""
    html = reparse(render_mail(data(text="<script>alert(1)</script>"))).get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_header_text_strips_controls_and_unicode_separators():
    """Control characters and U+2028 become single spaces; text is NFC."""
    assert header_text("a\r\nb\x00c\u2028d  e") == "a b c d e"
    assert header_text("Nghe\u0302\u0323 An") == "Nghệ An"


def test_ics_is_an_all_day_event_on_the_due_date():
    """The attachment parses with icalendar: one VEVENT on the due date with a stable UID."""
    msg = reparse(render_mail(data()))
    [part] = list(msg.iter_attachments())
    assert part.get_content_type() == "text/calendar" and part.get_filename() == "han-nhiem-vu.ics"
    cal = Calendar.from_ical(part.get_content())
    [event] = cal.walk("VEVENT")
    assert event.decoded("dtstart") == dt.date(2026, 11, 30)
    assert str(event["uid"]) == "cascade-task-7-1@congdoan.vn"
    assert "III.7" in str(event["summary"])


def test_no_ics_without_a_due_date():
    """A continuous task (no due date) gets no calendar attachment."""
    msg = reparse(render_mail(data(due=None)))
    assert list(msg.iter_attachments()) == []
    assert msg["Subject"].endswith("hạn thường xuyên")


def test_message_id_is_stable_and_on_the_sender_domain():
    """The same outbox row always gets the same Message-ID, on CASCADE_MAIL_FROM's domain."""
    a = message_id(outbox_id=7, key="task_assigned:7", mail_from="VP <giaoviec@congdoan.vn>")
    assert a == message_id(outbox_id=7, key="task_assigned:7", mail_from="VP <giaoviec@congdoan.vn>")
    assert a.startswith("<cascade.7.") and a.endswith("@congdoan.vn>")
    assert a != message_id(outbox_id=8, key="task_assigned:8", mail_from="VP <giaoviec@congdoan.vn>")


def test_deadline_phrase_for_dated_recurring_and_continuous_tasks():
    """Long Vietnamese dates; the rule's description for recurring and continuous tasks."""
    assert deadline_phrase(dt.date(2025, 11, 30), "2025-11-30", 1) == "ngày 30 tháng 11 năm 2025"
    assert deadline_phrase(dt.date(2025, 11, 30), "annual:11-30", 2) == \
        "ngày 30 tháng 11 năm 2025 (kỳ 2; hằng năm, trước ngày 30/11)"
    assert deadline_phrase(None, "continuous", 1) == "thường xuyên"
    assert deadline_phrase(None, None, 1) == "không thời hạn"


def test_ics_escapes_and_folds_long_vietnamese_text():
    """Commas, semicolons, newlines and long UTF-8 lines survive a round trip through a parser."""
    import datetime as dt

    from icalendar import Calendar

    from notifications.ics import deadline_calendar

    text = "Báo cáo kết quả; thực hiện, hằng năm\nvề Tổng Liên đoàn " * 6
    raw = deadline_calendar(uid="cascade-task-1-1@example.org", due_on=dt.date(2025, 11, 30),
                            summary="[48-KH/ĐĐTLĐ] Nhiệm vụ III.7", description=text,
                            stamp=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), sequence=3,
                            url="https://x.example.org/l/abc")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    event = Calendar.from_ical(raw).walk("VEVENT")[0]
    assert str(event["DESCRIPTION"]) == text
    assert event.decoded("DTSTART") == dt.date(2025, 11, 30)
    assert int(event["SEQUENCE"]) == 3


def test_wire_bytes_equal_what_the_email_package_would_send():
    """The direct serialisation parses back to the same headers, parts and decoded text."""
    from email import message_from_bytes
    from email.policy import SMTP

    from notifications.mime import wire_bytes

    msg = render_mail(data())
    fast = message_from_bytes(wire_bytes(msg), policy=SMTP)
    slow = message_from_bytes(msg.as_bytes(policy=SMTP), policy=SMTP)
    assert b"\r\n" in wire_bytes(msg) and b"\n" not in wire_bytes(msg).replace(b"\r\n", b"")
    assert [(k, str(v)) for k, v in fast.items()] == [(k, str(v)) for k, v in slow.items()]
    fast_parts = [(p.get_content_type(), p.get_payload(decode=True)) for p in fast.walk()
                  if not p.is_multipart()]
    slow_parts = [(p.get_content_type(), p.get_payload(decode=True)) for p in slow.walk()
                  if not p.is_multipart()]
    assert fast_parts == slow_parts and len(fast_parts) >= 2


def test_long_vietnamese_display_names_are_split_between_words():
    """A body's long name is encoded in words split at spaces, so no reader shows 'đo àn'."""
    import re

    from notifications.mime import encoded_phrase

    name = "Văn phòng Ủy ban Kiểm tra Tổng Liên đoàn Lao động Việt Nam"
    encoded = encoded_phrase(name)
    words = re.findall(r"=\?utf-8\?b\?([^?]+)\?=", encoded)
    assert len(words) >= 2 and all(len(w) + 12 <= 75 for w in words)
    decoded = [base64.b64decode(w).decode("utf-8") for w in words]
    assert "".join(decoded) == name  # what an RFC 2047 reader shows
    assert all(d.endswith(" ") for d in decoded[:-1])  # every split is at a space
