"""Alembic's entry point: runs the migrations on the connection `migrate.py` passes in (no URL, no ini file)."""

from alembic import context

from assistant.interactions.schema import metadata

connection = context.config.attributes["connection"]
# Batch mode lets SQLite, which cannot alter most columns in place, rebuild a table where needed.
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
