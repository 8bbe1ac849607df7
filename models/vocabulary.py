"""The presentation vocabulary: every word and date a user reads, in Vietnamese, in one place.

CLI tables, audit history, web pages, mails and reports take their labels from here, so a
status, an action, a channel or a body kind is called the same everywhere. The tables are
keyed by the codes stored in the database (plain strings), so this module imports nothing of
the domain and anything may import it. A code with no label is shown as it is: a new code is a
missing label here, not a crash.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping

# Task statuses (models/status.TaskStatus values).
STATUS = {
    "assigned": "đã giao",
    "acknowledged": "đã nhận",
    "in_progress": "đang thực hiện",
    "reported": "đã báo cáo",
    "returned": "trả lại",
    "extension_requested": "xin gia hạn",
    "done": "hoàn thành",
    "cancelled": "đã hủy",
}

ROLE = {"lead": "chủ trì", "cooperating": "phối hợp"}

# Deadline colours (models/status.Colour values).
COLOUR = {
    "in_term": "trong hạn",
    "near_due": "sắp đến hạn",
    "overdue": "quá hạn",
    "no_deadline": "thường xuyên",  # continuous (or no day set): as the review summary says
    "done_on_time": "xong đúng hạn",
    "done_late": "xong trễ hạn",
    "cancelled": "đã hủy",
}

# Actions: status transitions, and audit events that are not transitions. The label is what
# the action does, in lower case ("xác nhận đã nhận"); `ACTION_HEADING` is its page heading.
ACTION = {
    "assign": "giao nhiệm vụ",
    "acknowledge": "xác nhận đã nhận",
    "start": "bắt đầu thực hiện",
    "report": "báo cáo kết quả",
    "return": "trả lại báo cáo",
    "close": "hoàn thành, đóng nhiệm vụ",
    "request-extension": "xin gia hạn",
    "grant-extension": "đồng ý gia hạn",
    "refuse-extension": "không đồng ý gia hạn",
    "cancel": "hủy nhiệm vụ",
    "extend": "gia hạn",
    "remind": "nhắc lại đơn vị thực hiện",
    "link-child": "gắn kế hoạch con",
    "accept": "chấp nhận báo cáo, hoàn thành nhiệm vụ",
}
# A co-operating body's report completes its contribution.
ACTION_FOR_ROLE = {("report", "cooperating"): "báo cáo phần phối hợp"}
ACTION_HEADING = {
    "acknowledge": "Xác nhận đã nhận nhiệm vụ",
    "start": "Bắt đầu thực hiện nhiệm vụ",
    "report": "Báo cáo kết quả thực hiện",
    "return": "Trả lại báo cáo",
    "close": "Hoàn thành, đóng nhiệm vụ",
    "request-extension": "Xin gia hạn nhiệm vụ",
    "grant-extension": "Đồng ý gia hạn",
    "refuse-extension": "Không đồng ý gia hạn",
    "cancel": "Hủy nhiệm vụ",
    "extend": "Gia hạn nhiệm vụ",
    "remind": "Nhắc lại đơn vị thực hiện",
    "accept": "Chấp nhận báo cáo kết quả",
}

# Where an action came from (task_event.channel).
CHANNEL = {
    "cli": "dòng lệnh",
    "email-link": "đường dẫn trong thư",
    "web": "trang quản trị",
    "launch": "khởi chạy",
    "system": "hệ thống",
}
SYSTEM_ACTOR = "Hệ thống"

# Kinds of bodies in the registry (config/bodies.yaml `kind`).
BODY_KIND = {
    "apex": "cơ quan Tổng Liên đoàn",
    "leadership_body": "cơ quan lãnh đạo",
    "party_body": "tổ chức Đảng",
    "office": "văn phòng",
    "department": "ban Tổng Liên đoàn",
    "provincial_federation": "LĐLĐ tỉnh, thành phố",
    "sector_union": "công đoàn ngành trung ương",
    "corporation_union": "công đoàn tổng công ty",
    "external": "cơ quan bên ngoài",
    "outside_system": "ngoài hệ thống (ghi nhận, không gửi thư)",
    "group": "nhóm đơn vị",
}

# Mails (the outbox's `kind`) and the outbox's own statuses.
MAIL_KIND = {
    "task_assigned": "giao nhiệm vụ",
    "task_reported": "báo cáo kết quả",
    "contribution_reported": "báo cáo phần phối hợp",
    "task_closed": "nhiệm vụ hoàn thành",
    "extension_requested": "xin gia hạn",
    "extension_decided": "trả lời xin gia hạn",
    "report_returned": "trả lại báo cáo",
    "report_accepted": "chấp nhận báo cáo",
    "task_cancelled": "hủy nhiệm vụ",
    "reminder": "nhắc hạn",
    "escalation": "báo cáo quá hạn",
    "manual_reminder": "nhắc lại",
    "digest": "tổng hợp nhiệm vụ quá hạn",
}
OUTBOX_STATUS = {"pending": "chờ gửi", "sending": "đang gửi", "sent": "đã gửi",
                 "failed": "thất bại"}
FOLLOW_UP_KIND = {"reminder": "nhắc trước hạn", "escalation": "đôn đốc sau hạn"}
EXTENSION_OUTCOME = {"granted": "đồng ý", "refused": "không đồng ý", "pending": "chờ quyết định"}

# The coordinator's review of a report (task_report.outcome; None: not reviewed yet).
REVIEW_OUTCOME = {"accepted": "đã chấp nhận", "returned": "bị trả lại", "pending": "chờ xem xét",
                  "contribution": "phần phối hợp (không cần duyệt)"}
# How the figures of several bodies for one target combine (template `targets[].combine`).
COMBINE = {"sum": "cộng tổng các đơn vị", "mean": "bình quân các đơn vị",
           "min": "mức thấp nhất (mọi đơn vị phải đạt)",
           "share": "tỷ lệ đơn vị đạt chỉ tiêu"}
# Kinds of file a report may attach (models/files.py FILE_TYPES keys).
FILE_KIND = {"pdf": "PDF", "docx": "Word (.docx)", "xlsx": "Excel (.xlsx)", "jpeg": "ảnh JPEG",
             "png": "ảnh PNG"}
# The four-way split of official follow-up reports, and the other columns of `cascade evaluate`.
EVALUATION = {
    "body": "mã đơn vị",
    "body_name": "đơn vị",
    "kind_label": "loại đơn vị",
    "assigned": "nhiệm vụ được giao",
    "done_on_time": "hoàn thành đúng hạn",
    "done_late": "hoàn thành quá hạn",
    "open_in_term": "chưa hoàn thành, trong hạn",
    "open_overdue": "chưa hoàn thành, quá hạn",
    "returned": "lượt báo cáo bị trả lại",
    "extensions": "lượt gia hạn",
    "on_time_rate": "tỷ lệ đúng hạn",
    "score": "điểm",
    "grade": "xếp loại",
    "rank": "thứ hạng",
}
# The same columns in a terminal table (a legend under the table spells them out).
EVALUATION_SHORT = {"rank": "Hạng", "body_name": "Đơn vị", "assigned": "Giao",
                    "done_on_time": "Đúng", "done_late": "Trễ", "open_in_term": "Còn",
                    "open_overdue": "Quá", "returned": "Trả", "extensions": "Gia",
                    "score": "Điểm", "grade": "Xếp loại"}
NOT_GRADED = "chưa đủ căn cứ xếp loại"
# Whether a target's combined figure reaches the value aimed at (None: no figure, or a share).
REACHED = {True: "đạt", False: "chưa đạt", None: "—"}

# People with an account in the console.
USER_ROLE = {"coordinator": "điều phối viên", "supervisor": "lãnh đạo, giám sát",
             "viewer": "chỉ xem"}

# The console's pages (navigation, titles).
PAGE = {"dashboard": "Tổng quan", "directives": "Văn bản", "new": "Giao việc mới",
        "board": "Bảng theo dõi", "task": "Nhiệm vụ", "inbox": "Việc chờ xử lý",
        "bodies": "Đơn vị", "outbox": "Thư", "login": "Đăng nhập", "review": "Rà soát bản nháp",
        "preview": "Xem trước khi khởi chạy", "evaluation": "Đánh giá, xếp loại",
        "decisions": "Quyết định đã nhớ"}
# What a reviewer decides about a name the registry lacks (services/review.py).
NAME_DECISION = {"map": "là đơn vị, nhóm trong sổ",
                 "new": "thêm đơn vị mới",
                 "external": "ngoài hệ thống (không gửi thư)",
                 "drop": "bỏ (không phải đơn vị)"}
# How a reviewer writes a deadline (services/drafts.py DEADLINE_FORMS) and what to type.
# what the drafter was unsure of on a row (a draft item's flags), shown in the review
DRAFT_DOUBT = {
    "lead_inherited": "đơn vị lấy từ câu dẫn hoặc đề mục phía trên, kiểm tra lại",
    "conditional": "việc chỉ phát sinh khi có khó khăn, vướng mắc; bỏ nếu không cần theo dõi",
    "table_partial": "bảng phân công không đọc được trọn sau dòng này; thêm tay các việc còn lại",
    "ocr": "đọc bằng OCR, đối chiếu với bản quét",
    "deadline_text_only": "chưa hiểu thời hạn ghi trong văn bản; chọn thời hạn",
}
DEADLINE_FORM = {"keep": "giữ quy tắc hiện có", "none": "không thời hạn", "date": "ngày",
                 "month": "tháng", "quarter": "quý", "annual": "hằng năm",
                 "continuous": "thường xuyên"}
DEADLINE_HINT = {"date": "30/11/2026", "month": "7/2026", "quarter": "2/2026",
                 "annual": "30/11 (để trống: chọn khi khởi chạy)"}
# The board's sort keys (services/board.py SORTS).
SORT = {"ref": "mục", "body": "đơn vị", "status": "trạng thái", "due": "hạn",
        "colour": "tình trạng"}


def label(table: Mapping[str, str], code: str | None, default: str = "—") -> str:
    """The label of `code` in `table`; the code itself when it has none, `default` for None."""
    if code is None:
        return default
    return table.get(code, code)


def status_label(code: str | None) -> str:
    return label(STATUS, code)


def role_label(code: str | None) -> str:
    return label(ROLE, code)


def colour_label(code: str | None) -> str:
    return label(COLOUR, code)


def action_label(action: str, role: str | None = None) -> str:
    """'xác nhận đã nhận'; for a co-operating task's report, 'báo cáo phần phối hợp'."""
    return ACTION_FOR_ROLE.get((action, role or ""), ACTION.get(action, action))


def action_heading(action: str) -> str:
    return ACTION_HEADING.get(action) or upper_first(action_label(action))


def channel_label(code: str | None) -> str:
    return label(CHANNEL, code)


def body_kind_label(code: str | None) -> str:
    return label(BODY_KIND, code)


def mail_kind_label(code: str | None) -> str:
    return label(MAIL_KIND, code)


def outbox_status_label(code: str | None) -> str:
    return label(OUTBOX_STATUS, code)


def review_label(code: str | None) -> str:
    return label(REVIEW_OUTCOME, code or "pending")


def evaluation_label(key: str) -> str:
    """'Hoàn thành đúng hạn': a column of `cascade evaluate`, as a heading."""
    return upper_first(EVALUATION.get(key, key))


def combine_label(code: str | None) -> str:
    return label(COMBINE, code)


def vi_number(value: float, decimals: int = 2) -> str:
    """12.5 -> '12,5'; 1234567 -> '1.234.567'; at most `decimals` decimals, trailing zeros cut
    (the way Vietnamese writes numbers: '.' groups thousands, ',' marks decimals)."""
    text = f"{value:,.{decimals}f}"
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    whole = whole.replace(",", ".")
    return f"{whole},{frac}" if frac else whole


def file_size(size: int) -> str:
    """'850 byte', '12,3 KB', '4,1 MB' (1 KB = 1024 byte)."""
    if size < 1024:
        return f"{size} byte"
    if size < 1024 * 1024:
        return f"{vi_number(size / 1024, 1)} KB"
    return f"{vi_number(size / 1024 / 1024, 1)} MB"


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def sentence(message: str) -> str:
    """A service message (lower case, it follows 'Lỗi:' in the CLI) as a sentence for a page."""
    message = upper_first(message.strip())
    return message if message.endswith((".", "!", "?")) else message + "."


# --- Dates -------------------------------------------------------------------------------------

def business_date(at: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The date at instant `at` (aware) in the deployment's time zone."""
    return at.astimezone(tz).date()


def long_date(day: dt.date) -> str:
    """'ngày 30 tháng 11 năm 2025'."""
    return f"ngày {day.day} tháng {day.month} năm {day.year}"


def short_date(day: dt.date | None) -> str:
    """'30/11/2025', or 'không thời hạn' for no date."""
    return f"{day:%d/%m/%Y}" if day else "không thời hạn"


def due_label(day: dt.date | None, rule: str | None) -> str:
    """A task's deadline in a list: '30/11/2025', 'thường xuyên' for a continuous rule (as the
    review summary says), 'không thời hạn' when the document gives none."""
    if day:
        return short_date(day)
    return "thường xuyên" if rule == "continuous" else "không thời hạn"


def admin_date(day: dt.date) -> str:
    """'ngày 05 tháng 02 năm 2026': the administrative form (Nghị định 30/2020/NĐ-CP pads
    days below 10 and the months 1 and 2)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def local_time(when: dt.datetime, tz: dt.tzinfo) -> str:
    """'14:05 ngày 30 tháng 11 năm 2025' in time zone `tz`."""
    local = when.astimezone(tz)
    return f"{local:%H:%M} {long_date(local.date())}"


def event_date(data: Mapping[str, object] | None) -> str | None:
    """The date an audit event carries ('đến ngày 15/12/2027': an extension asked or granted)."""
    raw = (data or {}).get("due_on") or (data or {}).get("requested_due_on")
    if not isinstance(raw, str):
        return None
    return f"đến ngày {short_date(dt.date.fromisoformat(raw))}"


def short_time(when: dt.datetime, tz: dt.tzinfo) -> str:
    """'30/11/2025 14:05' in time zone `tz` (tables)."""
    return f"{when.astimezone(tz):%d/%m/%Y %H:%M}"


_VN_DATE = re.compile(r"\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*")
_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*")


def parse_date(text: str) -> dt.date:
    """'30/11/2026', '30-11-2026', '30.11.2026' or '2026-11-30' -> a date; ValueError with a
    Vietnamese message otherwise (the caller names the field)."""
    iso = _ISO_DATE.fullmatch(text or "")
    vn = _VN_DATE.fullmatch(text or "")
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif vn:
        day, month, year = (int(g) for g in vn.groups())
    else:
        raise ValueError(f"«{text}» không phải ngày; viết dạng 30/11/2026 hoặc 2026-11-30")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"ngày «{text.strip()}» không có thật") from None


def parse_moment(text: str, tz: dt.tzinfo) -> dt.datetime:
    """'30/11/2026 17:00', '2026-11-30T17:00+07:00', '30/11/2026' (00:00) -> an aware instant;
    without an offset, the time is read in `tz`."""
    raw = (text or "").strip()
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        day_part, _, time_part = raw.partition(" ")
        day = parse_date(day_part)  # raises the Vietnamese message
        hours = minutes = 0
        if time_part.strip():
            m = re.fullmatch(r"(\d{1,2})[:h](\d{2})", time_part.strip())
            if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59:
                raise ValueError(f"giờ «{time_part.strip()}» không đúng; viết dạng 17:00") from None
            hours, minutes = int(m.group(1)), int(m.group(2))
        moment = dt.datetime(day.year, day.month, day.day, hours, minutes)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


# --- Sorting and matching names ----------------------------------------------------------------

def vi_sort_key(text: str) -> tuple:  # type: ignore[type-arg]
    """Sort key in Vietnamese alphabetical order: a ă â b c d đ e ê ... o ô ơ ... u ư ...; tones
    break ties only."""
    base: list[tuple[str, int]] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFD", text.casefold()):
        if ch == "đ":
            base.append(("d", 1))
        elif ch in "\u0306\u0302\u031b" and base:  # breve, circumflex, horn: a new letter
            letter, _ = base[-1]
            base[-1] = (letter, {"\u0306": 1, "\u0302": 2, "\u031b": 3}[ch])
        elif unicodedata.combining(ch):
            tones.append(ord(ch))
        else:
            base.append((ch, 0))
    return tuple(base), tuple(tones), text


def plain_key(text: str) -> str:
    """'45 – KH/ĐĐTLĐ' and '45-kh/ddtld' -> '45khddtld': what a user may type without accents,
    dashes or spaces, for matching and suggestions."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", bare).lower()
