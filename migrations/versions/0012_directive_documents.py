"""The document a directive was drafted from, kept with its draft and then its directive
(models.console_tables.DirectiveDocument); the content lives in the file store.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from models.tables import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directive_document",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(120), nullable=False),
        sa.Column("draft_id", sa.Integer(), sa.ForeignKey("draft_review.id")),
        sa.Column("directive_id", sa.Integer(), sa.ForeignKey("directive.id")),
        sa.Column("uploaded_by", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_directive_document_sha256", "directive_document", ["sha256"])
    op.create_index("ix_directive_document_draft_id", "directive_document", ["draft_id"])
    op.create_index("ix_directive_document_directive_id", "directive_document", ["directive_id"])


def downgrade() -> None:
    op.drop_index("ix_directive_document_directive_id", "directive_document")
    op.drop_index("ix_directive_document_draft_id", "directive_document")
    op.drop_index("ix_directive_document_sha256", "directive_document")
    op.drop_table("directive_document")
