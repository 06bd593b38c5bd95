"""`assistant ask "TEXT"`: answer one question and print its sources."""

from __future__ import annotations

import argparse

from assistant.countries import COUNTRY_NAMES
from assistant.settings import Settings
from connectors.cli.output import print_json


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("ask", help="answer one question and print its sources")
    parser.add_argument("text")
    parser.add_argument("--audience", choices=["all", "staff", "managers"], default=None)
    parser.add_argument("--language", choices=["en", "it"], default=None)
    parser.add_argument("--country", choices=list(COUNTRY_NAMES), default=None,
                        help="whose rules, where a page has a section per country")
    parser.add_argument("--json", action="store_true", help="print the API's JSON instead of text")
    parser.add_argument("--demo-orders", action="store_true",
                        help="when ASSISTANT_ORDERS_URL is empty, look orders up in the demo database")
    parser.set_defaults(handler=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.models import Message
    from connectors.app.services import build_services
    from connectors.channels.http.schemas import AskResponse

    if args.demo_orders:
        from connectors.cli.demo import use_demo_orders

        use_demo_orders(settings)
    services = build_services(settings)
    try:
        answer = services.assistant.handle(
            Message(text=args.text, asker="cli", channel="cli", language=args.language, audience=args.audience,
                    country=args.country)
        )
    finally:
        services.close()
    if args.json:
        print_json(AskResponse.from_answer(answer).model_dump())
        return 0
    print(answer.text)
    if answer.why:
        print(f"\nWhy: {answer.why}")
    if answer.citations:
        print(f"\n{answer.citations_heading}:")
        for citation in answer.citations:
            section = f" › {citation.section}" if citation.section else ""
            language = f" [{citation.language}]" if citation.language else ""
            print(f"  - {citation.title}{section}{language}  ({citation.path}, score {citation.score:.3f})")
    if answer.gap:
        print(f"\n(logged as a knowledge gap: {answer.gap_reason.value if answer.gap_reason else 'unknown'})")
    return 0
