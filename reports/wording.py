"""The wording of the review summary, shared by the .docx and HTML renderers: the heading
block, the title, the overview sentences, captions, the recipients."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from models.vocabulary import admin_date, event_date
from reports.model import CascadeSummary, Counts, EventRow, Summary

PARTY_MOTTO = ("ĐẢNG CỘNG SẢN VIỆT NAM",)
STATE_MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
# Columns of the per-body and per-item tables: (Counts field, header).
COLUMNS = (
    ("tasks", "Tổng số"),
    ("done_on_time", "Xong đúng hạn"),
    ("done_late", "Xong trễ hạn"),
    ("in_term", "Trong hạn"),
    ("near_due", "Sắp đến hạn"),
    ("overdue", "Quá hạn"),
    ("no_deadline", "Thường xuyên"),
    ("cancelled", "Đã hủy"),
    ("not_started", "Chưa bắt đầu"),
    ("extensions_granted", "Lượt gia hạn"),
)
COLUMNS_NOTE = ("Ghi chú: các cột từ “Xong đúng hạn” đến “Đã hủy” (trừ “Sắp đến hạn”) chia hết số "
                "nhiệm vụ, cộng lại bằng cột “Tổng số”; “Sắp đến hạn” nằm trong “Trong hạn”; "
                "“Chưa bắt đầu” là nhiệm vụ chưa xong ở trạng thái đã giao hoặc đã nhận; "
                "“Lượt gia hạn” đếm số lần đồng ý gia hạn. Nhiệm vụ hằng năm tính mỗi kỳ là "
                "một nhiệm vụ.")


def short(day: dt.date | None) -> str:
    return f"{day.day}/{day.month}/{day.year}" if day else "không thời hạn"


def upper_vi(text: str) -> str:
    return unicodedata.normalize("NFC", text.upper())


@dataclass(frozen=True)
class Letterhead:
    """Who signs a document the product writes on its own (the evaluation): the body, its
    parent, and whether it writes in the Party's form (a Party body or one of its offices:
    "ĐẢNG CỘNG SẢN VIỆT NAM" and a star) or the State's."""

    issuer: str
    parent: str | None = None
    party: bool = False


@dataclass(frozen=True)
class Heading:
    """The heading block: issuing body on the left, national or Party motto on the right."""

    left: tuple[tuple[str, bool], ...]  # (line, bold)
    number: str
    right: tuple[str, ...]  # first line bold; the last line underlined
    place_date: str
    party: bool
    signature: str


def heading(summary: Summary) -> Heading:
    d = summary.directive
    issuer = d.issuer
    party = issuer.kind == "party_body"
    left: list[tuple[str, bool]] = []
    if party:
        left = [(upper_vi(issuer.name), True), ("*", False)]
    else:
        if issuer.parent_name and issuer.kind != "apex":
            left.append((upper_vi(issuer.parent_name), False))
        left.append((upper_vi(issuer.name), True))
    place = d.place or "Hà Nội"
    first_words = " ".join(issuer.name.split()[:2])
    signature = f"T/M {upper_vi(first_words)}" if party else f"TM. {upper_vi(issuer.name)}"
    return Heading(left=tuple(left), number=report_number(d.number),
                   right=PARTY_MOTTO if party else STATE_MOTTO,
                   place_date=f"{place}, {admin_date(summary.today)}", party=party,
                   signature=signature)


def report_number(number: str) -> str:
    """The report's own number, left blank for the registry office: 'Số     -BC/ĐĐTLĐ' for a
    Party-style number (48-KH/ĐĐTLĐ), 'Số:      /BC-TLĐ' for 300/KH-TLĐ."""
    head, _, tail = number.partition("/")
    if "-" in head and tail:  # 48-KH/ĐĐTLĐ
        return f"Số        -BC/{tail}"
    _, _, issuer = tail.partition("-")
    return f"Số:        /BC-{issuer or tail}"


def title_lines(summary: Summary) -> tuple[str, str]:
    d = summary.directive
    about = d.title.strip()
    if about[:1].isupper() and not about[1:2].isupper():
        about = about[0].lower() + about[1:]
    return ("BÁO CÁO", f"Kết quả thực hiện {d.kind} số {d.number} ngày {short(d.issued_on)} của "
            f"{d.issuer.name} về {about}")


def overview(summary: Summary) -> list[str]:
    """Section I: how the directive was rolled out and where it stands, in sentences."""
    root, t = summary.root, summary.total
    bodies = len(root.bodies)
    roles = f"{root.roles.get('lead', 0)} chủ trì, {root.roles.get('cooperating', 0)} phối hợp"
    out = [
        f"Ngày {root.launched_at.astimezone(summary.tz).strftime('%d/%m/%Y')}, "
        f"{root.coordinator.name} giao nhiệm vụ theo {root.directive.kind} số {root.directive.number} "
        f"đến {bodies} đơn vị: {t.tasks} nhiệm vụ ({roles}) thuộc {len(root.assignments)} nội dung.",
        f"Tính đến {admin_date(summary.today)}: {_state_sentence(t)}",
    ]
    if root.descendant_cascades:
        c = root.descendants
        out.append(
            f"Các đơn vị đã ban hành {root.descendant_cascades} kế hoạch con để thực hiện nhiệm vụ "
            f"được giao, gồm {c.tasks} nhiệm vụ: {_state_sentence(c)} Tính cả kế hoạch con: "
            f"{summary.overall.tasks} nhiệm vụ, {summary.overall.done} đã hoàn thành, "
            f"{summary.overall.overdue} quá hạn.")
    return out


def _state_sentence(c: Counts) -> str:
    text = (f"{c.done} nhiệm vụ đã hoàn thành ({c.done_on_time} đúng hạn, {c.done_late} trễ hạn); "
            f"{c.in_term} đang thực hiện trong hạn (trong đó {c.near_due} sắp đến hạn); "
            f"{c.overdue} quá hạn; {c.no_deadline} nhiệm vụ thường xuyên, không thời hạn; "
            f"{c.cancelled} đã hủy. Trong số nhiệm vụ chưa xong, {c.not_started} chưa bắt đầu")
    if c.extension_pending:
        text += f", {c.extension_pending} đang chờ quyết định gia hạn"
    return text + f". Đã đồng ý {c.extensions_granted} lượt gia hạn."


def cascade_caption(node: CascadeSummary) -> str:
    """'Kế hoạch số 07/KH-LĐLĐ của Liên đoàn Lao động Thành phố Hà Nội (thực hiện nhiệm vụ mục
    III.7 của 48-KH/ĐĐTLĐ)'."""
    d = node.directive
    text = f"{d.kind} số {d.number} của {d.issuer.name}"
    if node.parent:
        text += f" (thực hiện nhiệm vụ mục {node.parent.ref} của {node.parent.directive})"
    return text


def event_line(summary: Summary, e: EventRow) -> str:
    text = f"{summary.local(e.at):%d/%m/%Y %H:%M}: {e.action_label} ({e.actor_name})"
    if due := event_date(e.data):
        text += f", {due}"
    if e.note:
        text += f"; {e.note}"
    return text


def recipients(summary: Summary) -> list[str]:
    root = summary.root
    return ["Các đơn vị có tên tại mục II (để t/h);",
            "Đoàn Chủ tịch Tổng Liên đoàn (để b/c);",
            f"Lưu: Văn thư, {root.coordinator.name}."]


def results_overview(summary: Summary) -> list[str]:
    """Section III's sentences: who reported, with how many files, how the reports were
    reviewed, and how the targets stand."""
    results = summary.results
    if results is None:
        return []
    reported = results.reported()
    if not reported:
        out = ["Chưa có đơn vị nào gửi báo cáo kết quả."]
    else:
        reviews = {key: sum(1 for t in reported if t.review == key)
                   for key in ("accepted", "returned", "pending", "contribution")}
        files = sum(len(t.report.files) for t in reported if t.report)
        out = [f"{len({t.task.body.id for t in reported})} đơn vị đã gửi báo cáo cho {len(reported)} "
               f"nhiệm vụ, kèm {files} tệp: {reviews['accepted']} báo cáo đã được chấp nhận, "
               f"{reviews['returned']} bị trả lại, {reviews['pending']} chờ xem xét, "
               f"{reviews['contribution']} báo cáo phần phối hợp."]
    if results.targets:
        reached = sum(1 for t in results.targets if t.combined.reached)
        out.append(f"Văn bản đặt {len(results.targets)} chỉ tiêu; theo số liệu các đơn vị đã báo "
                   f"cáo, {reached} chỉ tiêu đã đạt mức phấn đấu.")
    return out
