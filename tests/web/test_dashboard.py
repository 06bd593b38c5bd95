"""The EX dashboard: server-drawn SVG charts, drilling to a theme's redacted questions, report downloads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from assistant.access import ApiKey
from assistant.insights.report import GapInsights, PageReadAcross, ThemeInsight
from assistant.interactions import GapState, InteractionStore
from assistant.models import Answer, AskerProfile, GapReason, Message, Route
from connectors.channels.api_ports import ApiPorts
from connectors.channels.http.app import create_app
from connectors.channels.web import ConsoleConfig, install_console
from connectors.channels.web.charts import (
    DIMENSION_COLOURS,
    REASON_COLOURS,
    dimensions_by_team,
    resolution_days,
    themes_by_friction,
    training_needs,
    weekly_by_reason,
)
from connectors.channels.web.gap_changes import STATE_OUTCOMES
from connectors.channels.web.i18n import STRINGS
from tests.web.console_support import ENTRIES, PLANTED, SECRET, CannedAnswers, NoGaps, form_token, sign_in

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
WEEKLY = {"2026-05-18": {"no_answer": 3, "negative_feedback": 1},
          "2026-05-25": {"no_answer": 1, "handoff_requested": 2}}


def _theme(theme_id: str, label: str, friction: float, examples: tuple[str, ...] = (),
           gap_ids: tuple[str, ...] = ()) -> ThemeInsight:
    return ThemeInsight(theme_id=theme_id, label=label, gaps=4, askers=3, examples=examples, first_seen=NOW,
                        last_seen=NOW, nearest_path="en/customers/returns.md", nearest_title="Returns policy",
                        owner="Customer Policy Team", teams={"Tills": 3, "other": 1}, dimension=None,
                        customer_share=0.5, friction=friction, friction_parts={"gaps": 0.3, "negative": 0.1},
                        growth=0.0, new=False, open=4, resolved=0, median_days_to_resolve=None, gap_ids=gap_ids)


INSIGHTS = GapInsights(
    period_start=NOW - dt.timedelta(days=56), period_end=NOW, min_group_size=5,
    totals={"gaps": 7, "askers": 5, "by_reason": {"no_answer": 4, "negative_feedback": 1, "handoff_requested": 2}},
    themes=[_theme("theme-a", "refund bonus", 0.4, ("refund for [PERSON]?",), ("g2", "g1")),
            _theme("theme-b", f"planted {PLANTED}", 0.9, (PLANTED,))],
    weekly={"reason": WEEKLY}, new_themes=[], rising_themes=[],
    dimensions_by_team={"Tills": {"enablement": 4, "empowerment": 1}, "other": {"unclassified": 2}},
    knowledge_needs=[],
    training_needs=[{"team": "Tills", "page_path": "en/customers/returns.md", "page_title": "Returns policy",
                     "questions": 6, "per_asker": 1.2, "others_per_asker": 0.3}],
    resolution_days_by_owner={"Customer Policy Team": 2.5, "People Team": 6.0},
    read_across_languages=[PageReadAcross("en/staff/sickness-absence.md", f"Sickness absence {PLANTED}", "en",
                                          answered=5, suggested=2, askers=4, helpful=3, not_helpful=1)])


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
    assert html.count("<svg class=\"chart\"") == 5
    for chart in ("trend", "friction", "dimensions", "training", "resolution"):
        assert f'<title id="{chart}-title">' in html and f'aria-labelledby="{chart}-title {chart}-desc"' in html
    assert 'id="dimensions-table"' in html and 'id="training-table"' in html and 'id="resolution-table"' in html
    assert "<script>window" not in html
    assert "&lt;script&gt;" in html
    assert reports.calls == [56]
    drilled = client.get("/dashboard", params={"theme": "theme-a", "since": "28"}).text
    assert 'id="theme"' in drilled
    assert "refund for [PERSON]?" in drilled
    assert reports.calls[-1] == 28


def test_the_dashboard_lists_the_pages_staff_read_in_another_language(client: TestClient,
                                                                       reports: _Reports) -> None:
    sign_in(client, "ex")
    table = client.get("/dashboard").text.split('id="read-across-table"', 1)[1].split("</table>", 1)[0]
    assert "<code>en/staff/sickness-absence.md</code>" in table
    assert [cell.split("<", 1)[0] for cell in table.split("<td>")[1:]] == ["en", "5", "2", "4", "3 / 1"]
    assert PLANTED not in table, "the page title is escaped"
    assert STRINGS["en"]["read_across_intro"] in client.get("/dashboard").text


def test_the_dashboard_says_when_no_page_was_read_in_another_language(client: TestClient,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_Reports, "report", lambda self, since_days=None, **_: (replace(INSIGHTS,
                                                                                        read_across_languages=[]), []))
    sign_in(client, "ex")
    html = client.get("/dashboard").text
    assert 'id="read-across-table"' not in html and STRINGS["en"]["no_read_across"] in html


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


def test_dimension_chart_stacks_each_teams_gaps_by_dimension() -> None:
    chart = dimensions_by_team(INSIGHTS.dimensions_by_team)
    tills = [bar for bar in chart.bars if bar.label.startswith("Tills:")]
    assert [bar.fill for bar in tills] == [DIMENSION_COLOURS["empowerment"], DIMENSION_COLOURS["enablement"]]
    assert tills[1].x == pytest.approx(tills[0].x + tills[0].width, abs=0.2)  # stacked end to end
    other = [bar for bar in chart.bars if bar.label.startswith("other:")]
    assert sum(bar.width for bar in tills) == pytest.approx(2.5 * sum(bar.width for bar in other), rel=0.01)
    assert [name for _, name in chart.legend] == ["empowerment", "enablement", "unclassified"]
    assert dimensions_by_team({}).empty


def test_training_chart_pairs_the_teams_rate_with_everyone_elses() -> None:
    chart = training_needs(INSIGHTS.training_needs)
    team, others = chart.bars
    assert team.width == pytest.approx(4 * others.width, rel=0.01)
    assert "Tills, Returns policy" in team.label and "others" in others.label
    assert training_needs([]).empty


def test_resolution_chart_puts_the_slowest_owner_first() -> None:
    chart = resolution_days({**INSIGHTS.resolution_days_by_owner, "Nobody": None})
    assert [bar.label for bar in chart.bars] == ["People Team: 6.0 days", "Customer Policy Team: 2.5 days"]
    assert chart.bars[0].width > chart.bars[1].width
    assert resolution_days({"Nobody": None}).empty


class _KeepText:
    def redact(self, text: str) -> str:
        return text.replace("anna@example.com", "[EMAIL]")


@pytest.fixture
def store(tmp_path) -> Iterator[InteractionStore]:
    with InteractionStore(f"sqlite:///{tmp_path / 'gaps.db'}", _KeepText(), salt="s") as opened:
        for answer_id in ("g1", "g2"):
            answer = Answer("I don't know that yet.", Route.KNOWLEDGE, 0.2, gap=True,
                            gap_reason=GapReason.NO_ANSWER, answer_id=answer_id)
            opened.record_turn(Message(f"refund question {answer_id}", asker="U1", channel="slack",
                                       profile=AskerProfile(team="Tills")), answer, latency_ms=5)
        yield opened


class _StoreReports:
    """The report over a real store's gaps: one theme holding them all."""

    def __init__(self, store: InteractionStore) -> None:
        self.store = store

    def report(self, since_days=None, *, team=None, owner=None):
        rows = self.store.gaps()
        theme = _theme("theme-a", "refund bonus", 0.4, gap_ids=tuple(row.answer_id for row in rows))
        return replace(INSIGHTS, themes=[theme]), rows


@pytest.fixture
def store_client(store: InteractionStore) -> TestClient:
    ports = ApiPorts(answering=CannedAnswers(), gaps=store, reports=_StoreReports(store), gap_states=store,
                     api_keys=tuple(ApiKey.parse(entry) for entry in ENTRIES))
    app = create_app(ports)
    install_console(app, ports, ConsoleConfig(session_secret=SECRET))
    return TestClient(app, client=("127.0.0.1", 50000))


def _drill(client: TestClient) -> str:
    return client.get("/dashboard", params={"theme": "theme-a", "since": "28"}).text


def test_the_drill_down_lists_the_themes_gaps_without_who_asked(store_client: TestClient,
                                                                store: InteractionStore) -> None:
    sign_in(store_client, "ex")
    html = _drill(store_client)
    assert "refund question g1" in html and "refund question g2" in html
    assert store.gaps()[0].asker_hash not in html
    assert "Tills (3)" in html  # the theme's teams, as the report grouped them
    assert "gap-state-form" not in html  # ex reads, only admin decides


def test_an_admin_resolves_and_dismisses_from_the_drill_down(store_client: TestClient,
                                                             store: InteractionStore) -> None:
    token = sign_in(store_client, "admin")
    html = _drill(store_client)
    assert html.count('class="gap-state-form"') == 2
    form = form_token(html)
    response = store_client.post("/dashboard/gaps/g1/state", data={
        "csrf": form, "state": "resolved", "page": "en/customers/returns.md", "note": "covered now",
        "since": "28", "theme": "theme-a"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard?since=28&theme=theme-a&changed=resolved#theme"
    gap = next(row for row in store.gaps() if row.answer_id == "g1")
    assert (gap.state, gap.resolved_page, gap.state_note) == (GapState.RESOLVED, "en/customers/returns.md",
                                                              "covered now")
    assert "The gap is marked resolved." in store_client.get(response.headers["location"]).text
    no_note = store_client.post("/dashboard/gaps/g2/state", data={"csrf": token, "state": "dismissed"},
                                follow_redirects=False)
    assert "changed=note_needed" in no_note.headers["location"]
    assert next(row for row in store.gaps() if row.answer_id == "g2").state is GapState.OPEN
    store_client.post("/dashboard/gaps/g2/state", data={"csrf": token, "state": "dismissed",
                                                        "note": "a joke from anna@example.com"})
    dismissed = next(row for row in store.gaps() if row.answer_id == "g2")
    assert (dismissed.state, dismissed.state_note) == (GapState.DISMISSED, "a joke from [EMAIL]")
    again = store_client.post("/dashboard/gaps/g2/state", data={"csrf": token, "state": "dismissed", "note": "x"},
                              follow_redirects=False)
    assert "changed=not_changed" in again.headers["location"]
    unknown = store_client.post("/dashboard/gaps/nope/state", data={"csrf": token, "state": "resolved"},
                                follow_redirects=False)
    assert "changed=unknown_gap" in unknown.headers["location"]


def test_only_an_admin_with_the_token_may_change_a_gap(store_client: TestClient, store: InteractionStore) -> None:
    token = sign_in(store_client, "ex")
    refused = store_client.post("/dashboard/gaps/g1/state", data={"csrf": token, "state": "resolved"})
    assert refused.status_code == 403
    sign_in(store_client, "admin")
    assert store_client.post("/dashboard/gaps/g1/state", data={"state": "resolved"}).status_code == 403
    assert all(row.state is GapState.OPEN for row in store.gaps())


def test_both_languages_name_every_outcome() -> None:
    for language in STRINGS.values():
        assert all(f"changed_{outcome}" in language for outcome in STATE_OUTCOMES)
