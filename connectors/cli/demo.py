"""`assistant demo orders`: a demo order database to try order questions with (`make run` makes it on first use)."""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.settings import Settings

DEMO_ORDERS_FILE = "demo-orders.db"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("demo", help="demo data")
    demo_commands = parser.add_subparsers(dest="demo_command", required=True)
    orders = demo_commands.add_parser("orders", help="create and seed a demo SQLite order database")
    orders.add_argument("--path", type=Path, default=None,
                        help=f"where to write it (default: {DEMO_ORDERS_FILE} in ASSISTANT_DATA_DIR)")
    orders.add_argument("--count", type=int, default=None, help="number of orders (default 60)")
    orders.add_argument("--seed", type=int, default=None, help="random seed (default 14: the README's numbers)")
    orders.add_argument("--if-missing", action="store_true", help="do nothing when the file already exists")
    orders.set_defaults(handler=make_demo_orders)


def demo_orders_url(settings: Settings) -> str:
    """The URL of the demo order database in the data directory."""
    return f"sqlite:///{(settings.data_dir / DEMO_ORDERS_FILE).resolve()}"


def use_demo_orders(settings: Settings) -> str | None:
    """Point `settings` at the demo order database when no order system is configured, with tracking links for its
    carriers unless `ASSISTANT_ORDERS_TRACKING_URLS` names some; the URL used, or None when `ASSISTANT_ORDERS_URL`
    names an order system (a real one always wins)."""
    from connectors.sources.orders.demo import DEMO_TRACKING_URLS

    if settings.orders_url:
        return None
    settings.orders_url = demo_orders_url(settings)
    if not settings.orders_tracking_urls:
        settings.orders_tracking_urls = dict(DEMO_TRACKING_URLS)
    return settings.orders_url


def make_demo_orders(settings: Settings, args: argparse.Namespace) -> int:
    from connectors.sources.orders.demo import DEFAULT_COUNT, DEFAULT_SEED, write_demo_database

    path: Path = args.path or settings.data_dir / DEMO_ORDERS_FILE
    if args.if_missing and path.exists():
        print(f"{path}: already there (ASSISTANT_ORDERS_URL=sqlite:///{path.resolve()})")
        return 0
    report = write_demo_database(path, count=args.count or DEFAULT_COUNT, seed=args.seed or DEFAULT_SEED)
    print(f"{report.path}: {report.orders} demo orders")
    print(f"use it with ASSISTANT_ORDERS_URL=sqlite:///{report.path.resolve()}")
    print("try:", ", ".join(f"{number} ({state})" for number, state in report.featured))
    return 0
