"""`assistant gaps report`: the knowledge gaps for the EX team, as JSON, CSV or HTML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("gaps", help="knowledge gaps: questions the assistant could not answer well")
    gap_commands = parser.add_subparsers(dest="gaps_command", required=True)
    report = gap_commands.add_parser("report", help="print or save the gap report")
    report.add_argument("--since", type=int, default=None, help="only the last N days")
    report.add_argument("--format", choices=["json", "csv", "html"], default="json")
    report.add_argument("--out", type=Path, default=None)
    report.set_defaults(handler=report_gaps)


def report_gaps(settings: Settings, args: argparse.Namespace) -> int:
    from connectors.app.services import build_services
    from connectors.reports.gaps import render_gap_report

    services = build_services(settings)
    try:
        content = render_gap_report(services.interactions, args.since, args.format)
    finally:
        services.close()
    if args.out:
        Path(args.out).write_text(content, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(content)
    return 0
