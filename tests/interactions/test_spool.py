"""The spool of turns waiting for the database: durable and bounded, written to the store once, never holding raw
personal data; answers go on while the database is unreachable, and `/healthz` says so."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from assistant.interactions import InteractionStore, InteractionStoreError
from assistant.interactions.errors import SpoolFullError
from assistant.interactions.schema import feedback, turns
from assistant.interactions.spool import TurnSpool
from assistant.interactions.spooled_recorder import SpooledRecorder
from assistant.models import Answer, Message, OrderOutcome, Route, TextOrigin
from assistant.privacy import Redactor
from assistant.skills.orders import OrderReply
from benchmarks.standins.app_server import AppServer
from tests.support.network import free_port
from tests.support.spool_server import build_app
from tests.support.tcp_proxy import TcpProxy

NAME, EMAIL, PHONE = "Giulia Bianchi", "giulia.bianchi@example.com", "+44 7700 900123"
PERSONAL_QUESTION = f"Customer {NAME} ({EMAIL}, {PHONE}) wants to return a lawnmower: how long does she have?"


def _answer(text: str = "Thirty days.", origin: TextOrigin = TextOrigin.COMPANY, gap: bool = False) -> Answer:
    return Answer(text=text, route=Route.KNOWLEDGE, confidence=0.9, answer_id=uuid.uuid4().hex, gap=gap,
                  text_origin=origin)


def _stored(store: InteractionStore, table=turns) -> int:
    with store._engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


@contextmanager
def _sqlite_locked(path: Path) -> Iterator[None]:
    """Another connection holds SQLite's write lock: every write by the store times out, as if it were down."""
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


class Outage:
    """Makes the test's database unreachable and reachable again: SQLite by holding its write lock, PostgreSQL by
    cutting a real TCP forwarder in front of it."""

    def __init__(self, url: str, sqlite_path: Path) -> None:
        self._proxy: TcpProxy | None = None
        self._sqlite_path = sqlite_path
        self._held: contextmanager | None = None
        parsed = make_url(url)
        if parsed.get_backend_name() == "postgresql":
            self._proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
            self.url = parsed.set(host="127.0.0.1", port=self._proxy.port).render_as_string(hide_password=False)
        else:
            self.url = url

    def begin(self) -> None:
        if self._proxy is not None:
            self._proxy.cut()
        else:
            self._held = _sqlite_locked(self._sqlite_path)
            self._held.__enter__()

    def end(self) -> None:
        if self._proxy is not None:
            self._proxy.restore()
        elif self._held is not None:
            self._held.__exit__(None, None, None)
            self._held = None

    def close(self) -> None:
        if self._proxy is not None:
            self._proxy.close()
        else:
            self.end()


@pytest.fixture
def outage(database_url: str, sqlite_path: Path) -> Iterator[Outage]:
    control = Outage(database_url, sqlite_path)
    yield control
    control.close()


def _wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


# ---------------------------------------------------------------------------------------------- store and spool


def test_a_replayed_turn_is_stored_once(database_url: str) -> None:
    with InteractionStore(database_url, Redactor(use_ner=False), salt="s") as store:
        rows = [store.turn_row(Message(text=f"question {n}"), _answer(), 12.0) for n in range(3)]
        assert store.write_turns(rows) == 3
        assert store.write_turns([*rows, store.turn_row(Message(text="new"), _answer(), 1.0)]) == 1
        assert _stored(store) == 4


def test_without_a_writer_record_turn_stores_at_once_and_leaves_the_spool_empty(tmp_path: Path) -> None:
    with InteractionStore(f"sqlite:///{tmp_path / 'db.sqlite'}", Redactor(use_ner=False), salt="s") as store:
        recorder = SpooledRecorder(store, TurnSpool(tmp_path / "spool.sqlite3"))
        recorder.record_turn(Message(text="How long is a lawnmower's warranty?"), _answer(), 3.0)
        assert _stored(store) == 1
        assert recorder.spool.depth().entries == 0
        recorder.close()


def test_a_full_spool_writes_through_and_fails_loudly_only_when_the_database_fails_too(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with InteractionStore(f"sqlite:///{path}", Redactor(use_ner=False), salt="s",
                          sqlite_busy_timeout_ms=100) as store:
        spool = TurnSpool(tmp_path / "spool.sqlite3", max_entries=1)
        recorder = SpooledRecorder(store, spool)
        with _sqlite_locked(path):
            recorder.record_turn(Message(text="first"), _answer(), 1.0)  # spooled; the store is locked
            assert spool.depth().entries == 1
            with pytest.raises(SpoolFullError):
                spool.append("turn", "x", {"id": "x"})
            with pytest.raises(InteractionStoreError):
                recorder.record_turn(Message(text="second"), _answer(), 1.0)
        recorder.record_turn(Message(text="third"), _answer(), 1.0)  # the spool drains, then takes it
        assert _stored(store) == 2 and spool.depth().entries == 0
        recorder.close()


def test_votes_and_hand_offs_on_spooled_answers_wait_behind_their_turn(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with InteractionStore(f"sqlite:///{path}", Redactor(use_ner=False), salt="s",
                          sqlite_busy_timeout_ms=100) as store:
        recorder = SpooledRecorder(store, TurnSpool(tmp_path / "spool.sqlite3"))
        answer = _answer()
        with _sqlite_locked(path):
            recorder.record_turn(Message(text="Where is the staff room? my name is Luca"), answer, 1.0)
            result = recorder.record_feedback(answer.answer_id, False, f"call me on {PHONE}")
            assert result.gap and result.gap_reason is not None and result.feedback_count == 1
            handoff = recorder.record_handoff(answer.answer_id)
            assert "Luca" not in handoff.question and "[PERSON]" in handoff.question
            assert not recorder.health().ok
            with pytest.raises(InteractionStoreError):
                recorder.request_notice(answer.answer_id, "api", {}, asker="u", audience="staff")
        assert recorder.flush() == 0 and recorder.health().ok
        turn = store.turn(answer.answer_id)
        assert turn is not None and turn.gap and turn.gap_reason.value == "handoff_requested"
        assert [vote.comment for vote in turn.feedback] == ["call me on [PHONE]"]
        recorder.close()


def test_a_vote_replayed_after_a_crash_is_stored_once(tmp_path: Path) -> None:
    with InteractionStore(f"sqlite:///{tmp_path / 'db.sqlite'}", Redactor(use_ner=False), salt="s") as store:
        answer = _answer()
        store.write_turns([store.turn_row(Message(text="q"), answer, 1.0)])
        at = dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
        for _ in range(2):
            store.write_feedback(answer.answer_id, False, None, at, once=True)
        assert _stored(store, feedback) == 1


@pytest.mark.parametrize(("origin", "text", "kept", "gone"), [
    (TextOrigin.COMPANY, f"Ask Mr Rossi at {EMAIL} or on {PHONE}.", "[EMAIL]", (EMAIL, PHONE, "Rossi")),
    (TextOrigin.MASKED_ORDER, f"Order ORD-4827193 is delayed; call {PHONE}.", "ORD-4827193", (PHONE,)),
    (TextOrigin.FREE, f"You asked about {NAME}: no page answers that.", "[PERSON]", (NAME, "Bianchi")),
])
def test_each_kind_of_answer_is_redacted_before_it_is_stored(redactor: Redactor, tmp_path: Path, origin: TextOrigin,
                                                             text: str, kept: str, gone: tuple[str, ...]) -> None:
    with InteractionStore(f"sqlite:///{tmp_path / 'db.sqlite'}", redactor, salt="s") as store:
        row = store.turn_row(Message(text=PERSONAL_QUESTION), _answer(text, origin), 1.0,
                             redacted_question=store.redact_question_early(PERSONAL_QUESTION))
    assert kept in row["answer"]
    for planted in (*gone, NAME, EMAIL, PHONE):
        assert planted not in row["answer"] and planted not in row["question"]


def test_only_a_malformed_order_reply_quotes_what_was_typed() -> None:
    assert OrderReply("No order “ORD 12 Giulia”", OrderOutcome.MALFORMED).text_origin is TextOrigin.FREE
    for outcome in (OrderOutcome.FOUND, OrderOutcome.NOT_FOUND, OrderOutcome.UNAVAILABLE, OrderOutcome.TOO_MANY):
        assert OrderReply("…", outcome).text_origin is TextOrigin.MASKED_ORDER


# ---------------------------------------------------------------------------------------------- over HTTP


def test_while_the_database_is_unreachable_answers_go_on_and_every_turn_is_written_once_on_return(
        redactor: Redactor, database_url: str, outage: Outage, tmp_path: Path) -> None:
    app, recorder = build_app(tmp_path / "data", outage.url, redactor=redactor, busy_timeout_ms=200)
    with AppServer(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        assert client.get("/healthz").json()["status"] == "ok"
        outage.begin()
        ids = []
        for n in range(12):
            text = PERSONAL_QUESTION if n == 0 else ("Is this a gap? " if n % 4 == 0 else "") + f"Question {n}?"
            response = client.post("/v1/ask", json={"text": text})
            assert response.status_code == 200, response.text
            ids.append(response.json()["id"])
        vote = client.post("/v1/feedback", json={"answer_id": ids[1], "helpful": False, "comment": "wrong"})
        assert vote.status_code == 200 and vote.json()["gap"] is True

        def degraded() -> bool:
            health = client.get("/healthz").json()
            return health["status"] == "degraded" and health["interaction_store"]["spool_entries"] == 13

        _wait_for(degraded)
        spool_bytes = b"".join(path.read_bytes() for path in (tmp_path / "data").glob("interaction-spool*"))
        for planted in (NAME, EMAIL, PHONE, "Bianchi", "900123"):
            assert planted.encode() not in spool_bytes
        assert b"[EMAIL]" in spool_bytes and b"[PERSON]" in spool_bytes

        outage.end()
        _wait_for(lambda: client.get("/healthz").json()["status"] == "ok")
        health = client.get("/healthz").json()
        assert health["interaction_store"]["spool_entries"] == 0
    with InteractionStore(outage.url, redactor, salt="spool-test") as check:
        counts = check.counts()
        assert counts["turns"] == len(ids) == len(set(ids))
        assert all(check.turn(answer_id) is not None for answer_id in ids)
        assert counts["feedback_not_helpful"] == 1
        assert counts["gaps"] == 2 + 1  # questions 4 and 8 are gaps, and the one voted down
    assert recorder.spool.path.exists()


# ---------------------------------------------------------------------------------------------- a killed server


def _serve(data_dir: Path, database_url: str, port: int) -> subprocess.Popen:
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "tests.support.spool_server", "--data-dir", str(data_dir),
               "--database-url", database_url, "--port", str(port), "--busy-timeout-ms", "100"]
    return subprocess.Popen(command, cwd=root, env={**os.environ, "PYTHONPATH": str(root)})


def _wait_until_serving(client: httpx.Client, server: subprocess.Popen) -> None:
    def serving() -> bool:
        assert server.poll() is None, "the server exited"
        try:
            return client.get("/healthz").status_code == 200
        except httpx.TransportError:
            return False

    _wait_for(serving, seconds=120)


@pytest.mark.model
def test_a_server_killed_right_after_replying_loses_no_acknowledged_turn(tmp_path: Path) -> None:
    """The server replies to N questions while its database is locked (so every turn is only in the spool), is
    killed with SIGKILL, and is started again: all N turns are then stored, each once."""
    database = tmp_path / "interactions.db"
    url = f"sqlite:///{database}"
    InteractionStore(url, Redactor(use_ner=False), salt="spool-test").close()  # the schema, made beforehand
    port = free_port()
    acknowledged: list[str] = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        server = _serve(tmp_path / "data", url, port)
        _wait_until_serving(client, server)
        with _sqlite_locked(database):
            try:
                for n in range(8):
                    response = client.post("/v1/ask", json={"text": f"Can I return a mower bought {n} days ago?"})
                    assert response.status_code == 200
                    acknowledged.append(response.json()["id"])
            finally:
                server.send_signal(signal.SIGKILL)
                server.wait(30)
        with InteractionStore(url, Redactor(use_ner=False), salt="spool-test") as store:
            assert _stored(store) == 0  # nothing reached the database before the kill
        server = _serve(tmp_path / "data", url, port)
        try:
            _wait_until_serving(client, server)
            _wait_for(lambda: client.get("/healthz").json()["interaction_store"]["spool_entries"] == 0)
        finally:
            server.terminate()
            server.wait(30)
    with InteractionStore(url, Redactor(use_ner=False), salt="spool-test") as store:
        assert _stored(store) == len(acknowledged) == 8
        assert all(store.turn(answer_id) is not None for answer_id in acknowledged)
