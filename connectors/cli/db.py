"""`assistant db upgrade | prune`: the interaction store's schema and its retention."""

from __future__ import annotations

import argparse

from assistant.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("db", help="the interaction and gap store")
    db_commands = parser.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply the schema migrations (serve does this at start)")
    upgrade.set_defaults(handler=upgrade_database)
    prune = db_commands.add_parser("prune", help="delete turns and votes older than the retention period")
    prune.add_argument("--days", type=_positive_days, default=None, help="default ASSISTANT_RETENTION_DAYS")
    prune.set_defaults(handler=prune_database)


def upgrade_database(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.interactions import upgrade_database as upgrade
    from assistant.interactions.engine import parse_database_url

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url
    before, after = upgrade(url)
    shown = parse_database_url(url).render_as_string(hide_password=True)
    if before == after:
        print(f"{shown}: already at revision {after}, nothing to do")
    else:
        print(f"{shown}: upgraded from {before or 'an empty database'} to {after}")
    return 0


def prune_database(settings: Settings, args: argparse.Namespace) -> int:
    from connectors.app.services import build_interaction_store

    days = args.days if args.days is not None else settings.retention_days
    if days is None:
        print("nothing to do: set ASSISTANT_RETENTION_DAYS or pass --days")
        return 0
    store = build_interaction_store(settings)
    try:
        result = store.apply_retention(days)
    finally:
        store.close()
    print(f"deleted {result.turns_deleted} turns and {result.feedback_deleted} votes older than "
          f"{result.cutoff:%Y-%m-%d %H:%M} UTC; their daily counts are kept")
    return 0


def _positive_days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, at least 1, got {value!r}")
    return days
