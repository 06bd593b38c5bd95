"""Knowledge health: the pages, overdue first, with their open gaps; the console page per role, escaped."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.access import ApiKey
from assistant.interactions import GapRecord, GapState
from assistant.interactions.records import SuggestedPage
from assistant.models import GapReason, Route
from assistant.pages.health import KnowledgeHealth
from connectors.channels.api_ports import ApiPorts
from connectors.channels.http.app import create_app
from connectors.channels.web import ConsoleConfig, install_console
from tests.web.console_support import ENTRIES, PLANTED, SECRET, CannedAnswers, sign_in

TODAY = dt.date(2026, 6, 1)


def _page(folder: Path, path: str, title: str, owner: str | None, review_by: str | None, language: str = "en") -> None:
    front = [f"title: {title!r}", f"language: {language}", "audience: staff"]
    if owner:
        front.append(f"owner: {owner}")
    if review_by:
        front.append(f"review_by: {review_by}")
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("---\n" + "\n".join(front) + "\n---\nSome text about it.\n", encoding="utf-8")


def _gap(path: str, reason: GapReason, state: GapState = GapState.OPEN) -> GapRecord:
    return GapRecord(answer_id=f"g-{path}-{reason.value}", created_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
                     channel="web", question="q", gap_reason=reason, route=Route.KNOWLEDGE, intent=None,
                     confidence=0.1, top_citation_title="t", top_citation_path=path, feedback_comment=None,
                     state=state)


class _Gaps:
    def __init__(self, records: list[GapRecord]) -> None:
        self.records = records

    def gaps(self, since_days=None, limit=500, state=None) -> list[GapRecord]:
        return [record for record in self.records if state is None or record.state == state][:limit]

    def counts(self, since_days=None):
        raise AssertionError("not used")


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    _page(folder, "en/a.md", "Current page", "Finance", "2026-12-31")
    _page(folder, "en/b.md", "Slightly late", "Finance", "2026-05-20")
    _page(folder, "en/c.md", "Very late", "Stores", "2025-01-01")
    _page(folder, "it/d.md", f"Pagina {PLANTED}", "Stores", None, language="it")
    (folder / "en" / "broken.md").write_text("---\ntitle: [unclosed\n---\nx\n", encoding="utf-8")
    return folder


@pytest.fixture
def gaps() -> _Gaps:
    return _Gaps([_gap("en/b.md", GapReason.NO_ANSWER), _gap("en/b.md", GapReason.NEGATIVE_FEEDBACK),
                  _gap("en/a.md", GapReason.LOW_CONFIDENCE, GapState.RESOLVED)])


def test_pages_come_overdue_first_with_their_open_gaps(knowledge: Path, gaps: _Gaps) -> None:
    report = KnowledgeHealth(knowledge, gaps, today=lambda: TODAY).report()
    assert [page.path for page in report.pages] == ["en/c.md", "en/b.md", "it/d.md", "en/a.md"]
    late = report.pages[1]
    assert (late.days_overdue, late.open_gaps, late.thumbs_down) == (12, 2, 1)
    assert report.pages[3].open_gaps == 0  # its only gap is resolved
    assert report.pages[2].missing == ("review_by",)
    assert report.owners == ["Finance", "Stores"]
    assert [path for path, _ in report.broken] == ["en/broken.md"]


def test_the_owner_filter_keeps_one_owners_pages(knowledge: Path, gaps: _Gaps) -> None:
    report = KnowledgeHealth(knowledge, gaps, today=lambda: TODAY).report("Finance")
    assert {page.path for page in report.pages} == {"en/a.md", "en/b.md"}


def test_links_that_cannot_hold_are_shown_on_their_page(knowledge: Path, gaps: _Gaps) -> None:
    page = knowledge / "it" / "d.md"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "audience: staff", "audience: staff\ntranslation_of: en/gone.md\nvalues: [no-such-value]"), encoding="utf-8")
    report = KnowledgeHealth(knowledge, gaps, today=lambda: TODAY).report()
    warnings = next(page.warnings for page in report.pages if page.path == "it/d.md")
    assert "translation_of: no page en/gone.md in the knowledge directory" in warnings
    assert "values: no value named 'no-such-value'" in warnings
    assert all(not page.warnings for page in report.pages if page.path != "it/d.md")
    client = _client(knowledge, gaps)
    sign_in(client, "ex")
    assert "translation_of: no page en/gone.md" in client.get("/knowledge").text


def _client(knowledge: Path, gaps: _Gaps) -> TestClient:
    ports = ApiPorts(answering=CannedAnswers(), gaps=gaps, api_keys=tuple(ApiKey.parse(entry) for entry in ENTRIES))
    ports = replace(ports, knowledge_health=KnowledgeHealth(knowledge, gaps, today=lambda: TODAY))
    app = create_app(ports)
    install_console(app, ports, ConsoleConfig(session_secret=SECRET))
    return TestClient(app, client=("127.0.0.1", 50000))


def test_a_curator_sees_their_own_pages_only(knowledge: Path, gaps: _Gaps) -> None:
    client = _client(knowledge, gaps)
    sign_in(client, "curator")  # k-curator:curator:Finance
    html = client.get("/knowledge?owner=Stores").text
    assert 'data-path="en/b.md"' in html
    assert 'data-path="en/c.md"' not in html
    assert 'id="owner"' not in html


def test_the_ex_team_filters_by_owner_and_titles_are_escaped(knowledge: Path, gaps: _Gaps) -> None:
    client = _client(knowledge, gaps)
    sign_in(client, "ex")
    html = client.get("/knowledge").text
    assert html.index('data-path="en/c.md"') < html.index('data-path="en/b.md"') < html.index('data-path="en/a.md"')
    assert "<script>window" not in html
    assert "&lt;script&gt;" in html
    assert "overdue" in html
    assert "en/broken.md" in html
    stores = client.get("/knowledge", params={"owner": "Stores"}).text
    assert 'data-path="en/a.md"' not in stores
    assert '<option value="Stores" selected>' in stores


def test_open_gaps_asked_in_another_language_count_on_the_pages_they_suggested(knowledge: Path, gaps: _Gaps) -> None:
    english_page = SuggestedPage("en/c.md", "Very late", "en")
    asked_in_italian = replace(_gap("it/d.md", GapReason.LOW_CONFIDENCE), answer_id="g-it",
                               crosslingual_suggestions=(english_page, SuggestedPage("en/a.md", "Current page", "en")))
    answered_since = replace(asked_in_italian, answer_id="g-it-resolved", state=GapState.RESOLVED)
    gaps.records += [asked_in_italian, replace(asked_in_italian, answer_id="g-it-2",
                                               crosslingual_suggestions=(english_page,)), answered_since]
    pages = {page.path: page for page in KnowledgeHealth(knowledge, gaps, today=lambda: TODAY).report().pages}
    assert {path: page.asked_across for path, page in pages.items()} == {
        "en/a.md": 1, "en/b.md": 0, "en/c.md": 2, "it/d.md": 0}
    assert pages["it/d.md"].open_gaps == 2  # the gaps themselves stay with the page of the asker's language
    client = _client(knowledge, gaps)
    sign_in(client, "ex")
    html = client.get("/knowledge").text
    row = html[html.index('data-path="en/c.md"'):]
    assert "Asked in another language" in html
    assert '<td class="asked-across">2</td>' in row[:row.index("</tr>")]


def test_a_country_section_with_no_twin_is_shown_on_its_page(knowledge: Path, gaps: _Gaps) -> None:
    page = knowledge / "en" / "a.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n## Allowance > UK\n\nSixty pounds.\n\n"
                    "## Italian allowance\n\nFifty euro.\n", encoding="utf-8")
    report = KnowledgeHealth(knowledge, gaps, today=lambda: TODAY).report()
    warnings = next(page.warnings for page in report.pages if page.path == "en/a.md")
    assert "section 'Allowance > UK' is for GB and has no twin for IT (the same heading naming IT): askers there " \
           "are quoted it" in warnings
    client = _client(knowledge, gaps)
    sign_in(client, "ex")
    assert "section &#39;Allowance &gt; UK&#39; is for GB and has no twin for IT" in client.get("/knowledge").text
