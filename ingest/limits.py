"""Input limits: what the drafter refuses before it spends time or memory on a document.

Module constants for now (they become settings later). Every refusal names the limit.
"""

from __future__ import annotations

MAX_FILE_BYTES = 30 * 1024 * 1024  # any input file as stored
MAX_TEXT_CHARS = 1_000_000  # text after reading (about 400 pages)
MAX_DOCX_PART_BYTES = 25 * 1024 * 1024  # one decompressed part of a .docx (declared size)
MAX_DOCX_TOTAL_BYTES = 80 * 1024 * 1024  # all decompressed parts of a .docx together
MAX_PDF_PAGES = 300  # pages of a PDF
MAX_OCR_PAGES = 40  # pages read by OCR (scans are slow: about a second per page and CPU)
OCR_CALL_SECONDS = 120  # one Tesseract run on one page (or one header column); then it is stopped
OCR_CACHE_DAYS = 30  # an OCR cache entry unused this long is dropped (ingest/ocr_cache.py)
OCR_CACHE_BYTES = 200 * 1024 * 1024  # the OCR cache beyond this: the least recently used go
MAX_IMAGE_PIXELS = 80_000_000  # one scanned page or image
MAX_PAGE_POINTS = 5000  # a PDF page's side in points (1.76 m; A0's long side is 2384 pt)
JOB_CPU_SECONDS = 15 * 60  # CPU time of one background draft (its process and its Tesseracts)
JOB_MEMORY_BYTES = 2 * 1024 * 1024 * 1024  # address space of the draft's process (and each Tesseract)
JOB_WALL_SECONDS = 30 * 60  # a background draft still reading after this is stopped
JOB_NICE = 10  # a background draft yields the CPU to the web workers
MAX_ASSIGNMENTS = 500  # assignments in one draft

MB = 1024 * 1024


def megabytes(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n / 1024:.0f} KB"
