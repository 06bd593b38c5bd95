"""Embeddings of redacted gap questions, so that reports embed each question once."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question_vectors",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_question_vectors_created_at", "question_vectors", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_question_vectors_created_at", table_name="question_vectors")
    op.drop_table("question_vectors")
