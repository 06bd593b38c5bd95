"""Wrong keys at the console's sign-in form, counted in the shared state: two replicas over one database (SQLite
file and PostgreSQL) count the same failures, a right key on either clears them, the wait ends when the oldest
failure is a minute old, and a database that is down leaves each replica counting on its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.access import ApiKey
from assistant.interactions import InteractionStore
from connectors.channels.api_ports import ApiPorts
from connectors.channels.http.app import create_app
from connectors.channels.web import ConsoleConfig, install_console
from connectors.channels.web.signin_limits import SharedSignInLimiter
from tests.support.broken_state import UnreachableState
from tests.support.clock import DateClock
from tests.support.keep_text import KeepText
from tests.web.console_support import ENTRIES, KEYS, SECRET, CannedAnswers, NoGaps, form_token

START = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
GUESSER = ("203.0.113.7", 40000)


@pytest.fixture
def clock() -> DateClock:
    return DateClock(START)


@pytest.fixture
def limiters(database_url: str, clock: DateClock) -> Iterator[tuple[SharedSignInLimiter, SharedSignInLimiter]]:
    """One limiter per replica, each over its own store (its own engine) of one database."""
    stores = [InteractionStore(database_url, KeepText(), salt="replicas", clock=clock) for _ in range(2)]
    yield tuple(SharedSignInLimiter(store.shared_state(), clock=lambda: clock.now.timestamp()) for store in stores)
    for store in stores:
        store.close()


def console(limiter) -> TestClient:
    ports = ApiPorts(answering=CannedAnswers(), gaps=NoGaps(), api_keys=tuple(ApiKey.parse(entry) for entry in ENTRIES))
    app = create_app(ports)
    install_console(app, ports, ConsoleConfig(session_secret=SECRET, signin_limiter=limiter))
    return TestClient(app, client=GUESSER)


def attempt(client: TestClient, key: str) -> int:
    token = form_token(client.get("/signin").text)
    return client.post("/signin", data={"key": key, "csrf": token}, follow_redirects=False).status_code


def test_wrong_keys_on_both_replicas_add_up_and_the_wait_ends_with_the_oldest(limiters, clock) -> None:
    first, second = (console(limiter) for limiter in limiters)
    for number in range(5):
        assert attempt(first if number % 2 else second, "guess") == 401
        clock.now += dt.timedelta(seconds=5)
    assert attempt(first, KEYS["admin"]) == 429  # even the right key waits, on either replica
    assert attempt(second, KEYS["admin"]) == 429
    assert limiters[0].retry_after(GUESSER[0]) == 35
    clock.now += dt.timedelta(seconds=35)
    assert attempt(second, KEYS["admin"]) == 303


def test_a_right_key_on_one_replica_clears_the_count_on_the_other(limiters) -> None:
    first, second = (console(limiter) for limiter in limiters)
    for _ in range(4):
        attempt(first, "guess")
    assert attempt(second, KEYS["staff"]) == 303
    for _ in range(4):
        attempt(first, "guess")
    assert attempt(second, "guess") == 401  # the count started again: four plus this one
    assert attempt(first, "guess") == 429


def test_with_the_database_down_each_replica_counts_on_its_own(caplog) -> None:
    limiter = SharedSignInLimiter(UnreachableState())
    client = console(limiter)
    for _ in range(5):
        assert attempt(client, "guess") == 401
    assert attempt(client, "guess") == 429
    assert "counting sign-in failures in this process" in caplog.text
