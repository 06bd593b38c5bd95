"""Pages staff read in another language, end to end: Italian questions answered from (or pointed to) English pages
through the real assistant and store, counted in the gap report and shown on the console's dashboard, so knowledge
managers see which translations staff lack."""

from __future__ import annotations

from assistant.models import Message
from connectors.reports.gaps import render_gap_report

CROSSED_IT = "sono malato da 5 giorni, serve il certificato medico?"
CROSSED_PAGE = "en/staff/sickness-absence.md"
HELD_BACK_IT = "un cliente non è contento e vuole fare reclamo scritto, cosa faccio?"
SUGGESTED_PAGE = "en/customers/complaints-and-escalation.md"


def _pages(services) -> dict[str, object]:
    services.recorder.flush()
    insights, _ = services.insights().report(since_days=1)
    return {page.path: page for page in insights.read_across_languages}


def _counts(pages: dict[str, object], path: str) -> tuple[int, int, int, int]:
    page = pages.get(path)
    return (0, 0, 0, 0) if page is None else (page.answered, page.suggested, page.helpful, page.not_helpful)


def test_italian_questions_answered_from_english_pages_show_which_translations_staff_lack(company_services,
                                                                                          monkeypatch):
    assistant = company_services.assistant
    before = _pages(company_services)

    first = assistant.handle(Message(text=CROSSED_IT, asker="read-across-1", channel="api", language="it"))
    second = assistant.handle(Message(text=CROSSED_IT, asker="read-across-2", channel="api", language="it"))
    assert first.source_language == second.source_language == "en" and first.citations[0].path == CROSSED_PAGE
    assistant.record_feedback(first.answer_id, helpful=True)
    monkeypatch.setattr(company_services.skill.crosslingual, "word_weight", 0.0)  # held back by the cosine alone
    held_back = assistant.handle(Message(text=HELD_BACK_IT, asker="read-across-3", channel="api", language="it"))
    assert held_back.gap and SUGGESTED_PAGE in [citation.path for citation in held_back.citations
                                                if citation.language == "en"]
    english = assistant.handle(Message(text="how long does a customer have to return a lawnmower?",
                                       asker="read-across-4", channel="api", language="en"))
    assert english.source_language is None

    after = _pages(company_services)
    answered, suggested, helpful, not_helpful = (now - then for now, then in
                                                 zip(_counts(after, CROSSED_PAGE), _counts(before, CROSSED_PAGE),
                                                     strict=True))
    assert (answered, suggested, helpful, not_helpful) == (2, 0, 1, 0)
    assert after[CROSSED_PAGE].language == "en" and after[CROSSED_PAGE].title == "Sickness absence"
    assert _counts(after, SUGGESTED_PAGE)[1] - _counts(before, SUGGESTED_PAGE)[1] == 1
    assert "en/customers/returns.md" not in after or _counts(after, "en/customers/returns.md") == _counts(
        before, "en/customers/returns.md"), "an English question over an English page is not read across"

    insights, gaps = company_services.insights().report(since_days=1)
    markdown = render_gap_report(insights, gaps, "md")
    section = markdown.split("## Pages read in another language", 1)[1].split("## Training needs", 1)[0]
    assert f"Sickness absence ({CROSSED_PAGE}) | en |" in section and SUGGESTED_PAGE in section
    page_html = render_gap_report(insights, gaps, "html")
    assert "<h2>Pages read in another language</h2>" in page_html and f"<code>{CROSSED_PAGE}</code>" in page_html


def test_an_owners_report_lists_their_own_pages_read_in_another_language(company_services):
    company_services.assistant.handle(Message(text=CROSSED_IT, asker="read-across-owner", channel="api",
                                              language="it"))
    company_services.recorder.flush()
    owner = company_services.index.page_owner(CROSSED_PAGE)
    assert owner, "the demo page names its owner"
    own, _ = company_services.insights().report(since_days=1, owner=owner)
    assert CROSSED_PAGE in [page.path for page in own.read_across_languages]
    others, _ = company_services.insights().report(since_days=1, owner="Nobody in particular")
    assert CROSSED_PAGE not in [page.path for page in others.read_across_languages]
