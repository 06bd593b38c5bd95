"""How commands print results: machine-readable JSON, and one-line summaries shared by several commands."""

from __future__ import annotations

import json
import sys

from assistant.insights.notices import DispatchReport


def print_json(value: object) -> None:
    """Pretty JSON on stdout (non-ASCII kept, dates as strings)."""
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def describe_notices(report: DispatchReport) -> str:
    """One line on the notices a run wrote and delivered, naming channels that are not configured here."""
    line = f"notices: {report.prepared} written, {report.delivered} delivered, {report.failed} failed"
    if report.undeliverable_channels:
        line += f"; waiting for {', '.join(report.undeliverable_channels)} (not configured here)"
    return line
