"""An order database read as it is (SQLAlchemy 2 Core, read-only): SQLite or PostgreSQL.

Table and column names come from the mapping file, so an existing order database needs no change and no code. The
order number is always a bound parameter, never part of the SQL text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, bindparam, column, create_engine, select, table, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from assistant.errors import ConfigurationError, OrderNotFoundError, OrderSourceUnavailableError
from assistant.orders.model import OrderStatus
from connectors.sources.orders.mapping import OrderMapping
from connectors.sources.orders.records import build_order
from connectors.sources.orders.safety import checked_number

SQL_SCHEMES = ("sqlite:///", "postgresql://", "postgresql+psycopg://")


def is_sql_url(url: str) -> bool:
    return url.startswith(SQL_SCHEMES)


def read_only_engine(url: str, *, timeout_seconds: float = 2.0) -> Engine:
    """An engine that cannot write: SQLite opened with `mode=ro`, PostgreSQL in read-only transactions, both with
    a statement time limit."""
    try:
        if url.startswith("sqlite:///"):
            path = url.removeprefix("sqlite:///")
            return create_engine(f"sqlite+pysqlite:///file:{path}?mode=ro&uri=true",
                                 connect_args={"timeout": timeout_seconds, "check_same_thread": False})
        parsed = make_url(url).set(drivername="postgresql+psycopg")
        milliseconds = max(1, int(timeout_seconds * 1000))
        given = parsed.query.get("options", "")  # e.g. a search_path: kept, after our two
        options = f"-c default_transaction_read_only=on -c statement_timeout={milliseconds} {given}".strip()
        return create_engine(parsed.difference_update_query(["options"]), pool_pre_ping=True, pool_size=4,
                             max_overflow=4, connect_args={"connect_timeout": max(1, round(timeout_seconds)),
                                                           "options": options})
    except (ArgumentError, ValueError) as error:
        raise ConfigurationError(f"ASSISTANT_ORDERS_URL is not a usable database URL: {error}") from None


class SqlOrderSource:
    """Looks orders up in an order table (and, when mapped, its order-lines table) through a field mapping."""

    kind = "sql"

    def __init__(self, url: str, mapping: OrderMapping | None = None, *, timeout_seconds: float = 2.0) -> None:
        self._mapping = mapping or OrderMapping()
        self._engine = read_only_engine(url, timeout_seconds=timeout_seconds)
        self.target = url if url.startswith("sqlite:///") else make_url(url).render_as_string(hide_password=True)
        fields = {name: name_in_db for name, name_in_db in self._mapping.sql_fields.items() if name != "items"}
        self._names = list(fields)
        orders = table(self._mapping.table, *(column(name_in_db) for name_in_db in dict.fromkeys(fields.values())))
        self._order_query = (select(*(orders.c[fields[name]].label(f"f{index}")
                                      for index, name in enumerate(self._names)))
                             .where(orders.c[fields["id"]] == bindparam("number")))
        items = self._mapping.items_table
        if items is not None:
            lines = table(items.name, column(items.order_column),
                          *(column(name_in_db) for name_in_db in dict.fromkeys(items.columns.values())))
            self._item_names = list(items.columns)
            self._items_query = (select(*(lines.c[items.columns[name]] for name in self._item_names))
                                 .where(lines.c[items.order_column] == bindparam("number")))
        else:
            self._item_names = []
            self._items_query = None

    def lookup(self, order_number: str) -> OrderStatus:
        number = checked_number(order_number)
        try:
            with self._engine.connect() as connection:
                row = connection.execute(self._order_query, {"number": number}).first()
                if row is None:
                    raise OrderNotFoundError(f"no order {number}")
                lines = (connection.execute(self._items_query, {"number": number}).all()
                         if self._items_query is not None else [])
        except SQLAlchemyError as error:
            raise OrderSourceUnavailableError(f"order database unavailable ({type(error).__name__})") from error
        values: Mapping[str, Any] = dict(zip(self._names, row, strict=True))
        items = [dict(zip(self._item_names, line, strict=True)) for line in lines]
        return build_order(values, items, self._mapping, number)

    def ping(self) -> None:
        try:
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1")).scalar_one()
        except SQLAlchemyError as error:
            raise OrderSourceUnavailableError(f"order database unavailable ({type(error).__name__})") from error

    def close(self) -> None:
        self._engine.dispose()

