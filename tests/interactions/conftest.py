"""Databases for the interaction store tests: a SQLite file, and a fresh schema on the PostgreSQL server
that `scripts/with-postgres` started (those tests skip, saying why, when there is none)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from assistant.interactions.engine import build_engine
from tests.support.environment import POSTGRES_URL_VARIABLE, test_postgres_url


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    url = test_postgres_url()
    if not url:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_URL_VARIABLE} set to a PostgreSQL URL")
    engine = build_engine(url)  # raises InteractionStoreError naming the driver when it is missing
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_url(postgres_admin: Engine) -> Iterator[str]:
    """A URL whose connections work in a fresh schema (libpq `options`: psycopg or psycopg2)."""
    schema = f"interactions_test_{uuid.uuid4().hex[:12]}"
    with postgres_admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    scoped = postgres_admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
    yield scoped.render_as_string(hide_password=False)
    with postgres_admin.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "interactions.db"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, sqlite_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{sqlite_path}"
    return request.getfixturevalue("postgres_url")
