"""What an order look-up came to, on the turn (`order_found`, `order_not_found`, ...): unknown numbers are counted
without being knowledge gaps."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.add_column(sa.Column("outcome", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("outcome")
