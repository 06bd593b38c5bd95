"""`assistant ingest`: index the knowledge directory (incremental)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.settings import Settings
from connectors.cli.output import describe_notices
from connectors.cli.progress import TqdmProgress


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("ingest", help="index the knowledge directory (incremental)")
    parser.add_argument("--knowledge", type=Path, default=None, help="default ASSISTANT_KNOWLEDGE_DIR")
    parser.set_defaults(handler=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from connectors.app.services import build_services

    directory = args.knowledge or settings.knowledge_dir
    services = build_services(settings)
    try:
        report = services.ingestor().ingest(directory, TqdmProgress())  # calibrates the answerability decision too
        multilingual_units = services.warm_crosslingual()
        calibration = services.skill.calibrations.get(report.generation) if services.skill.calibrations else None
        # New or changed pages may answer questions staff asked before: close those gaps.
        recheck = services.recheck_gaps() if report.changed else None
        notices = services.deliver_notices() if recheck is not None and recheck.resolved else None
    finally:
        services.close()
    for problem in report.problems:
        print(f"skipped {problem}", file=sys.stderr)
    state = "updated" if report.changed else "already up to date"
    print(f"{directory}: {report.documents} pages, {report.chunks} chunks; index {state} "
          f"({report.embedded} embedded, {report.reused} reused, {report.removed} removed) "
          f"in {report.seconds:.1f}s")
    if multilingual_units:
        print(f"cross-lingual search ready: {multilingual_units} units in the multilingual index")
    if calibration is not None:
        print(f"answerability calibrated for this index: shift {calibration.shift:+.3f} from "
              f"{calibration.positives} page probes and {calibration.negatives} off-topic questions")
    if recheck is not None:
        print(f"rechecked {recheck.checked} open gaps: {len(recheck.resolved)} now answered")
    if notices is not None:
        print(describe_notices(notices))
    return 1 if report.problems else 0
