"""`assistant slack --socket`: run the Slack app over Socket Mode (no public URL needed)."""

from __future__ import annotations

import argparse
import sys

from assistant.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("slack", help="run the Slack app")
    parser.add_argument("--socket", action="store_true", required=True, help="Socket Mode (SLACK_APP_TOKEN)")
    parser.set_defaults(handler=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from connectors.app.channel_mounts import slack_config
    from connectors.app.services import build_services
    from connectors.channels.slack import run_socket_mode

    config = slack_config(settings, socket_mode=True)
    if config is None or not config.app_token:
        print("error: Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN", file=sys.stderr)
        return 2
    services = build_services(settings)
    try:
        run_socket_mode(services.assistant, config, state=services.shared_state, questions=services.interactions)
    finally:
        services.close()
    return 0
