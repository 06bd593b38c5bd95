"""The EX dashboard: server-drawn SVG charts, drilling to a theme's redacted questions, report downloads."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from assistant.access import ApiKey
from assistant.insights.report import GapInsights, ThemeInsight
from connectors.channels.api_ports import ApiPorts
from connectors.channels.http.app import create_app
from connectors.channels.web import ConsoleConfig, install_console
from connectors.channels.web.charts import REASON_COLOURS, themes_by_friction, weekly_by_reason
from connectors.channels.web.i18n import STRINGS
from tests.web.console_support import ENTRIES, PLANTED, SECRET, CannedAnswers, NoGaps, sign_in

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
WEEKLY = {"2026-05-18": {"no_answer": 3, "negative_feedback": 1},
          "2026-05-25": {"no_answer": 1, "handoff_requested": 2}}


def _theme(theme_id: str, label: str, friction: float, examples: tuple[str, ...] = ()) -> ThemeInsight:
    return ThemeInsight(theme_id=theme_id, label=label, gaps=4, askers=3, examples=examples, first_seen=NOW,
                        last_seen=NOW, nearest_path="en/customers/returns.md", nearest_title="Returns policy",
                        owner="Customer Policy Team", teams={}, dimension=None, customer_share=0.5, friction=friction,
                        friction_parts={}, growth=0.0, new=False, open=4, resolved=0, median_days_to_resolve=None)


INSIGHTS = GapInsights(
    period_start=NOW - dt.timedelta(days=56), period_end=NOW, min_group_size=5,
    totals={"gaps": 7, "askers": 5, "by_reason": {"no_answer": 4, "negative_feedback": 1, "handoff_requested": 2}},
    themes=[_theme("theme-a", "refund bonus", 0.4, ("refund for [PERSON]?",)),
            _theme("theme-b", f"planted {PLANTED}", 0.9, (PLANTED,))],
    weekly={"reason": WEEKLY}, new_themes=[], rising_themes=[], dimensions_by_team={}, knowledge_needs=[],
    training_needs=[], resolution_days_by_owner={})


class _Reports:
    def __init__(self) -> None:
        self.calls: list[int | None] = []

    def report(self, since_days=None, *, team=None, owner=None):
        self.calls.append(since_days)
        return INSIGHTS, []


@pytest.fixture
def reports() -> _Reports:
    return _Reports()


@pytest.fixture
def client(reports: _Reports) -> TestClient:
    ports = ApiPorts(answering=CannedAnswers(), gaps=NoGaps(), api_keys=tuple(ApiKey.parse(entry) for entry in ENTRIES))
    ports = replace(ports, reports=reports)
    app = create_app(ports)
    install_console(app, ports, ConsoleConfig(session_secret=SECRET))
    return TestClient(app, client=("127.0.0.1", 50000))


def test_weekly_chart_stacks_reasons_per_week() -> None:
    chart = weekly_by_reason(WEEKLY)
    assert len(chart.bars) == 4
    assert [colour for colour, _ in chart.legend] == [REASON_COLOURS[name] for name in
                                                      ("no_answer", "negative_feedback", "handoff_requested")]
    first_week = [bar for bar in chart.bars if bar.label.startswith("2026-05-18")]
    assert sum(bar.height for bar in first_week) == pytest.approx(max(
        sum(bar.height for bar in chart.bars if bar.label.startswith(week)) for week in WEEKLY))
    assert weekly_by_reason({}).empty


def test_friction_chart_ranks_themes_and_links_each_to_its_questions() -> None:
    chart = themes_by_friction(INSIGHTS.themes)
    assert [bar.href for bar in chart.bars] == ["/dashboard?theme=theme-b#theme", "/dashboard?theme=theme-a#theme"]
    assert chart.bars[0].width > chart.bars[1].width


def test_the_dashboard_draws_svg_and_drills_to_redacted_questions(client: TestClient, reports: _Reports) -> None:
    sign_in(client, "ex")
    html = client.get("/dashboard").text
    assert html.count("<svg class=\"chart\"") == 2
    assert "<script>window" not in html
    assert "&lt;script&gt;" in html
    assert reports.calls == [56]
    drilled = client.get("/dashboard", params={"theme": "theme-a", "since": "28"}).text
    assert 'id="theme"' in drilled
    assert "refund for [PERSON]?" in drilled
    assert reports.calls[-1] == 28


def test_the_reports_download_as_html_and_csv(client: TestClient) -> None:
    sign_in(client, "admin")
    csv = client.get("/dashboard/report.csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    html = client.get("/dashboard/report.html")
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert client.get("/dashboard/report.pdf").status_code == 404


def test_curators_and_staff_get_neither_the_dashboard_nor_its_downloads(client: TestClient) -> None:
    sign_in(client, "curator")
    assert client.get("/dashboard").status_code == 403
    assert client.get("/dashboard/report.csv").status_code == 403


def test_both_languages_have_every_string() -> None:
    assert set(STRINGS["en"]) == set(STRINGS["it"])
