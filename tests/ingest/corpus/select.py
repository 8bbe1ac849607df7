"""How the corpus in this directory was drawn (documentation; never run at test time).

    python tests/ingest/corpus/select.py /work/.mirror/tnt305+tai_lieu_noi_bo/repo [--out DIR] [--list]

The argument is a git directory (bare or not) of the public repository tnt305/tai_lieu_noi_bo;
the documents are read from commit 94c5034 (`src/etl/dataset/<hash>.md`, about 14,000 markdown
copies of Vietnamese administrative documents and of news and Q&A pages from a legal-document
site). The selection is deterministic: no randomness but a fixed salt hashed with each name.

1. Left out, before any file is read: the eight files kept for evaluation (they are never read:
   only the listing's names, blob ids and sizes are used, and a file with the same blob or the
   same byte size as one of them is left out too, as a probable copy); the files the shared
   documents came from (/work/shared/directives/SOURCES.md, the "source" keys of
   /work/shared/expected/*.json); the documents of the hand-annotated sets in
   tests/ingest/annotated/documents/ (as of the drawing); files over 200,000 bytes.
2. Read: the document's own number, kind, issuer and year, from the site's metadata block
   ('Số hiệu / Loại văn bản / Nơi ban hành / Ngày ban hành'), from the header ('Số: 141/KH-UBND',
   the organ lines above it, the date line, the title in capitals), from a reprint's title
   ('Toàn văn Kế hoạch 01-KH/BCĐTW …'), or from a news page's title naming a directive
   ('Công văn 5782/UBND-KT về …'). Pages that name no document of their own are not drawn.
   Left out as well: any page that names the number of a shared document (the same document
   or a page about it).
3. Split by the test's rule (tests/ingest/test_corpus.py `assignment_section`) into documents
   with an assignment section and without, then drawn round-robin over strata (issuer category
   x kind; in each turn the smallest strata first), each stratum in the order of
   sha256(SALT + name):
   - with a section: the full texts (site page, header, reprint, headerless text), then news
     pages naming a directive of a wanted kind, up to SECTION_TARGET (the store holds fewer:
     all are drawn);
   - without a section: directive kinds first (letters, decisions, instructions …), then up to
     NORMATIVE_CAP normative texts (Thông tư, Nghị định, Nghị quyết, Luật …) and up to NEWS_CAP
     news pages, until TARGET documents in all.
4. Each drawn file is copied byte for byte to the output directory under its own name, and
   SOURCES.md lists them.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this directory comes first on sys.path, and this file would stand in for the
# standard module `select` that subprocess imports: drop the directory, put the project root.
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import hashlib  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import unicodedata  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from tests.ingest.test_corpus import assignment_section  # noqa: E402

REPOSITORY = "tnt305/tai_lieu_noi_bo"
COMMIT = "94c5034af72cc7e5020694d06eceb126a103d48b"
DATASET = "src/etl/dataset"
MAX_BYTES = 200_000
TARGET = 300
SECTION_TARGET = 225
NORMATIVE_CAP = 30
NEWS_CAP = 20
SALT = "directive-cascade corpus 1"

EVALUATION = {  # kept for evaluation: never read
    "266c58c94945cbc4.md", "aa9bb8226e3d4c71.md", "f0a3d9f100d0791b.md", "86367f2ddb2225cd.md",
    "448306af3d3a91f7.md", "437c3beb60ae2874.md", "ad5aff6c13929815.md", "8718801c503045f9.md",
}
SHARED_SOURCES = {  # /work/shared/directives/SOURCES.md and /work/shared/expected/*.json "source"
    "09daab284f92e2dd.md", "0a97eb9c3c536047.md", "2d737276bf416017.md", "2f6f80b9918e52de.md",
    "4f30202155d56bdd.md", "5d99697f14bcf68a.md", "6a406c1f9dfed9c3.md", "6e4d7759e03163f7.md",
    "8bfc5490255c4de0.md", "9615b53de3e78142.md", "987cadc82373c854.md", "c5d930a5fc8373cd.md",
    "253e1f349c13b9a7.md", "2b1e1f73e907d6b4.md", "31786b0833a4130d.md", "349da7f7376381fb.md",
    "85200c4e94d42283.md", "8e9530416a42085b.md", "add7fd3e90beefaa.md", "bd9fc00e19444df2.md",
    "f069c23c942c1ec6.md",
}
SHARED_NUMBERS = (  # the shared documents' numbers, and those of the plans their excerpts cut
    "02-NQ/TW", "45-KH/ĐĐTLĐ", "48-KH/ĐĐTLĐ", "141/KH-UBND", "172/KH-UBND", "1026/KH-UBND",
    "06/CT-UBND", "6225/BVHTTDL-VP", "17809/BTC-CTK", "07-KL/VPTW", "37-HD/BTGDVTW", "160/KH-UBND",
    "7360/KH-UBND", "980/KH-UBND", "155-KL/TW", "34/KH-TLĐ", "22/KH-TLĐ", "1472/KH-CĐNH",
    "8019/TLĐ", "182/KH-UBND", "127-KL/TW", "47-KH/BCĐ", "310/KH-UBND", "127/KH-UBND",
)
ANNOTATED = {  # tests/ingest/annotated/documents/ when the corpus was drawn
    "001c610b2efdcf0c.md", "192068354fd1ffe5.md", "296e373d796986f4.md", "31fb08f34535fce3.md",
    "541cde0f8d5ffef3.md", "556b2fb4a0149576.md", "65c9ecb9e2fa82c1.md", "689f49d25e51cbaa.md",
    "717159673033f644.md", "7f6efa59099bb33b.md", "8018a6f353d60a9e.md", "8e9a425dd83e56b3.md",
    "a12a41bbbe518be8.md", "a49ef8a0da1f62dd.md", "ad0066b8d39e5c85.md", "b2fa001677379e64.md",
    "b3f47f1508761da8.md", "d40513a8b25883ec.md", "e42103d7f815212d.md", "ec00bd6f58be7864.md",
}

DIRECTIVE_KINDS = ("Kế hoạch", "Công văn", "Kết luận", "Chỉ thị", "Quyết định", "Hướng dẫn",
                   "Chương trình", "Công điện", "Thông báo")
NORMATIVE_KINDS = ("Thông tư", "Nghị định", "Nghị quyết", "Luật", "Quy định", "Quy chế",
                   "Văn bản hợp nhất")
TITLES = {  # a title line in capitals -> kind
    "KẾ HOẠCH": "Kế hoạch", "QUYẾT ĐỊNH": "Quyết định", "CHỈ THỊ": "Chỉ thị",
    "KẾT LUẬN": "Kết luận", "HƯỚNG DẪN": "Hướng dẫn", "CHƯƠNG TRÌNH": "Chương trình",
    "NGHỊ QUYẾT": "Nghị quyết", "THÔNG TƯ": "Thông tư", "NGHỊ ĐỊNH": "Nghị định",
    "BÁO CÁO": "Báo cáo", "THÔNG BÁO": "Thông báo", "CÔNG ĐIỆN": "Công điện",
    "QUY ĐỊNH": "Quy định", "QUY CHẾ": "Quy chế", "TỜ TRÌNH": "Tờ trình", "LUẬT": "Luật",
    "CÔNG VĂN": "Công văn",
}
KIND_CODES = {
    "KH": "Kế hoạch", "QĐ": "Quyết định", "CT": "Chỉ thị", "KL": "Kết luận", "HD": "Hướng dẫn",
    "CTr": "Chương trình", "NQ": "Nghị quyết", "TT": "Thông tư", "NĐ": "Nghị định",
    "BC": "Báo cáo", "TB": "Thông báo", "CĐ": "Công điện", "QĐi": "Quy định", "QC": "Quy chế",
    "TTr": "Tờ trình", "CV": "Công văn", "VBHN": "Văn bản hợp nhất",
}
NUMBER = r"(\d{1,6}(?:\s*/\s*\d{4})?\s*[/-]\s*[A-ZĐ][\wĐđ&\-/.]*)"
_MARKS = re.compile(r"[*#|_]+")
_NEWS_TITLE = re.compile(
    r"\b(Kế hoạch|Công văn|Kết luận|Chỉ thị|Quyết định|Hướng dẫn|Chương trình|Công điện|Thông báo"
    r"|Nghị quyết|Thông tư|Nghị định)\s+(?:số\s+)?(\d{1,6}(?:/\d{4})?[/-][A-Za-zĐđ][\w/\-Đđ]*)")


@dataclass
class Document:
    name: str
    size: int
    text: str
    source: str  # "site page", "header", "reprint", "headerless", "news page"
    number: str | None
    kind: str | None
    issuer: str
    year: int | None
    section: str | None = None

    @property
    def category(self) -> str:
        return issuer_category(self.number, self.issuer)

    @property
    def full_text(self) -> bool:
        return self.source != "news page"


# --- reading the mirror --------------------------------------------------------------------------


def listing(mirror: Path) -> list[tuple[str, str, int]]:
    """(name, blob, size) of every markdown file of the dataset at COMMIT."""
    out = subprocess.run(["git", "-C", str(mirror), "ls-tree", "-r", "-l", COMMIT, DATASET],
                         check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        meta, path = line.split("\t", 1)
        _, _, blob, size = meta.split()
        if path.endswith(".md") and size.isdigit():
            rows.append((path.rsplit("/", 1)[1], blob, int(size)))
    return rows


def read_blobs(mirror: Path, blobs: list[str]) -> dict[str, bytes]:
    with subprocess.Popen(["git", "-C", str(mirror), "cat-file", "--batch"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        contents = {}
        for blob in blobs:
            proc.stdin.write(blob.encode() + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            contents[blob] = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)
        proc.stdin.close()
    return contents


def readable(rows: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """The rows that may be read: step 1 of the module docstring."""
    held = [(blob, size) for name, blob, size in rows if name in EVALUATION]
    held_blobs = {blob for blob, _ in held}
    held_sizes = {size for _, size in held}
    left_out = EVALUATION | SHARED_SOURCES | ANNOTATED
    return [(name, blob, size) for name, blob, size in rows
            if name not in left_out and blob not in held_blobs and size not in held_sizes
            and 0 < size <= MAX_BYTES]


# --- what a document is --------------------------------------------------------------------------


def _clean(line: str) -> str:
    return " ".join(_MARKS.sub(" ", line).split())


def _year(lines: list[str]) -> int | None:
    for line in lines:
        m = (re.search(r"ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+((?:19|20)\d\d)", line, re.I)
             or re.search(r"ngày\s+\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*((?:19|20)\d\d)", line, re.I))
        if m:
            return int(m.group(1))
    return None


def _kind_from_code(number: str) -> str | None:
    m = re.match(r"^\d+(?:/\d{4})?[/-]([^/-]+)", re.sub(r"\s+", "", number))
    return KIND_CODES.get(m.group(1)) if m else None


def describe(name: str, size: int, text: str) -> Document | None:
    """The document's own number, kind, issuer and year, or None for a page naming none."""
    lines = [c for c in (_clean(raw) for raw in text.split("\n")[:250])
             if c and not re.fullmatch(r"[-=–_. ]+", c)]
    if not lines:
        return None
    if any(line.startswith("Số hiệu:") for line in lines):
        fields = {}
        for key in ("Số hiệu:", "Loại văn bản:", "Nơi ban hành:", "Ngày ban hành:"):
            i = next((i for i, line in enumerate(lines) if line.startswith(key)), None)
            if i is not None:
                fields[key] = lines[i][len(key):].strip() or (lines[i + 1] if i + 1 < len(lines) else "")
        m = re.search(r"((?:19|20)\d\d)$", fields.get("Ngày ban hành:", ""))
        return Document(name, size, text, "site page", fields.get("Số hiệu:"),
                        fields.get("Loại văn bản:"), fields.get("Nơi ban hành:", ""),
                        int(m.group(1)) if m else None)
    for i, line in enumerate(lines[:80]):
        m = re.match(rf"^Số\s*:?\s*{NUMBER}(?:\s|$)", line)
        if not m and re.match(r"^Số\s*:?\s*$", line) and i + 1 < len(lines):
            m = re.match(rf"{NUMBER}(?:\s|$)", lines[i + 1])
        if m:
            return _from_header(name, size, text, lines, i, m.group(1).rstrip(".-/"))
    first = lines[0]
    m = re.match(r"^(?:TOÀN VĂN|Toàn văn)\b", first) and re.search(rf"\b{NUMBER}", first)
    if m:
        number = m.group(1).rstrip(".-/?")
        found = [(first.upper().find(k), v) for k, v in TITLES.items() if k in first.upper()[:40]]
        kind = min(found)[1] if found else None  # "Toàn văn Công văn 86-CV/VPTU hướng dẫn …"
        return Document(name, size, text, "reprint", number, kind or _kind_from_code(number),
                        _news_issuer(lines), _year(lines[:12]) or _number_year(number))
    for title, kind in TITLES.items():
        if first == title:
            number = next((m.group(1) for line in lines[:60]
                           if (m := re.match(rf"^(?:Số|Luật số)\s*:?\s*{NUMBER}", line))), None)
            return Document(name, size, text, "headerless", number, kind, "", _year(lines[:120]))
    m = _NEWS_TITLE.search(first)
    if m:
        return Document(name, size, text, "news page", m.group(2), m.group(1), _news_issuer(lines),
                        _year(lines[:12]) or _number_year(m.group(2)))
    return None


def _from_header(name: str, size: int, text: str, lines: list[str], at: int, number: str
                 ) -> Document:
    organ = []
    for line in lines[:at]:
        upper = line.upper()
        if any(k in upper for k in ("CỘNG HÒA", "CỘNG HOÀ", "ĐỘC LẬP", "CHỦ NGHĨA VIỆT NAM",
                                    "ĐẢNG CỘNG SẢN", "VIỆT NAM")) or line in ("*", "X"):
            continue
        if re.search(r"ngày|tháng", line) or upper.startswith("SỐ"):
            continue
        organ.append(line)
    letter = any(re.match(r"^(?:V/v|V/V|Về việc)\b", line) for line in lines[at:at + 12]) or any(
        line.startswith("Kính gửi") for line in lines[:at + 40])
    kind = None if letter else _kind_from_code(number)  # "5680/CT-CS" is a letter of Cục Thuế
    for line in lines[at:at + 25] if kind is None else ():
        upper = line.upper()
        kind = next((v for k, v in TITLES.items()
                     if upper == k or (upper.startswith(k + " ") and line.isupper() and len(line) < 80)),
                    None)
        if kind:
            break
    if not kind:
        kind = "Công văn" if letter else None
    year = _number_year(number) or _year(lines[max(0, at - 3):at + 8]) or _year(lines[:120])
    return Document(name, size, text, "header", number, kind, " ".join(organ[-4:])[:100], year)


def _number_year(number: str) -> int | None:
    m = re.search(r"/((?:19|20)\d\d)/", number)
    return int(m.group(1)) if m else None


_ISSUED = (  # "Ngày 02/12/2025, Bộ Nội vụ đã ban hành …", "Công văn 6131/UBND-XDCT … của UBND tỉnh Gia Lai,"
    re.compile(r"Ngày\s+\d{1,2}/\d{1,2}/\d{4},\s*(?:thay mặt [^,]{3,40},\s*)?([^,.;:]{3,80}?)\s+"
               r"(?:đã\s+)?(?:ký\s+)?(?:ban hành|có)\s"),
    re.compile(r"\d+(?:/\d{4})?[/-][\wĐđ/&-]+(?:\s+năm\s+\d{4})?(?:\s+ngày\s+[\d/]+)?\s+của\s+"
               r"([^,.;:()]{3,80})"),
)


def _news_issuer(lines: list[str]) -> str:
    for pattern in _ISSUED:
        for line in lines[:12]:
            m = pattern.search(line)
            if m:
                return re.split(r"\s+(?:về|năm|ngày|đã|tiếp tục)\s", m.group(1))[0].strip()
    return ""


def issuer_category(number: str | None, issuer: str) -> str:
    """Central Party, provincial Party, Government, ministry, People's Committee, trade union,
    legislature and councils, or another sector body: from the number's organ code and the
    issuer as printed."""
    compact = re.sub(r"\s+", "", number or "")
    upper = issuer.upper()
    party = re.match(r"^\d+-[A-Za-zĐđ]+/(.+)$", compact)
    if party:
        central = "TW" in party.group(1) or any(
            k in upper for k in ("TRUNG ƯƠNG", "CHÍNH PHỦ", "QUỐC HỘI", "BỘ CHÍNH TRỊ", "BAN BÍ THƯ"))
        return "Party, central" if central else "Party, provincial"
    m = re.match(r"^\d+(?:/\d{4})?/(.+)$", compact)
    segments = m.group(1).split("-") if m else [""]
    organ = segments[1] if len(segments) > 1 and segments[0] in KIND_CODES else segments[0]
    if any(seg in ("TLĐ", "LĐLĐ", "ĐĐTLĐ") for seg in segments) or re.match(r"^CĐ[A-ZĐ]", organ) or any(
            k in upper for k in ("LIÊN ĐOÀN LAO ĐỘNG", "CÔNG ĐOÀN")):
        return "trade union"
    if organ in ("TTg", "CP", "VPCP") or any(k in upper for k in ("CHÍNH PHỦ", "THỦ TƯỚNG")):
        return "Government"
    if re.match(r"^(?:QH\d*|UBTVQH\d*|HĐND)$", organ) or any(
            k in upper for k in ("QUỐC HỘI", "HỘI ĐỒNG NHÂN DÂN")):
        return "legislature, councils"
    if organ == "UBND" or any(k in upper for k in ("ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN", "UBND")):
        return "People's Committee"
    if re.match(r"^B[A-ZĐ]{1,8}$", organ) or upper.startswith("BỘ "):
        return "ministry"
    return "sector body"


def names_shared_document(text: str) -> bool:
    compact = re.sub(r"\s*([/-])\s*", r"\1", unicodedata.normalize("NFC", text)).replace("Ð", "Đ")
    return any(re.search(rf"(?<!\d){re.escape(n)}(?![A-Za-zĐđ])", compact) for n in SHARED_NUMBERS)


# --- drawing -------------------------------------------------------------------------------------


def _order(name: str) -> str:
    return hashlib.sha256((SALT + name).encode()).hexdigest()


def round_robin(documents: list[Document], count: int, key) -> list[Document]:  # type: ignore[no-untyped-def]
    """Up to `count` documents, one per stratum in turn, the smallest strata first in each turn,
    each stratum in hash order."""
    strata: dict[object, list[Document]] = {}
    for document in sorted(documents, key=lambda d: _order(d.name)):
        strata.setdefault(key(document), []).append(document)
    queues = [strata[k] for k in sorted(strata, key=lambda k: (len(strata[k]), str(k)))]
    drawn: list[Document] = []
    while len(drawn) < count and any(queues):
        for queue in queues:
            if queue and len(drawn) < count:
                drawn.append(queue.pop(0))
    return drawn


def draw(documents: list[Document]) -> list[Document]:
    def stratum(d: Document) -> tuple[str, str]:
        return (d.category, d.kind or "")

    with_section = [d for d in documents if d.section]
    full = [d for d in with_section if d.full_text]
    news = [d for d in with_section if not d.full_text and d.kind in DIRECTIVE_KINDS]
    drawn = round_robin(full, SECTION_TARGET, stratum)
    drawn += round_robin(news, SECTION_TARGET - len(drawn), stratum)
    without = [d for d in documents if not d.section]
    assigning = DIRECTIVE_KINDS + ("Báo cáo", "Tờ trình")
    directive = [d for d in without if d.full_text and d.kind in assigning]
    normative = [d for d in without if d.full_text and d.kind not in assigning]
    pages = [d for d in without if not d.full_text]
    rest = TARGET - len(drawn) - min(NORMATIVE_CAP, len(normative)) - min(NEWS_CAP, len(pages))
    drawn += round_robin(directive, max(rest, 0), stratum)
    drawn += round_robin(normative, min(NORMATIVE_CAP, TARGET - len(drawn)), stratum)
    drawn += round_robin(pages, TARGET - len(drawn), stratum)
    return sorted(drawn, key=lambda d: d.name)


def candidates(mirror: Path) -> list[Document]:
    rows = readable(listing(mirror))
    contents = read_blobs(mirror, [blob for _, blob, _ in rows])
    described = []
    for name, blob, size in rows:
        text = contents[blob].decode("utf-8", "replace")
        document = describe(name, size, unicodedata.normalize("NFC", text))
        if document and document.number and document.kind and not names_shared_document(text):
            described.append(document)
    documents = []
    seen = set()  # one page per number and year (several pages quote one document): a full text first
    for document in sorted(described, key=lambda d: (not d.full_text, _order(d.name))):
        key = (re.sub(r"\s+", "", document.number or ""), document.year)
        if key not in seen:
            seen.add(key)
            document.section = assignment_section(document.text)
            documents.append(document)
    return documents


# --- writing -------------------------------------------------------------------------------------


def sources_md(drawn: list[Document]) -> str:
    with_section = sum(1 for d in drawn if d.section)
    lines = [
        "# Where the corpus comes from",
        "",
        f"- repository: https://github.com/{REPOSITORY}",
        f"- commit: {COMMIT}",
        f"- path: `{DATASET}/<name>` (each file copied byte for byte, under its own name)",
        f"- drawn by `select.py` (this directory) from a local mirror: {len(drawn)} documents, "
        f"{with_section} with an assignment section by the rule of `tests/ingest/test_corpus.py`, "
        f"{len(drawn) - with_section} without",
        "- left out: the eight files kept for evaluation (never read, nor any file with the same blob "
        "or byte size), the files the shared documents came from, the hand-annotated sets' documents, "
        "pages naming a shared document's number, files over 200,000 bytes (details: `select.py`)",
        "- the store is mostly 2025 news and Q&A pages; its full-text directives are mostly 2025 "
        "decisions and letters of provinces, ministries and the Government, and it holds almost no "
        "trade-union document",
        "",
        "Columns: the number as printed (from the site's metadata block, the header, or the page "
        "title), the kind, the issuer as printed (or, where the page does not print it, empty), "
        "the issuer's category, the year, where the text was read from (site page: the site's "
        "metadata block and the document; header: the document's own header; reprint: a "
        "'Toàn văn …' page; headerless: the document without its header; news page: a news or "
        "Q&A page quoting the document), and the assignment section (the rule's reason, or no).",
        "",
        "| file | number | kind | issuer | category | year | read from | assignment section |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for d in drawn:
        issuer = d.issuer.replace("|", "/")
        lines.append(f"| {d.name} | {d.number} | {d.kind} | {issuer} | {d.category} | "
                     f"{d.year or '?'} | {d.source} | {d.section or 'no'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mirror", type=Path, help="git directory of tnt305/tai_lieu_noi_bo")
    parser.add_argument("--out", type=Path, default=HERE,
                        help="where to copy the documents and write SOURCES.md (default: here)")
    parser.add_argument("--list", action="store_true", help="print the table only, copy nothing")
    args = parser.parse_args(argv)
    drawn = draw(candidates(args.mirror))
    table = sources_md(drawn)
    if args.list:
        print(table)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    names = {d.name for d in drawn}
    for stale in args.out.glob("*.md"):  # documents of an earlier drawing
        if re.fullmatch(r"[0-9a-f]{16}\.md", stale.name) and stale.name not in names:
            stale.unlink()
    rows = {name: blob for name, blob, _ in listing(args.mirror)}
    contents = read_blobs(args.mirror, [rows[d.name] for d in drawn])
    for d in drawn:
        (args.out / d.name).write_bytes(contents[rows[d.name]])
    (args.out / "SOURCES.md").write_text(table, encoding="utf-8")
    print(f"{len(drawn)} documents written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
