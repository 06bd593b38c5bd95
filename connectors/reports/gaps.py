"""Renders a gap report for the EX team and knowledge owners: JSON, CSV (themes or gaps), Markdown, or one
self-contained HTML page with its charts drawn as inline SVG (it opens without any network)."""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Sequence
from enum import StrEnum

from assistant.insights.gc_pause import cyclic_gc_paused
from assistant.insights.groups import group_namer
from assistant.insights.report import HTML_THEMES, GapInsights, ThemeInsight
from assistant.interactions.records import GapRecord


class ReportFormat(StrEnum):
    """The formats a gap report is rendered in."""

    JSON = "json"
    CSV = "csv"
    HTML = "html"
    MARKDOWN = "md"


class ReportLevel(StrEnum):
    """CSV rows: one per theme, or one per gap."""

    THEMES = "themes"
    GAPS = "gaps"


REPORT_MEDIA_TYPES = {
    ReportFormat.JSON: "application/json",
    ReportFormat.CSV: "text/csv; charset=utf-8",
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.MARKDOWN: "text/markdown; charset=utf-8",
}

GAP_COLUMNS = ("created_at", "channel", "gap_reason", "state", "team", "question", "nearest_title", "nearest_path",
               "resolved_page", "feedback_comment")
THEME_COLUMNS = ("label", "gaps", "askers", "friction", "owner", "nearest_path", "dimension", "new", "open",
                 "resolved", "median_days_to_resolve", "first_seen", "last_seen", "examples")
REASON_COLOURS = {"no_answer": "#b5472f", "low_confidence": "#d98b2b", "out_of_scope": "#7a7a7a",
                  "negative_feedback": "#7b3fa0", "handoff_requested": "#2f6fb5",
                  "order_system_unavailable": "#3f8f6b", "knowledge_unavailable": "#4f6d7a",
                  "restricted": "#2a8fa8"}


def render_gap_report(insights: GapInsights, gaps: Sequence[GapRecord], fmt: ReportFormat | str,
                      level: ReportLevel | str = ReportLevel.THEMES) -> str:
    """The report in `fmt`; gap rows show a team only when it has enough askers to be shown at all."""
    with cyclic_gc_paused():  # one dict per gap: see gc_pause
        return _render(insights, gaps, ReportFormat(fmt), level)


def _render(insights: GapInsights, gaps: Sequence[GapRecord], fmt: ReportFormat, level: ReportLevel | str) -> str:
    team_name = group_namer(((gap.team, gap.asker_hash) for gap in gaps), insights.min_group_size)
    rows = [{**gap.as_dict(), "team": team_name(gap.team), "location": None, "role": None} for gap in gaps]
    if fmt is ReportFormat.JSON:
        return json.dumps({"insights": insights.as_dict(), "gaps": rows}, indent=2, ensure_ascii=False) + "\n"
    if fmt is ReportFormat.CSV:
        if ReportLevel(level) is ReportLevel.GAPS:
            return _csv(GAP_COLUMNS, rows)
        return _csv(THEME_COLUMNS, [_theme_row(theme) for theme in insights.themes])
    if fmt is ReportFormat.MARKDOWN:
        return _markdown(insights)
    return _html(insights)


def _theme_row(theme: ThemeInsight) -> dict[str, object]:
    return {
        "label": theme.label, "gaps": theme.gaps, "askers": theme.askers, "friction": theme.friction,
        "owner": theme.owner, "nearest_path": theme.nearest_path, "dimension": theme.dimension, "new": theme.new,
        "open": theme.open, "resolved": theme.resolved, "median_days_to_resolve": theme.median_days_to_resolve,
        "first_seen": theme.first_seen.isoformat(timespec="seconds"),
        "last_seen": theme.last_seen.isoformat(timespec="seconds"), "examples": " | ".join(theme.examples),
    }


def _csv(columns: Sequence[str], rows: Sequence[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows({column: _cell(row.get(column)) for column in columns} for row in rows)
    return buffer.getvalue()


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _period(insights: GapInsights) -> str:
    return f"{insights.period_start:%Y-%m-%d} to {insights.period_end:%Y-%m-%d}"


def _markdown(insights: GapInsights) -> str:
    totals = insights.totals
    lines = [f"# Knowledge gaps, {_period(insights)}", "",
             f"{totals['gaps']} gaps from {totals['askers']} people; by reason: "
             + ", ".join(f"{reason} {count}" for reason, count in sorted(totals["by_reason"].items())), "",
             "## Themes by friction", "", "| theme | gaps | askers | friction | owner | page |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {_md(theme.label)} | {theme.gaps} | {theme.askers} | {theme.friction} | {_md(theme.owner or '')} "
              f"| {_md(theme.nearest_path or '(none)')} |" for theme in insights.themes[:30]]
    lines += ["", "## Knowledge needs", ""]
    lines += [f"- **{_md(str(need['owner']))}**: {need['action']} for \"{_md(str(need['label']))}\"; staff asked: "
              + "; ".join(_md(question) for question in need["questions"][:3]) for need in insights.knowledge_needs]
    lines += ["", "## Order look-ups", "", _order_summary(insights)]
    lines += ["", "## Pages read in another language", "", READ_ACROSS_INTRO, "", *_read_across_markdown(insights)]
    lines += ["", "## Training needs", ""]
    lines += [f"- {_md(str(need['team']))}: {_md(str(need['page_title']))} ({need['per_asker']} questions per person, "
              f"others {need['others_per_asker']})" for need in insights.training_needs] or ["- none stand out"]
    return "\n".join(lines) + "\n"


READ_ACROSS_PAGES = 30
READ_ACROSS_INTRO = ("Staff asked in one language and were answered from, or pointed to, these pages in another. "
                     "A translation linked with `translation_of` would answer them in their own language.")


def _read_across_markdown(insights: GapInsights) -> list[str]:
    pages = insights.read_across_languages[:READ_ACROSS_PAGES]
    if not pages:
        return ["- none in this period"]
    return ["| page | its language | answered | suggested | people | helpful / not helpful |",
            "|---|---|---|---|---|---|",
            *(f"| {_md(page.title)} ({_md(page.path)}) | {page.language or '?'} | {page.answered} | "
              f"{page.suggested} | {page.askers} | {page.helpful} / {page.not_helpful} |" for page in pages)]


ORDER_OUTCOME_WORDS = {"order_found": "found", "order_not_found": "unknown number",
                       "order_system_unavailable": "order system down", "order_system_not_connected": "no order system",
                       "order_number_malformed": "malformed number", "order_numbers_too_many": "too many numbers",
                       "order_number_asked": "asked for the number"}


def _order_summary(insights: GapInsights) -> str:
    """One sentence: look-ups by outcome (unknown numbers are counted, not gaps) and the hours the system was down."""
    lookups = insights.order_lookups
    by_outcome: dict[str, int] = lookups.get("by_outcome", {})  # type: ignore[assignment]
    by_hour: dict[str, int] = lookups.get("unavailable_by_hour", {})  # type: ignore[assignment]
    parts = []
    if by_outcome:
        parts.append("Look-ups: " + ", ".join(f"{ORDER_OUTCOME_WORDS.get(outcome, outcome)} {count}"
                                              for outcome, count in by_outcome.items()) + ".")
    if by_hour:
        worst = sorted(by_hour.items(), key=lambda item: (-item[1], item[0]))[:5]
        parts.append(f"The order system was not answering in {len(by_hour)} hour(s); most failed look-ups: "
                     + ", ".join(f"{hour} {count}" for hour, count in worst) + ".")
    return " ".join(parts) or "No order look-ups in this period."


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _html(insights: GapInsights) -> str:
    e = html.escape
    totals = insights.totals
    themes_rows = "".join(
        f"<tr id=\"{e(theme.anchor)}\"><td>{e(theme.label)}</td><td>{theme.gaps}</td><td>{theme.askers}</td>"
        f"<td>{theme.friction}</td>"
        f"<td>{e(', '.join(f'{name} {value}' for name, value in theme.friction_parts.items()))}</td>"
        f"<td>{e(theme.owner or '')}</td><td>{e(theme.nearest_path or '')}</td>"
        f"<td>{e(' | '.join(theme.examples))}</td></tr>"
        for theme in insights.themes[:HTML_THEMES]
    )
    needs = "".join(f"<li><b>{e(str(need['owner']))}</b>: {e(str(need['action']))} for “{e(str(need['label']))}”"
                    f"</li>" for need in insights.knowledge_needs[:30])
    training = "".join(f"<li>{e(str(need['team']))}: {e(str(need['page_title']))}</li>"
                       for need in insights.training_needs)
    across = "".join(
        f"<tr><td>{e(page.title)} <code>{e(page.path)}</code></td><td>{e(page.language or '?')}</td>"
        f"<td>{page.answered}</td><td>{page.suggested}</td><td>{page.askers}</td>"
        f"<td>{page.helpful} / {page.not_helpful}</td></tr>"
        for page in insights.read_across_languages[:READ_ACROSS_PAGES]
    )
    dimensions = "".join(
        f"<tr><td>{e(team)}</td><td>{e(', '.join(f'{name} {count}' for name, count in counts.items()))}</td></tr>"
        for team, counts in insights.dimensions_by_team.items()
    )
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Knowledge gaps</title><style>"
        "body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}"
        "svg text{font-size:11px}</style></head><body>"
        f"<h1>Knowledge gaps, {e(_period(insights))}</h1>"
        f"<p>{totals['gaps']} gaps from {totals['askers']} people. Groups with fewer than "
        f"{insights.min_group_size} people are shown as “other”.</p>"
        f"<h2>Weekly trend by reason</h2>{_weekly_svg(insights.weekly['reason'])}"
        f"<h2>Themes by friction</h2>{_friction_svg(insights.themes[:15])}"
        "<table><thead><tr><th>theme</th><th>gaps</th><th>people</th><th>friction</th><th>its parts</th>"
        f"<th>owner</th><th>nearest page</th><th>examples</th></tr></thead><tbody>{themes_rows}</tbody></table>"
        f"<h2>Knowledge needs</h2><ul>{needs or '<li>none</li>'}</ul>"
        f"<h2>Order look-ups</h2><p>{e(_order_summary(insights))}</p>"
        f"<h2>Pages read in another language</h2><p>{e(READ_ACROSS_INTRO)}</p>"
        + ("<table><thead><tr><th>page</th><th>its language</th><th>answered</th><th>suggested</th><th>people</th>"
           f"<th>helpful / not helpful</th></tr></thead><tbody>{across}</tbody></table>" if across
           else "<p>None in this period.</p>") +
        f"<h2>Training needs</h2><ul>{training or '<li>none stand out</li>'}</ul>"
        f"<h2>EX dimensions by team</h2><table>{dimensions}</table>"
        f"<h2>Days to resolution by owner</h2>{_bars_svg(insights.resolution_days_by_owner)}"
        "</body></html>\n"
    )


def _weekly_svg(weekly: dict[str, dict[str, int]]) -> str:
    if not weekly:
        return "<p>No gaps in this period.</p>"
    width, height, bar = 40 * len(weekly) + 60, 180, 28
    peak = max(sum(counts.values()) for counts in weekly.values()) or 1
    parts = []
    for index, (week, counts) in enumerate(weekly.items()):
        x, y = 40 + index * 40, height - 30
        for reason, count in sorted(counts.items()):
            size = count / peak * (height - 50)
            y -= size
            parts.append(f"<rect x=\"{x}\" y=\"{y:.1f}\" width=\"{bar}\" height=\"{size:.1f}\" "
                         f"fill=\"{REASON_COLOURS.get(reason, '#999')}\"><title>{html.escape(week)}: "
                         f"{html.escape(reason)} {count}</title></rect>")
        parts.append(f"<text x=\"{x}\" y=\"{height - 12}\">{html.escape(week[5:])}</text>")
    legend = " ".join(f"<span style=\"color:{colour}\">■ {html.escape(reason)}</span>"
                      for reason, colour in REASON_COLOURS.items())
    return (f"<svg role=\"img\" aria-label=\"gaps per week by reason\" width=\"{width}\" height=\"{height}\">"
            f"{''.join(parts)}</svg><p>{legend}</p>")


def _friction_svg(themes: Sequence[ThemeInsight]) -> str:
    return _bars_svg({theme.label: theme.friction for theme in themes})


def _bars_svg(values: dict[str, float | None]) -> str:
    shown = {label: value for label, value in values.items() if value is not None}
    if not shown:
        return "<p>Nothing to show.</p>"
    peak = max(shown.values()) or 1
    rows = []
    for index, (label, value) in enumerate(shown.items()):
        y = 4 + index * 22
        rows.append(f"<text x=\"0\" y=\"{y + 14}\">{html.escape(label[:40])}</text>"
                    f"<rect x=\"260\" y=\"{y}\" width=\"{value / peak * 400:.1f}\" height=\"18\" fill=\"#2f6fb5\">"
                    f"<title>{html.escape(label)}: {value}</title></rect>"
                    f"<text x=\"{266 + value / peak * 400:.1f}\" y=\"{y + 14}\">{value}</text>")
    return (f"<svg role=\"img\" aria-label=\"bar chart\" width=\"720\" height=\"{8 + 22 * len(shown)}\">"
            f"{''.join(rows)}</svg>")
