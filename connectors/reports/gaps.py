"""Renders the gap log for the EX team as JSON, CSV or HTML."""

from __future__ import annotations

import csv
import html
import io
import json
from enum import StrEnum

from assistant.ports import ListsGaps


class ReportFormat(StrEnum):
    """The formats a gap report is rendered in."""

    JSON = "json"
    CSV = "csv"
    HTML = "html"


REPORT_MEDIA_TYPES = {
    ReportFormat.JSON: "application/json",
    ReportFormat.CSV: "text/csv; charset=utf-8",
    ReportFormat.HTML: "text/html; charset=utf-8",
}

COLUMNS = ("created_at", "channel", "gap_reason", "route", "intent", "confidence", "question",
           "nearest_title", "nearest_path", "feedback_comment")


def render_gap_report(store: ListsGaps, since_days: int | None, fmt: str) -> str:
    """The gaps (already redacted when stored) with totals, in `fmt` (json, csv or html)."""
    rows = [record.as_dict() for record in store.gaps(since_days=since_days, limit=5000)]
    counts = store.counts(since_days)
    if fmt == "json":
        return json.dumps({"since_days": since_days, "counts": counts, "gaps": rows}, indent=2,
                          ensure_ascii=False) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({column: _cell(row[column]) for column in COLUMNS} for row in rows)
        return buffer.getvalue()
    period = f"the last {since_days} days" if since_days is not None else "all time"
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(row[column]))}</td>" for column in COLUMNS) + "</tr>\n"
        for row in rows
    )
    head = "".join(f"<th>{html.escape(column.replace('_', ' '))}</th>" for column in COLUMNS)
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Knowledge gaps</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}</style></head><body>"
        f"<h1>Knowledge gaps ({period})</h1>"
        f"<p>{counts['gaps']} gaps in {counts['turns']} questions.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>\n{cells}</tbody></table></body></html>\n"
    )


def _cell(value: object) -> str:
    return "" if value is None else str(value)
