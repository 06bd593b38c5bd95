"""Expiring state the replicas share (`shared_state`): claims on Slack events and messages, threads the bot is in,
pending conversation slots, answers behind buttons, Teams votes."""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shared_state",
        sa.Column("namespace", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("namespace", "key"),
    )
    op.create_index("ix_shared_state_expires_at", "shared_state", ["expires_at"])
    op.create_index("ix_shared_state_namespace_expires_at", "shared_state", ["namespace", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_shared_state_namespace_expires_at", table_name="shared_state")
    op.drop_index("ix_shared_state_expires_at", table_name="shared_state")
    op.drop_table("shared_state")
