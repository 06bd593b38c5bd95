"""`assistant knowledge check`: broken, incomplete or stale pages in the knowledge directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.settings import Settings
from connectors.cli.output import print_json


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("knowledge", help="knowledge base maintenance")
    knowledge_commands = parser.add_subparsers(dest="knowledge_command", required=True)
    check = knowledge_commands.add_parser("check", help="report broken, incomplete or stale pages")
    check.add_argument("directory", nargs="?", type=Path, default=None)
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=check_pages)


def check_pages(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.pages.checks import check_pages

    directory = args.directory or settings.knowledge_dir
    result = check_pages(directory)
    if args.json:
        print_json(result.as_dict())
        return 0 if result.ok else 1
    print(f"{directory}: {result.pages} pages loaded")
    for page in result.broken:
        print(f"BROKEN   {page['path']}: {page['reason']}")
    for page in result.incomplete:
        print(f"MISSING  {page['path']}: no {', '.join(page['missing'])}")
    for page in result.stale:
        print(f"STALE    {page['path']}: review was due {page['review_by']} ({page['days_overdue']} days ago), "
              f"owner {page['owner'] or 'unknown'}")
    if result.ok and not result.incomplete and not result.stale:
        print("all pages are readable, complete and current")
    return 0 if result.ok else 1
