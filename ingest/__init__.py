"""Vietnamese directive document -> draft cascade template (header, assignments, targets).

    from ingest import DraftError, draft_document, draft_to_yaml

    draft = draft_document(Path("ke-hoach.docx"), registry)   # the JSON-contract dict
    text = draft_to_yaml(draft)                                # the commented YAML template
    draft = draft_text(pasted, "ke-hoach.txt", registry)       # pasted text, same contract

Names are imported on first use, so `import ingest` stays light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Draft", "DraftError", "draft_document", "draft_text", "draft_to_yaml"]

_WHERE = {"Draft": "ingest.draft", "draft_document": "ingest.draft", "draft_text": "ingest.draft",
          "DraftError": "ingest.errors", "draft_to_yaml": "ingest.yaml_out"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'ingest' has no attribute {name!r}")
