"""Under concurrent load every gap is stored exactly once: 50 gap answers recorded at once, straight into the store
and through the real HTTP API, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from assistant.interactions import InteractionStore
from assistant.interactions.engine import build_engine
from assistant.models import Answer, AskerProfile, GapReason, Message, Route
from benchmarks.standins.app_server import AppServer
from connectors.app.services import build_services
from connectors.channels.http.app import create_app
from tests.conftest import make_settings

PARALLEL = 50


class KeepText:
    def redact(self, text: str) -> str:
        return text


def all_at_once(work: Callable[[int], object], count: int = PARALLEL) -> list[object]:
    """Run `work(0..count-1)` on `count` threads released together by a barrier; the results in order."""
    start = threading.Barrier(count)

    def released(number: int) -> object:
        start.wait(timeout=60)
        return work(number)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(released, range(count)))


def stored_turns(database_url: str) -> dict[str, tuple[int, bool, str | None]]:
    """Per stored answer id: how many rows have it, whether it is a gap, its state (straight from the tables)."""
    engine = build_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT id, count(*), max(CASE WHEN gap THEN 1 ELSE 0 END), max(gap_state) FROM turns GROUP BY id"
            )).all()
    finally:
        engine.dispose()
    return {answer_id: (int(count), bool(gap), state) for answer_id, count, gap, state in rows}


def test_fifty_gaps_recorded_at_once_are_each_stored_once(database_url: str) -> None:
    def record(number: int) -> None:
        answer = Answer("I don't know that yet.", Route.KNOWLEDGE, 0.1, gap=True, gap_reason=GapReason.NO_ANSWER,
                        answer_id=f"gap-{number:02d}")
        message = Message(f"where is the key for locker {number}?", asker=f"U{number}", channel="slack",
                          profile=AskerProfile(team="Tills", location="Store 3", role="associate"))
        store.record_turn(message, answer, latency_ms=2)

    with InteractionStore(database_url, KeepText(), salt="s") as store:
        all_at_once(record)
        gaps = store.gaps(limit=PARALLEL * 2)
        counts = store.counts()

    expected = {f"gap-{number:02d}" for number in range(PARALLEL)}
    assert stored_turns(database_url) == dict.fromkeys(expected, (1, True, "open"))
    assert sorted(gap.answer_id for gap in gaps) == sorted(expected)
    assert (counts["turns"], counts["gaps"], counts["by_reason"]["no_answer"]) == (PARALLEL, PARALLEL, PARALLEL)


@pytest.mark.slow  # the whole pipeline answers 50 questions
def test_fifty_gap_questions_asked_at_once_over_http_are_each_stored_once(
    company_services, database_url: str, tmp_path: Path
) -> None:
    # The demo index the session already built, with this test's own interaction database.
    settings = make_settings(company_services.settings.data_dir, database_url=database_url)
    services = build_services(settings, embedder=company_services.embedder, redactor=company_services.redactor)
    places = ("canteen", "stockroom", "loading bay", "roof", "car park")
    things = ("television", "vending machine", "radio", "coffee grinder", "aquarium", "jukebox", "sauna", "piano",
             "drone", "telescope")
    questions = [f"What is the wifi password of the {thing} in the {place}?" for place in places for thing in things]
    try:
        with AppServer(create_app(services.api_ports())) as base_url, \
                httpx.Client(base_url=base_url, timeout=60) as client:
            replies = all_at_once(lambda number: client.post("/v1/ask", json={"text": questions[number],
                                                                               "user": f"U{number}"}))
            assert [reply.status_code for reply in replies] == [200] * PARALLEL
            bodies = [reply.json() for reply in replies]
            assert all(body["gap"] for body in bodies), [body["answer"] for body in bodies if not body["gap"]]
            listed = client.get("/v1/gaps", params={"limit": PARALLEL * 2}).json()["gaps"]
    finally:
        services.close()

    answer_ids = {body["id"] for body in bodies}
    assert len(answer_ids) == PARALLEL
    assert stored_turns(database_url) == dict.fromkeys(answer_ids, (1, True, "open"))
    assert sorted(gap["answer_id"] for gap in listed) == sorted(answer_ids)
    assert sorted(gap["question"] for gap in listed) == sorted(questions)
