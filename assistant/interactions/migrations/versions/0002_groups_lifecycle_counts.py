"""Who asked (team, location, role from the staff directory), a gap's lifecycle, and counts that outlive retention."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.add_column(sa.Column("team", sa.String(), nullable=True))
        batch.add_column(sa.Column("location", sa.String(), nullable=True))
        batch.add_column(sa.Column("role", sa.String(), nullable=True))
        batch.add_column(sa.Column("gap_state", sa.String(16), nullable=True))
        batch.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resolved_page", sa.String(), nullable=True))
        batch.add_column(sa.Column("resolution", sa.String(16), nullable=True))
        batch.add_column(sa.Column("state_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("state_changed_by", sa.String(32), nullable=True))
        batch.create_index("ix_turns_gap_state", ["gap_state"])
    # Every gap recorded before lifecycles existed is still open.
    op.execute(sa.text("UPDATE turns SET gap_state = 'open' WHERE gap"))
    op.create_table(
        "gap_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("gap_reason", sa.String(32), nullable=False),
        sa.Column("team", sa.String(), nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("gaps", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "channel", "gap_reason", "team"),
    )


def downgrade() -> None:
    op.drop_table("gap_counts")
    with op.batch_alter_table("turns") as batch:
        batch.drop_index("ix_turns_gap_state")
        for column in ("state_changed_by", "state_note", "resolution", "resolved_page", "resolved_at", "gap_state",
                       "role", "location", "team"):
            batch.drop_column(column)
