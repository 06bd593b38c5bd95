"""Helpers for the console's tests: canned ports, an app with the console, signing in through the form."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.access import ApiKey
from assistant.errors import UnknownAnswerError
from assistant.interactions import HandoffRecord, InteractionCounts
from assistant.models import Answer, Citation, GapReason, Message, Route
from connectors.channels.api_ports import ApiPorts
from connectors.channels.http.app import create_app
from connectors.channels.web import ConsoleConfig, install_console

KEYS = {"staff": "k-staff", "curator": "k-curator", "ex": "k-ex", "admin": "k-admin"}
ENTRIES = ("k-staff", "k-curator:curator:Finance", "k-ex:ex", "k-admin:admin")
SECRET = b"console-test-secret-0123456789abcdef"
PLANTED = '<script>window.__planted = 1</script><img src=x onerror="window.__planted = 2">'


class CannedAnswers:
    """Answers every question with a planted page title and keeps what the console asked of it."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.votes: list[tuple[str, bool]] = []
        self.handoffs: list[str] = []
        self.notices: list[tuple[str, str, str]] = []

    def handle(self, message: Message) -> Answer:
        self.messages.append(message)
        return Answer(
            text=f"You asked: {message.text}", route=Route.KNOWLEDGE, confidence=0.9, answer_id="a1",
            citations=[Citation(f"Returns {PLANTED}", "en/customers/returns.md", "Limits", 0.9,
                                "https://intranet.verdello.example/returns"),
                       Citation("Hostile link", "en/x.md", "", 0.5, "javascript:alert(1)")],
            why="We keep our promises.", degraded=True)

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> None:
        if answer_id != "a1":
            raise UnknownAnswerError(f"no answer {answer_id!r}")
        self.votes.append((answer_id, helpful))

    def request_handoff(self, answer_id: str) -> HandoffRecord:
        self.handoffs.append(answer_id)
        return HandoffRecord(answer_id, "redacted question", GapReason.HANDOFF_REQUESTED)

    def request_notice(self, answer_id: str, *, asker: str, channel: str, address=None, max_audience=None):
        self.notices.append((answer_id, asker, channel))


class NoGaps:
    def gaps(self, since_days: int | None = None, limit: int = 500, state=None) -> list:
        return []

    def counts(self, since_days: int | None = None) -> InteractionCounts:
        raise AssertionError("not used by the console")


@dataclass
class RecordingHandoff:
    """A hand-off channel that keeps what it was given."""

    label: str = "#store-help"
    forwarded: list[HandoffRecord] = field(default_factory=list)

    def forward(self, record: HandoffRecord) -> None:
        self.forwarded.append(record)


def console_app(entries: tuple[str, ...] = ENTRIES, answers: CannedAnswers | None = None,
                handoff: RecordingHandoff | None = None, lifetime: int = 3600) -> FastAPI:
    ports = ApiPorts(answering=answers or CannedAnswers(), gaps=NoGaps(),
                     api_keys=tuple(ApiKey.parse(entry) for entry in entries))
    app = create_app(ports)
    install_console(app, ports, ConsoleConfig(session_secret=SECRET, session_lifetime_seconds=lifetime,
                                              handoff=handoff))
    return app


def form_token(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def page_token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def sign_in(client: TestClient, role: str) -> str:
    """Sign in through the form; returns the session's CSRF token, read from the quick ask page."""
    token = form_token(client.get("/signin").text)
    response = client.post("/signin", data={"key": KEYS[role], "csrf": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return page_token(client.get("/").text)
