"""The language of the page an answer quoted when it is not the asker's (`source_language`): which pages staff read
across languages, i.e. which translations they lack."""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.add_column(sa.Column("source_language", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("source_language")
