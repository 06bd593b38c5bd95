"""The `assistant` command. Each command group is one module owning its sub-parser and its handler."""

from __future__ import annotations

import argparse
import logging
import sys

from pydantic import ValidationError

from assistant.errors import AssistantError
from assistant.settings import Settings
from connectors.cli import ask, db, demo, evaluate, gaps, ingest, knowledge, serve, slack, train

COMMAND_GROUPS = (serve, ingest, ask, train, evaluate, gaps, knowledge, db, demo, slack)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="Front-line staff assistant.")
    commands = parser.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"error: the settings are not valid: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.handler(settings, args)
    except AssistantError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
