"""The `assistant` command. Each command group is one module owning its sub-parser and its handler."""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from assistant.errors import AssistantError
from assistant.settings import Settings
from connectors.cli import ask, db, demo, evaluate, gaps, ingest, knowledge, serve, slack, train
from connectors.observability.log_format import configure_logging

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
    configure_logging(settings.log_level, settings.log_format)
    try:
        return args.handler(settings, args)
    except AssistantError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
