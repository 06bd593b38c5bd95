"""Order look-up latency: the SQL source on a 1,000,000-order SQLite table, and order answers end to end.

Usage: .venv/bin/python benchmarks/bench_orders.py [--orders N] [--lookups N] [--light] [--json]

1. SQL: builds a SQLite order table of N orders (default 1,000,000; one bulk insert in a single transaction, the
   order number the primary key) with about 2.5 lines per order, then times `SqlOrderSource.lookup` (the order and
   its lines, read-only) for random known numbers. Target: p95 <= 20 ms.
2. End to end: POST /v1/ask over real HTTP (uvicorn on 127.0.0.1) with an order number, answered through the REST
   source from a stand-in order system on 127.0.0.1. By default the whole app is wired (embedding model, knowledge
   index: retrieval runs for every question, order or not); `--light` leaves out the knowledge (the pipeline, the
   skill, the REST source and the API only). Target: p95 <= 100 ms.
Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.circuit_breaker import CircuitBreaker  # noqa: E402
from assistant.order_numbers import OrderNumberFinder  # noqa: E402
from assistant.orders.describe import OrderDescriber  # noqa: E402
from assistant.skills.orders import OrdersSkill  # noqa: E402
from benchmarks.machine import machine, summary_ms  # noqa: E402
from benchmarks.standins.app_server import AppServer  # noqa: E402
from benchmarks.standins.order_system import OrderSystem  # noqa: E402
from connectors.sources.orders.guarded import GuardedOrderSource  # noqa: E402
from connectors.sources.orders.http_source import HttpOrderSource  # noqa: E402
from connectors.sources.orders.sql_source import SqlOrderSource  # noqa: E402

STATES = ("placed", "paid", "picking", "ready_for_collection", "shipped", "out_for_delivery", "delivered",
          "delayed", "cancelled", "returned", "refunded")
PRODUCTS = (("GRD-10442", "Cordless lawnmower 36V"), ("GRD-51003", "Peat-free compost 50 L"),
            ("GRD-60219", "Solar lantern string"), ("GRD-41260", "Olive tree, 1.5 m"))


def order_number(index: int) -> str:
    return f"ORD-{10_000_000 + index * 7:08d}"


def build_table(path: Path, count: int) -> float:
    """The demo schema with `count` orders, written with executemany in one transaction; seconds taken."""
    from sqlalchemy import create_engine

    from connectors.sources.orders.demo import create_tables

    engine = create_engine(f"sqlite:///{path}")
    create_tables(engine)
    engine.dispose()
    started = time.perf_counter()
    rng = random.Random(7)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    batch = 50_000
    with connection:
        for first in range(0, count, batch):
            orders, lines = [], []
            for index in range(first, min(first + batch, count)):
                number = order_number(index)
                state = STATES[index % len(STATES)]
                orders.append((number, state, "2026-12-03T10:00:00", "DPD", f"1550{index:010d}", "2026-12-09",
                               "home_delivery", None, None, f"{rng.randint(5, 900)}.99", "GBP", "Amelia Hart",
                               "amelia.hart@example.com", "+44 7700 900123", None))
                for sku, name in rng.sample(PRODUCTS, rng.randint(1, 4)):
                    lines.append((number, sku, name, rng.randint(1, 3)))
            connection.executemany("INSERT INTO orders VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", orders)
            connection.executemany("INSERT INTO order_items (order_number, sku, name, quantity) VALUES (?,?,?,?)",
                                   lines)
    connection.close()
    return time.perf_counter() - started


def bench_sql(path: Path, count: int, lookups: int) -> dict:
    source = SqlOrderSource(f"sqlite:///{path}")
    rng = random.Random(11)
    for _ in range(50):
        source.lookup(order_number(rng.randrange(count)))
    latencies = []
    for _ in range(lookups):
        number = order_number(rng.randrange(count))
        started = time.perf_counter()
        source.lookup(number)
        latencies.append((time.perf_counter() - started) * 1000)
    source.close()
    return summary_ms(latencies)


def rest_orders(count: int) -> dict[str, dict]:
    return {order_number(index): {
        "id": order_number(index), "status": STATES[index % len(STATES)], "updated_at": "2026-12-03T10:00:00Z",
        "carrier": "DPD", "tracking_number": f"1550{index:010d}", "eta": "2026-12-09",
        "items": [{"sku": "GRD-10442", "name": "Cordless lawnmower 36V", "quantity": 1}],
        "total": {"amount": "249.00", "currency": "GBP"},
        "customer": {"name": "Amelia Hart", "email": "amelia.hart@example.com", "phone": "+44 7700 900123"},
    } for index in range(count)}


def bench_api(lookups: int, light: bool) -> dict:
    with OrderSystem(rest_orders(1000)) as orders_url, tempfile.TemporaryDirectory() as tmp:
        if light:
            app, close = light_app(orders_url, Path(tmp))
        else:
            app, close = full_app(orders_url, Path(tmp))
        latencies = []
        rng = random.Random(5)
        try:
            with AppServer(app) as base_url, httpx.Client(base_url=base_url) as client:
                for _ in range(20):
                    client.post("/v1/ask", json={"text": f"where is {order_number(rng.randrange(1000))}?"})
                for round_number in range(lookups):
                    text = f"where is order {order_number(rng.randrange(1000))}? ({round_number})"
                    started = time.perf_counter()
                    response = client.post("/v1/ask", json={"text": text})
                    latencies.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
                    if response.json()["outcome"] != "order_found":
                        raise RuntimeError(f"unexpected answer: {response.json()}")
        finally:
            close()
    return summary_ms(latencies)


def light_app(orders_url: str, data_dir: Path):
    from assistant.interactions import InteractionStore
    from assistant.pipeline import Assistant
    from assistant.privacy import Redactor
    from assistant.skills.page_answers import PageAnswer
    from connectors.channels.http.app import ApiPorts, create_app

    class NoPages:
        def answer(self, text: str, *, audience: object, language: str) -> PageAnswer:
            return PageAnswer(text="", citations=[], confidence=0.0, answerable=False)

    store = InteractionStore(f"sqlite:///{data_dir / 'turns.db'}", Redactor(use_ner=False), salt="bench")
    source = GuardedOrderSource(HttpOrderSource(orders_url), CircuitBreaker("orders", failure_threshold=3))
    finder = OrderNumberFinder()
    assistant = Assistant(NoPages(), store, order_numbers=finder,
                          orders=OrdersSkill(source, finder=finder, describer=OrderDescriber()))

    def close() -> None:
        assistant.close()
        store.close()
        source.close()

    return create_app(ApiPorts(answering=assistant, gaps=store, health_checks=(source.health,))), close


def full_app(orders_url: str, data_dir: Path):
    from assistant.settings import Settings
    from connectors.app.services import build_services
    from connectors.channels.http.app import create_app

    settings = Settings(_env_file=None, knowledge_dir=ROOT / "knowledge", data_dir=data_dir, hash_salt="bench",
                        orders_url=orders_url)
    services = build_services(settings)
    services.ingestor().ingest(settings.knowledge_dir)
    services.embedder.warm_up()
    return create_app(services.api_ports()), services.close


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--api-lookups", type=int, default=300)
    parser.add_argument("--light", action="store_true", help="end to end without the knowledge index and model")
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result: dict = {"benchmark": "orders", "machine": machine(), "orders": args.orders}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.db"
        result["build_seconds"] = round(build_table(path, args.orders), 1)
        result["db_mib"] = round(path.stat().st_size / 2**20, 1)
        result["sql_lookup"] = bench_sql(path, args.orders, args.lookups)
    if not args.skip_api:
        result["ask_mode"] = "light (no knowledge retrieval)" if args.light else "full app"
        result["ask_order"] = bench_api(args.api_lookups, args.light)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"machine: {result['machine']}")
        print(f"{args.orders:,} orders built in {result['build_seconds']} s ({result['db_mib']} MiB)")
        sql = result["sql_lookup"]
        print(f"SQL lookup (order + lines): p50 {sql['p50_ms']} ms, p95 {sql['p95_ms']} ms, max {sql['max_ms']} ms "
              f"over {sql['n']} lookups (target p95 <= 20 ms)")
        if "ask_order" in result:
            ask = result["ask_order"]
            print(f"POST /v1/ask, order via REST [{result['ask_mode']}]: p50 {ask['p50_ms']} ms, p95 {ask['p95_ms']} "
                  f"ms, max {ask['max_ms']} ms over {ask['n']} questions (target p95 <= 100 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
