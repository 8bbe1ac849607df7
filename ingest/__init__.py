"""Vietnamese directive document -> draft cascade template (header, assignments, targets).

    from ingest import DraftError, draft_document, draft_to_yaml

    draft = draft_document(Path("ke-hoach.docx"), registry)   # the JSON-contract dict
    text = draft_to_yaml(draft)                                # the commented YAML template
"""

from ingest.draft import Draft, draft_document
from ingest.errors import DraftError
from ingest.yaml_out import draft_to_yaml

__all__ = ["Draft", "DraftError", "draft_document", "draft_to_yaml"]
