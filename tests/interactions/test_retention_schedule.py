"""The server's retention schedule prunes at start and on its period, and stops at once."""

from __future__ import annotations

import datetime as dt
import time

from assistant.interactions import InteractionStore
from assistant.models import Answer, GapReason, Message, Route
from connectors.app.retention import RetentionSchedule


class KeepText:
    def redact(self, text: str) -> str:
        return text


def test_the_schedule_prunes_old_turns_and_stops(tmp_path) -> None:
    now = [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]
    with InteractionStore(f"sqlite:///{tmp_path / 'r.db'}", KeepText(), salt="s", clock=lambda: now[0]) as store:
        store.record_turn(Message("old question"), Answer("?", Route.KNOWLEDGE, 0.1, gap=True,
                                                          gap_reason=GapReason.NO_ANSWER, answer_id="old"), 1.0)
        now[0] += dt.timedelta(days=100)
        schedule = RetentionSchedule(store, days=30, every_seconds=3600)
        schedule.start()
        deadline = time.monotonic() + 10
        while store.turn("old") is not None and time.monotonic() < deadline:
            time.sleep(0.02)
        started = time.monotonic()
        schedule.stop()
        assert store.turn("old") is None and store.counts()["gaps"] == 1
        assert time.monotonic() - started < 5, "stop does not wait for the next period"
