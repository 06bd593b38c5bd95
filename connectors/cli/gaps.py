"""`assistant gaps report`: the knowledge gaps for the EX team and page owners, as JSON, CSV, Markdown or HTML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.settings import Settings
from connectors.cli import gaps_digest
from connectors.cli.output import describe_notices
from connectors.reports.gaps import ReportFormat, ReportLevel, render_gap_report


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("gaps", help="knowledge gaps: questions the assistant could not answer well")
    gap_commands = parser.add_subparsers(dest="gaps_command", required=True)
    report = gap_commands.add_parser("report", help="print or save the gap report")
    report.add_argument("--since", type=int, default=None, help="only the last N days")
    report.add_argument("--team", default=None, help="one team's gaps (refused for a team too small to show)")
    report.add_argument("--owner", default=None, help="the gaps nearest to this page owner's pages")
    report.add_argument("--format", choices=[f.value for f in ReportFormat], default="json")
    report.add_argument("--level", choices=[level.value for level in ReportLevel], default="themes",
                        help="CSV rows: one per theme or one per gap")
    report.add_argument("--out", type=Path, default=None)
    report.set_defaults(handler=report_gaps)
    recheck = gap_commands.add_parser("recheck", help="ask open gaps again; resolve those the index now answers")
    recheck.set_defaults(handler=recheck_gaps)
    gaps_digest.register(gap_commands)


def report_gaps(settings: Settings, args: argparse.Namespace) -> int:
    from connectors.app.services import build_services

    services = build_services(settings)
    try:
        insights, rows = services.insights().report(args.since, team=args.team, owner=args.owner)
    finally:
        services.close()
    content = render_gap_report(insights, rows, args.format, args.level)
    if args.out:
        Path(args.out).write_text(content, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(content)
    return 0


def recheck_gaps(settings: Settings, args: argparse.Namespace) -> int:
    from connectors.app.services import build_services

    services = build_services(settings)
    try:
        result = services.recheck_gaps()
        notices = services.deliver_notices()
    finally:
        services.close()
    print(f"{result.checked} open gaps asked again; {len(result.resolved)} resolved")
    for answer_id, page in sorted(result.resolved.items()):
        print(f"  {answer_id}: answered by {page}")
    print(describe_notices(notices))
    return 0 if not notices.failed else 1

