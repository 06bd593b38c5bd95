"""Requests to be told when a gap is answered, and the notices waiting to be delivered."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_requests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("turn_id", sa.String(64), sa.ForeignKey("turns.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.JSON(), nullable=False),
        sa.Column("address_key", sa.String(64), nullable=False),
        sa.Column("asker_hash", sa.String(64), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("notice", sa.JSON(), nullable=True),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.UniqueConstraint("turn_id", "address_key", name="uq_notice_requests_turn_address"),
    )
    op.create_index("ix_notice_requests_ready_at", "notice_requests", ["ready_at"])


def downgrade() -> None:
    op.drop_index("ix_notice_requests_ready_at", table_name="notice_requests")
    op.drop_table("notice_requests")
