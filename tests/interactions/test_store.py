"""The interaction store on a real SQLite file, and on PostgreSQL when one is given.

Set ASSISTANT_TEST_POSTGRES_URL (e.g. postgresql+psycopg://user:pw@127.0.0.1:5432/db) to run
the PostgreSQL variants; each test then works in a schema of its own, dropped afterwards.
Tests marked with the `real-redactor` id use `assistant.privacy.Redactor` instead of the fake.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.errors import AssistantError, UnknownAnswerError
from assistant.interactions import (
    IdentifierHasher,
    InteractionStore,
    InteractionStoreError,
    TextRedactor,
    gap_after_vote,
)
from assistant.interactions.records import SuggestedPage
from assistant.models import Answer, Citation, GapReason, Message, Route

SALT = "test-salt-7f3a"
RAW_ASKER = "U07ALICE42"
RAW_THREAD = "1712345678.000100"
EMAIL = "alice@example.com"
START = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)


class FakeRedactor:
    """Replaces the one e-mail address the tests use with [EMAIL]."""

    def redact(self, text: str) -> str:
        return text.replace(EMAIL, "[EMAIL]")


class FakeClock:
    """A clock the tests move by hand instead of waiting."""

    def __init__(self, now: dt.datetime = START) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


OpenStore = Callable[..., InteractionStore]


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def real_redactor() -> TextRedactor:
    from assistant.privacy import Redactor

    redactor = Redactor()
    redactor.warm_up()
    return redactor


@pytest.fixture(params=["fake-redactor", pytest.param("real-redactor", marks=pytest.mark.model)])
def text_redactor(request: pytest.FixtureRequest) -> TextRedactor:
    if request.param == "fake-redactor":
        return FakeRedactor()
    return request.getfixturevalue("real_redactor")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def open_store(database_url: str, clock: FakeClock) -> Iterator[OpenStore]:
    """Opens stores on the test's database; closes them all at the end."""
    opened: list[InteractionStore] = []

    def open_(redactor: TextRedactor | None = None, url: str = database_url) -> InteractionStore:
        store = InteractionStore(url, redactor or FakeRedactor(), salt=SALT, clock=clock)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: OpenStore) -> InteractionStore:
    return open_store()


# --- helpers -------------------------------------------------------------------------------


def a_message(text: str = "Where is the returns policy?", **fields: str) -> Message:
    values = {"asker": RAW_ASKER, "channel": "slack", "thread": RAW_THREAD, "language": "en"} | fields
    return Message(text=text, **values)


def an_answer(
    text: str = "Returns are accepted within 30 days with a receipt.",
    *,
    gap_reason: GapReason | None = None,
    confidence: float = 0.82,
    citations: list[Citation] | None = None,
) -> Answer:
    return Answer(
        text=text,
        route=Route.KNOWLEDGE,
        confidence=confidence,
        citations=citations if citations is not None else [_citation()],
        intent="ask_policy",
        gap=gap_reason is not None,
        gap_reason=gap_reason,
        answer_id=uuid.uuid4().hex,
    )


def _citation(
    title: str = "Returns policy", path: str = "policies/returns.md", score: float = 0.71
) -> Citation:
    return Citation(title=title, path=path, section="Receipts", score=score)


def record(store: InteractionStore, answer: Answer | None = None, message: Message | None = None) -> str:
    answer = answer or an_answer()
    store.record_turn(message or a_message(), answer, latency_ms=42.5)
    return answer.answer_id


def database_bytes(path: Path) -> bytes:
    """The raw bytes of the SQLite file and its write-ahead log, if any."""
    return b"".join(
        candidate.read_bytes()
        for candidate in (path, path.with_name(path.name + "-wal"))
        if candidate.exists()
    )


# --- turns ---------------------------------------------------------------------------------


def test_a_turn_is_stored_with_redacted_text_and_hashed_ids(
    open_store: OpenStore, text_redactor: TextRedactor
) -> None:
    store = open_store(text_redactor)
    question = f"Customer {EMAIL} wants to return a lawn mower from order ORD-1234567"
    message = a_message(question)
    answer = an_answer(
        f"I have sent the returns label to {EMAIL}.",
        citations=[_citation(score=0.4), _citation("Refunds", "policies/refunds.md", 0.9)],
    )
    answer.degraded = True

    store.record_turn(message, answer, latency_ms=123.4)
    turn = store.turn(answer.answer_id)

    assert turn is not None
    assert turn.question == text_redactor.redact(question)
    assert "[EMAIL]" in turn.question and EMAIL not in turn.question
    assert "ORD-1234567" in turn.question
    assert turn.answer == text_redactor.redact(answer.text)
    assert EMAIL not in turn.answer
    hasher = IdentifierHasher(SALT)
    assert turn.asker_hash == hasher.hash(RAW_ASKER)
    assert turn.conversation_hash == hasher.hash(message.conversation_key)
    assert RAW_ASKER not in turn.asker_hash + turn.conversation_hash
    assert turn.created_at == START
    assert turn.channel == "slack"
    assert turn.route is Route.KNOWLEDGE
    assert turn.intent == "ask_policy"
    assert turn.confidence == pytest.approx(0.82)
    assert turn.citations == tuple(answer.citations)
    assert (turn.gap, turn.gap_reason) == (False, None)
    assert turn.degraded is True
    assert turn.language == "en"
    assert turn.latency_ms == pytest.approx(123.4)
    assert turn.feedback == () and turn.helpful is None


def test_the_database_file_never_holds_the_raw_asker_id_or_personal_data(
    sqlite_path: Path, text_redactor: TextRedactor, clock: FakeClock
) -> None:
    store = InteractionStore(f"sqlite:///{sqlite_path}", text_redactor, salt=SALT, clock=clock)
    answer_id = record(store, message=a_message(f"Please email {EMAIL} about ORD-7654321"))
    store.record_feedback(answer_id, helpful=False, comment=f"Wrong, ask {EMAIL}")
    expected_hash = IdentifierHasher(SALT).hash(RAW_ASKER).encode()

    for stage in ("open", "closed"):
        raw = database_bytes(sqlite_path)
        assert b"[EMAIL]" in raw and expected_hash in raw, f"{stage}: the rows are not in the file"
        assert RAW_ASKER.encode() not in raw, stage
        assert RAW_THREAD.encode() not in raw, stage
        assert EMAIL.encode() not in raw, stage
        assert SALT.encode() not in raw, stage
        store.close()


def test_pages_read_across_languages_are_kept_for_the_reports(store: InteractionStore) -> None:
    crossed = an_answer("La risposta è in una pagina in inglese, “Sickness absence”: …",
                        citations=[_citation("Sickness absence", "en/staff/sickness-absence.md")])
    crossed.source_language = "en"
    record(store, crossed, a_message("serve il certificato medico?", language="it"))
    record(store)  # answered in the asker's language
    complaints = Citation("Complaints and escalation", "en/customers/complaints-and-escalation.md", "", 0.86,
                          language="en")
    held_back = an_answer("Non lo so ancora…", gap_reason=GapReason.LOW_CONFIDENCE,
                          citations=[_citation("Reclami", "it/customers/reclami.md", 0.3), complaints])
    record(store, held_back, a_message("il cliente vuole parlare con un responsabile", language="it"))

    assert sorted((turn.page_path, turn.source_language) for turn in store.answered_turns()) == [
        ("en/staff/sickness-absence.md", "en"), ("policies/returns.md", None)]
    [gap] = store.gaps()
    assert gap.top_citation_path == "it/customers/reclami.md", "the suggestion is not the nearest page"
    assert gap.crosslingual_suggestions == (SuggestedPage(complaints.path, complaints.title, "en"),)
    assert gap.as_dict()["crosslingual_suggestions"] == [complaints.path]


def test_a_spooled_turn_written_before_a_column_existed_is_still_stored(store: InteractionStore) -> None:
    old = store.turn_row(a_message(), an_answer(), latency_ms=12.0)
    new = store.turn_row(a_message(), an_answer(), latency_ms=12.0)
    del old["source_language"]
    assert store.write_turns([new, old]) == 2
    assert store.turn(old["id"]) is not None and store.turn(new["id"]) is not None


def test_sqlite_uses_write_ahead_logging(sqlite_path: Path) -> None:
    with InteractionStore(f"sqlite:///{sqlite_path}", FakeRedactor(), salt=SALT) as store:
        record(store)
        assert sqlite_path.with_name(sqlite_path.name + "-wal").exists()
    assert sqlite_path.read_bytes()[18:20] == b"\x02\x02"  # file format 2 = WAL, in the header


def test_an_answer_without_an_id_is_refused(store: InteractionStore) -> None:
    answer = an_answer()
    answer.answer_id = ""
    with pytest.raises(ValueError, match="answer_id"):
        store.record_turn(a_message(), answer, latency_ms=1.0)


def test_recording_the_same_answer_twice_raises_a_store_error(store: InteractionStore) -> None:
    answer = an_answer()
    store.record_turn(a_message(), answer, latency_ms=1.0)
    with pytest.raises(InteractionStoreError, match=f"record turn {answer.answer_id}") as caught:
        store.record_turn(a_message(), answer, latency_ms=1.0)
    assert isinstance(caught.value, AssistantError)
    assert store.counts()["turns"] == 1


def test_an_unknown_turn_is_none(store: InteractionStore) -> None:
    assert store.turn(uuid.uuid4().hex) is None


# --- feedback ------------------------------------------------------------------------------


def test_helpful_feedback_is_stored_and_the_turn_stays_answered(store: InteractionStore) -> None:
    answer_id = record(store)

    result = store.record_feedback(answer_id, helpful=True, comment="Spot on")

    assert (result.answer_id, result.helpful, result.feedback_count) == (answer_id, True, 1)
    assert (result.gap, result.gap_reason) == (False, None)
    turn = store.turn(answer_id)
    assert turn is not None and turn.helpful is True and turn.gap is False
    assert [(vote.helpful, vote.comment) for vote in turn.feedback] == [(True, "Spot on")]
    assert turn.feedback[0].feedback_id == result.feedback_id
    assert store.gaps() == []


def test_not_helpful_feedback_makes_the_turn_a_gap(store: InteractionStore) -> None:
    answer_id = record(store)

    result = store.record_feedback(answer_id, helpful=False, comment=f"Outdated, {EMAIL} says 14 days")

    assert (result.gap, result.gap_reason, result.feedback_count) == (True, GapReason.NEGATIVE_FEEDBACK, 1)
    turn = store.turn(answer_id)
    assert turn is not None
    assert (turn.gap, turn.gap_reason, turn.helpful) == (True, GapReason.NEGATIVE_FEEDBACK, False)
    assert turn.feedback[0].comment == "Outdated, [EMAIL] says 14 days"
    [gap] = store.gaps()
    assert gap.answer_id == answer_id
    assert gap.gap_reason is GapReason.NEGATIVE_FEEDBACK
    assert gap.feedback_comment == "Outdated, [EMAIL] says 14 days"
    assert (gap.top_citation_title, gap.top_citation_path) == ("Returns policy", "policies/returns.md")


def test_a_later_helpful_vote_clears_a_negative_feedback_gap(store: InteractionStore) -> None:
    answer_id = record(store)
    store.record_feedback(answer_id, helpful=False, comment="Wrong")

    result = store.record_feedback(answer_id, helpful=True, comment=None)

    assert (result.gap, result.gap_reason, result.feedback_count) == (False, None, 2)
    turn = store.turn(answer_id)
    assert turn is not None and (turn.gap, turn.gap_reason, turn.helpful) == (False, None, True)
    assert [vote.helpful for vote in turn.feedback] == [False, True]
    assert store.gaps() == []
    counts = store.counts()
    assert (counts["feedback_helpful"], counts["feedback_not_helpful"]) == (1, 1)

    again = store.record_feedback(answer_id, helpful=False, comment="   ")
    assert (again.gap, again.gap_reason, again.feedback_count) == (True, GapReason.NEGATIVE_FEEDBACK, 3)
    [gap] = store.gaps()
    assert gap.feedback_comment == "Wrong"  # the latest thumbs-down that came with a comment


def test_negative_feedback_keeps_the_first_gap_reason_but_is_counted(store: InteractionStore) -> None:
    answer_id = record(store, an_answer(gap_reason=GapReason.LOW_CONFIDENCE, confidence=0.2))

    result = store.record_feedback(answer_id, helpful=False, comment="No idea what this means")

    assert (result.gap, result.gap_reason, result.feedback_count) == (True, GapReason.LOW_CONFIDENCE, 1)
    after_thumbs_up = store.record_feedback(answer_id, helpful=True)
    assert (after_thumbs_up.gap, after_thumbs_up.gap_reason) == (True, GapReason.LOW_CONFIDENCE)
    counts = store.counts()
    assert counts["by_reason"][GapReason.LOW_CONFIDENCE] == 1
    assert counts["by_reason"][GapReason.NEGATIVE_FEEDBACK] == 0
    assert (counts["feedback_helpful"], counts["feedback_not_helpful"]) == (1, 1)
    [gap] = store.gaps()
    assert gap.feedback_comment == "No idea what this means"


def test_feedback_on_an_unknown_answer_raises_unknown_answer_error(store: InteractionStore) -> None:
    record(store)
    with pytest.raises(UnknownAnswerError):
        store.record_feedback(uuid.uuid4().hex, helpful=False, comment="?")
    counts = store.counts()
    assert (counts["feedback_helpful"], counts["feedback_not_helpful"], counts["gaps"]) == (0, 0, 0)


@pytest.mark.parametrize(
    ("gap", "reason", "helpful", "expected"),
    [
        (False, None, False, (True, GapReason.NEGATIVE_FEEDBACK)),
        (False, None, True, (False, None)),
        (True, GapReason.NEGATIVE_FEEDBACK, False, (True, GapReason.NEGATIVE_FEEDBACK)),
        (True, GapReason.NEGATIVE_FEEDBACK, True, (False, None)),
        (True, GapReason.NO_ANSWER, False, (True, GapReason.NO_ANSWER)),
        (True, GapReason.OUT_OF_SCOPE, True, (True, GapReason.OUT_OF_SCOPE)),
    ],
)
def test_the_latest_vote_decides_the_feedback_gap(
    gap: bool, reason: GapReason | None, helpful: bool, expected: tuple[bool, GapReason | None]
) -> None:
    assert gap_after_vote(gap, reason, helpful) == expected


# --- gaps and counts -------------------------------------------------------------------------


def test_gaps_are_newest_first_and_filtered_by_age(store: InteractionStore, clock: FakeClock) -> None:
    ten_days_old = record(store, an_answer(gap_reason=GapReason.NO_ANSWER, citations=[]))
    clock.advance(days=7)
    three_days_old = record(store, an_answer(gap_reason=GapReason.LOW_CONFIDENCE, confidence=0.1))
    clock.advance(days=2, hours=23)
    record(store)  # answered: never a gap
    one_hour_old = record(store, an_answer(gap_reason=GapReason.OUT_OF_SCOPE))
    clock.advance(hours=1)

    assert [gap.answer_id for gap in store.gaps()] == [one_hour_old, three_days_old, ten_days_old]
    assert [gap.answer_id for gap in store.gaps(since_days=7)] == [one_hour_old, three_days_old]
    assert [gap.answer_id for gap in store.gaps(since_days=1)] == [one_hour_old]
    assert [gap.answer_id for gap in store.gaps(limit=2)] == [one_hour_old, three_days_old]
    oldest = store.gaps()[-1]
    assert (oldest.gap_reason, oldest.top_citation_title, oldest.top_citation_path) == (
        GapReason.NO_ANSWER,
        None,
        None,
    )
    assert oldest.created_at == START
    assert oldest.question == "Where is the returns policy?"
    assert (oldest.channel, oldest.route, oldest.intent) == ("slack", Route.KNOWLEDGE, "ask_policy")
    with pytest.raises(ValueError):
        store.gaps(since_days=-1)
    with pytest.raises(ValueError):
        store.gaps(limit=0)


def test_a_period_longer_than_the_calendar_holds_every_gap(store: InteractionStore) -> None:
    # Found by fuzzing the API: `GET /v1/gaps?since=3000000` overflowed the date arithmetic (a 500).
    gap = record(store, an_answer(gap_reason=GapReason.NO_ANSWER, citations=[]))
    assert [found.answer_id for found in store.gaps(since_days=3_000_000)] == [gap]
    assert store.counts(since_days=999_999_999)["gaps"] == 1


def test_counts_by_reason_and_channel(store: InteractionStore, clock: FakeClock) -> None:
    record(store, an_answer(gap_reason=GapReason.NO_ANSWER), a_message(channel="teams"))
    clock.advance(days=10)
    record(store, an_answer(gap_reason=GapReason.NO_ANSWER))
    record(store, an_answer(gap_reason=GapReason.LOW_CONFIDENCE))
    answered = record(store, message=a_message(channel="api"))
    record(store, message=a_message(channel="api"))
    store.record_feedback(answered, helpful=False)

    everything = store.counts()
    assert (everything["turns"], everything["gaps"]) == (5, 4)
    assert everything["by_reason"] == {
        "no_answer": 2,
        "low_confidence": 1,
        "unstated_amount": 0,
        "out_of_scope": 0,
        "negative_feedback": 1,
        "handoff_requested": 0,
        "order_system_unavailable": 0,
        "restricted": 0,
        "knowledge_unavailable": 0,
    }
    assert everything["by_channel"] == {"slack": 2, "teams": 1, "api": 2}
    assert everything["gaps_by_channel"] == {"slack": 2, "teams": 1, "api": 1}
    assert everything["feedback_not_helpful"] == 1

    recent = store.counts(since_days=7)
    assert (recent["turns"], recent["gaps"]) == (4, 3)
    assert recent["by_channel"] == {"slack": 2, "api": 2}
    assert recent["by_reason"]["no_answer"] == 1


# --- concurrency, persistence, errors -------------------------------------------------------


def test_concurrent_writes_from_eight_threads_lose_nothing(store: InteractionStore) -> None:
    threads, turns_each, shared_votes_each = 8, 20, 5
    shared = record(store)
    start = threading.Barrier(threads)
    errors: list[BaseException] = []
    recorded: list[list[str]] = [[] for _ in range(threads)]

    def work(index: int) -> None:
        try:
            start.wait()
            for turn in range(turns_each):
                answer_id = record(
                    store, an_answer(), a_message(f"Question {index}/{turn}", asker=f"U{index}")
                )
                store.record_feedback(answer_id, helpful=turn % 2 == 0, comment=f"vote {index}/{turn}")
                recorded[index].append(answer_id)
                if turn < shared_votes_each:
                    store.record_feedback(shared, helpful=(index + turn) % 2 == 0)
                    store.gaps(limit=5)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    assert errors == []
    assert all(len(ids) == turns_each for ids in recorded)
    counts = store.counts()
    assert counts["turns"] == threads * turns_each + 1
    assert counts["feedback_helpful"] + counts["feedback_not_helpful"] == threads * (
        turns_each + shared_votes_each
    )
    assert counts["gaps_by_channel"]["slack"] == counts["gaps"]
    shared_turn = store.turn(shared)
    assert shared_turn is not None and len(shared_turn.feedback) == threads * shared_votes_each
    expected_gap = shared_turn.feedback[-1].helpful is False
    assert shared_turn.gap is expected_gap
    for ids in recorded:
        for turn_number, answer_id in enumerate(ids):
            turn = store.turn(answer_id)
            assert turn is not None and turn.helpful is (turn_number % 2 == 0)


def test_reopening_the_database_keeps_the_data(sqlite_path: Path, clock: FakeClock) -> None:
    url = f"sqlite:///{sqlite_path}"
    first = InteractionStore(url, FakeRedactor(), salt=SALT, clock=clock)
    answer_id = record(first, message=a_message(f"Refund to {EMAIL}?"))
    first.record_feedback(answer_id, helpful=False, comment="Not this")
    first.close()
    assert sqlite_path.exists()

    with InteractionStore(url, FakeRedactor(), salt=SALT, clock=clock) as second:
        turn = second.turn(answer_id)
        assert turn is not None
        assert turn.question == "Refund to [EMAIL]?"
        assert (turn.gap, turn.gap_reason) == (True, GapReason.NEGATIVE_FEEDBACK)
        assert [gap.answer_id for gap in second.gaps()] == [answer_id]
        second.record_feedback(answer_id, helpful=True)
    with InteractionStore(url, FakeRedactor(), salt=SALT, clock=clock) as third:
        turn = third.turn(answer_id)
        assert turn is not None and turn.gap is False and len(turn.feedback) == 2


def test_in_memory_sqlite_is_shared_by_threads(clock: FakeClock) -> None:
    with InteractionStore("sqlite://", FakeRedactor(), salt=SALT, clock=clock) as store:
        ids: list[str] = []
        workers = [threading.Thread(target=lambda: ids.append(record(store))) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        assert len(ids) == 4
        assert all(store.turn(answer_id) is not None for answer_id in ids)


def test_an_unusable_database_raises_interaction_store_error(tmp_path: Path) -> None:
    directory = tmp_path / "not-a-file.db"
    directory.mkdir()
    with pytest.raises(InteractionStoreError, match="bring the database to the newest schema"):
        InteractionStore(f"sqlite:///{directory}", FakeRedactor(), salt=SALT)
    with pytest.raises(InteractionStoreError, match="database URL"):
        InteractionStore("not a url", FakeRedactor(), salt=SALT)


def test_an_empty_salt_is_refused(sqlite_path: Path) -> None:
    with pytest.raises(ValueError, match="salt"):
        InteractionStore(f"sqlite:///{sqlite_path}", FakeRedactor(), salt="")
