"""Alembic migrations of the interaction store; `assistant.interactions.migrate` runs them."""
