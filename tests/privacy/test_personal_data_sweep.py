"""Personal data planted in a question, a feedback comment, a hand-off and the staff directory's group names never
reaches the database file, any report format, a notice or a log line, through the real pipeline and redactor."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from assistant.interactions import Resolution
from assistant.models import Message
from connectors.app.services import build_services
from connectors.reports.gaps import ReportFormat, ReportLevel, render_gap_report
from tests.conftest import make_settings

CUSTOMER_NAME = "Giulia Bianchi"
CUSTOMER_EMAIL = "giulia.bianchi@example.com"
CUSTOMER_PHONE = "347 123 4567"
IBAN = "IT60X0542811101000000123456"
COLLEAGUE_NAME = "Marco Esposito"
COLLEAGUE_PHONE = "07700 900123"
MANAGER_EMAIL = "anna.verdi@verdello.example"
RAW_USER = "U0SECRETUSER"
PLANTED = (CUSTOMER_NAME, CUSTOMER_EMAIL, CUSTOMER_PHONE, IBAN, COLLEAGUE_NAME, COLLEAGUE_PHONE, MANAGER_EMAIL,
           RAW_USER, "Bianchi", "Esposito", "4567", "900123")

GAP_QUESTION = (f"Customer {CUSTOMER_NAME} ({CUSTOMER_EMAIL}, {CUSTOMER_PHONE}) wants her deposit back to IBAN "
                f"{IBAN}: can we refund a wedding flower deposit by bank transfer?")
ANSWERED_QUESTION = "How many days does a customer have to return an item?"
COMMENT = f"Wrong page, {COLLEAGUE_NAME} says call him on {COLLEAGUE_PHONE}"


@pytest.fixture
def directory_file(tmp_path: Path) -> Path:
    path = tmp_path / "directory.csv"
    path.write_text("user_id,team,location,role,audience\n"
                    f"{RAW_USER},Garden ({MANAGER_EMAIL}),Store 12,associate,staff\n", encoding="utf-8")
    return path


def test_planted_personal_data_reaches_no_file_report_notice_or_log(
        tmp_path, knowledge_copy, directory_file, embedder, redactor, caplog) -> None:
    data_dir = tmp_path / "data"
    settings = make_settings(data_dir, knowledge_dir=knowledge_copy, directory_file=directory_file,
                             min_group_size=1)
    caplog.set_level(logging.DEBUG)
    services = build_services(settings, embedder=embedder, redactor=redactor)
    try:
        services.ingestor().ingest(knowledge_copy)
        assistant = services.assistant
        gap = assistant.handle(Message(GAP_QUESTION, asker=RAW_USER, channel="slack", thread="C1:1.2"))
        answered = assistant.handle(Message(ANSWERED_QUESTION, asker=RAW_USER, channel="teams"))
        assistant.record_feedback(answered.answer_id, helpful=False, comment=COMMENT)
        handoff = assistant.request_handoff(gap.answer_id)
        assistant.request_notice(answered.answer_id, asker=RAW_USER, channel="api")
        services.interactions.resolve_gap(answered.answer_id, "en/customers/returns.md", Resolution.PERSON,
                                          by="admin", note=f"Fixed, told {COLLEAGUE_NAME}")
        notices = services.deliver_notices()
        [notice] = services.interactions.collect_notices("api", RAW_USER)
        insights, rows = services.insights().report(None)
        reports = {f"{fmt}-{level}": render_gap_report(insights, rows, fmt, level)
                   for fmt in ReportFormat for level in ReportLevel}
    finally:
        services.close()

    assert handoff.question and notices.prepared == 1 and notice.notice
    shown_teams = {team for theme in insights.themes for team in theme.teams}
    assert any(team.startswith("Garden (") for team in shown_teams), "the team is shown, its e-mail redacted"
    outputs = {"handoff": handoff.question, "notice": str(notice.notice), **reports,
               "logs": "\n".join(record.getMessage() for record in caplog.records)}
    for path in data_dir.rglob("*"):
        if path.is_file() and "chroma" not in path.parts:
            outputs[f"file {path.name}"] = path.read_bytes().decode("utf-8", errors="replace")
    assert any("[EMAIL]" in text for text in outputs.values()), "the question was stored, redacted"
    leaks = [(where, planted, text[max(found.start() - 80, 0):found.end() + 40]) for where, text in outputs.items()
             for planted in PLANTED for found in [_standalone(planted).search(text)] if found]
    assert leaks == []


def _standalone(planted: str) -> re.Pattern:
    """`planted` not inside a longer run of letters and digits: "4567" inside a stored hash's hex digits (pseudonymous
    askers, question-vector keys) is not the planted phone number."""
    return re.compile(rf"(?<![0-9A-Za-z]){re.escape(planted)}(?![0-9A-Za-z])")
