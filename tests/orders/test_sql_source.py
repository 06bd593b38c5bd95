"""The SQL order source: the demo SQLite database, an existing database read through a mapping, read-only access,
hostile numbers, and the same on PostgreSQL."""

from __future__ import annotations

import sqlite3
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import text

from assistant.errors import InvalidOrderNumberError, OrderNotFoundError, OrderSourceUnavailableError
from assistant.orders.model import Fulfilment, OrderState, ReturnState
from connectors.sources.orders.demo import FEATURED, create_tables, demo_orders
from connectors.sources.orders.factory import OrderSourceOptions, open_order_source
from connectors.sources.orders.mapping import mapping_from_dict
from connectors.sources.orders.sql_source import SqlOrderSource

from .conftest import TODAY

LEGACY_MAPPING = {
    "table": "tbl_ord",
    "fields": {"id": "ord_ref", "status": "ord_state", "eta": "due_on", "total.amount": "gross",
               "total.currency": "ccy", "customer.email": "mail"},
    "statuses": {"DESP": "shipped", "HOLD": "placed"},
    "items_table": {"name": "tbl_lines", "order_column": "ord_ref", "columns": {"name": "descr", "quantity": "qty"}},
}


def legacy_database(path):
    with sqlite3.connect(path) as connection:
        connection.executescript("""
            CREATE TABLE tbl_ord (ord_ref TEXT PRIMARY KEY, ord_state TEXT, due_on TEXT, gross REAL, ccy TEXT,
                                  mail TEXT, updated_at TEXT, carrier TEXT, tracking_number TEXT, fulfilment TEXT,
                                  collection_store TEXT, collect_by TEXT, customer_name TEXT, customer_phone TEXT,
                                  return_state TEXT);
            CREATE TABLE tbl_lines (ord_ref TEXT, sku TEXT, descr TEXT, qty INTEGER);
            INSERT INTO tbl_ord (ord_ref, ord_state, due_on, gross, ccy, mail)
                VALUES ('ORD-1234567', 'DESP', '2026-12-08', 42.5, 'GBP', 'amelia@example.com');
            INSERT INTO tbl_lines VALUES ('ORD-1234567', 'GRD-1', 'Hose', 2), ('ORD-1234567', 'GRD-2', 'Reel', 1);
        """)


def test_the_demo_database_answers_every_featured_number(demo_db):
    orders = SqlOrderSource(f"sqlite:///{demo_db}")
    for number, state, fulfilment, _ in FEATURED:
        order = orders.lookup(number)
        assert (order.status, order.fulfilment) == (state, fulfilment)
        assert order.items and order.total is not None and order.customer.email.endswith("@example.com")
    collect = orders.lookup("ORD-5531208")
    assert collect.collection_store and collect.collect_by is not None
    assert orders.lookup("ORD-3391876").return_state is ReturnState.REFUNDED
    with pytest.raises(OrderNotFoundError):
        orders.lookup("ORD-0000001")


def test_the_demo_orders_cover_every_state_both_fulfilments_and_currencies():
    rows = [row for row, _ in demo_orders(today=TODAY)]
    assert {row["status"] for row in rows} == {state.value for state in OrderState}
    assert {row["fulfilment"] for row in rows} == {fulfilment.value for fulfilment in Fulfilment}
    assert {row["currency"] for row in rows} == {"GBP", "EUR"}
    again = [row for row, _ in demo_orders(today=TODAY)]
    assert rows == again, "the same seed gives the same orders"


def test_an_existing_database_read_through_a_mapping(tmp_path):
    path = tmp_path / "legacy.db"
    legacy_database(path)
    orders = SqlOrderSource(f"sqlite:///{path}", mapping_from_dict(LEGACY_MAPPING))
    order = orders.lookup("ORD-1234567")
    assert order.status is OrderState.SHIPPED and order.eta.isoformat() == "2026-12-08"
    assert order.total.amount == Decimal("42.5") and order.item_count == 3
    assert [item.name for item in order.items] == ["Hose", "Reel"]


def test_the_source_cannot_write(demo_db):
    orders = SqlOrderSource(f"sqlite:///{demo_db}")
    with pytest.raises(Exception, match="readonly"), orders._engine.begin() as connection:
        connection.execute(text("DELETE FROM orders"))
    assert orders.lookup("ORD-4827193").status is OrderState.DELAYED


@pytest.mark.parametrize("number", ["ORD-1234567' OR '1'='1", "ORD-1' OR 1=1 --", "x'; DROP TABLE orders; --",
                                    "ORD-٤٨٢٧١٩٣", "ORD-" + "1" * 200])
def test_hostile_numbers_are_refused_before_any_query(demo_db, number):
    orders = SqlOrderSource(f"sqlite:///{demo_db}")
    with pytest.raises(InvalidOrderNumberError):
        orders.lookup(number)


def test_a_number_is_a_bound_parameter_even_when_it_passes_the_guard(demo_db):
    orders = SqlOrderSource(f"sqlite:///{demo_db}")
    with pytest.raises(OrderNotFoundError):
        orders.lookup("ORD-1-OR-1")


def test_a_missing_database_is_unavailable(tmp_path):
    orders = open_order_source(f"sqlite:///{tmp_path / 'nothing.db'}")
    with pytest.raises(OrderSourceUnavailableError):
        orders.lookup("ORD-4827193")
    assert not orders.health().ok


def test_a_mapping_naming_missing_columns_is_unavailable_not_a_crash(demo_db):
    orders = SqlOrderSource(f"sqlite:///{demo_db}", mapping_from_dict({"fields": {"carrier": "no_such_column"}}))
    with pytest.raises(OrderSourceUnavailableError):
        orders.lookup("ORD-4827193")


def test_the_factory_reads_the_mapping_file(tmp_path):
    path = tmp_path / "legacy.db"
    legacy_database(path)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("table: tbl_ord\nfields: {id: ord_ref, status: ord_state, eta: due_on, total.amount: gross,"
                       " total.currency: ccy, customer.email: mail}\nstatuses: {DESP: shipped}\n"
                       "items_table: {name: tbl_lines, order_column: ord_ref, columns: {name: descr, quantity: qty}}\n",
                       encoding="utf-8")
    orders = open_order_source(f"sqlite:///{path}", OrderSourceOptions(mapping_file=mapping))
    assert orders.lookup("ORD-1234567").status is OrderState.SHIPPED
    assert orders.health().details["source"] == "sql"


@pytest.fixture
def postgres_orders(postgres_admin):
    """A fresh schema on the test PostgreSQL server holding the demo orders; its URL as staff would set it."""
    schema = f"orders_test_{uuid.uuid4().hex[:12]}"
    with postgres_admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    scoped = postgres_admin.execution_options(schema_translate_map={None: schema})
    create_tables(scoped)
    from connectors.sources.orders.demo import items_table, orders_table

    rows, items = [], []
    for row, lines in demo_orders(today=TODAY):
        rows.append(row)
        items.extend(lines)
    with scoped.begin() as connection:
        connection.execute(orders_table.insert(), rows)
        connection.execute(items_table.insert(), items)
    url = postgres_admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False).replace("postgresql+psycopg://", "postgresql://")
    with postgres_admin.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


def test_postgresql_reads_the_demo_orders_read_only(postgres_orders):
    orders = open_order_source(postgres_orders)
    order = orders.lookup("ORD-5531208")
    assert order.status is OrderState.READY_FOR_COLLECTION and order.items
    with pytest.raises(OrderNotFoundError):
        orders.lookup("ORD-0000001")
    with pytest.raises(InvalidOrderNumberError):
        orders.lookup("ORD-1234567' OR '1'='1")
    assert orders.health().ok
    with pytest.raises(Exception, match="read-only"), orders._source._engine.begin() as connection:
        connection.execute(text("DELETE FROM orders"))
    orders.close()
