"""Order tests: the demo order database in SQLite, a stand-in order system over HTTP, the PostgreSQL server
`scripts/with-postgres` starts (those tests skip, saying why, without one)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from connectors.sources.orders.demo import write_demo_database
from tests.interactions.conftest import postgres_admin  # noqa: F401  (the fixture, shared)

TODAY = dt.date(2026, 12, 4)
"""The demo orders' dates are set around this day in tests, so the wording tests can name dates."""


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("orders") / "demo-orders.db"
    write_demo_database(path, today=TODAY)
    return path
