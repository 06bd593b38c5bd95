"""Guessing keys at the sign-in form: five wrong keys a minute from one address, then 429 until the minute passes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.access import ApiKey
from connectors.channels.api_ports import ApiPorts
from connectors.channels.http.app import create_app
from connectors.channels.web import ConsoleConfig, install_console
from connectors.channels.web.signin_limits import SignInLimiter
from tests.support.clock import ManualClock
from tests.web.console_support import ENTRIES, KEYS, SECRET, CannedAnswers, NoGaps, form_token


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def app(clock: ManualClock):
    ports = ApiPorts(answering=CannedAnswers(), gaps=NoGaps(), api_keys=tuple(ApiKey.parse(entry) for entry in ENTRIES))
    app = create_app(ports)
    install_console(app, ports, ConsoleConfig(session_secret=SECRET, signin_limiter=SignInLimiter(clock=clock)))
    return app


def _try(client: TestClient, key: str):
    token = form_token(client.get("/signin").text)
    return client.post("/signin", data={"key": key, "csrf": token}, follow_redirects=False)


def test_the_sixth_wrong_key_in_a_minute_is_refused_with_429_until_the_minute_passes(app, clock) -> None:
    client = TestClient(app, client=("203.0.113.7", 40000))
    for _ in range(5):
        assert _try(client, "guess").status_code == 401
        clock.advance(5)
    refused = _try(client, KEYS["admin"])  # even the right key waits
    assert refused.status_code == 429
    assert "Too many wrong keys" in refused.text
    assert refused.headers["retry-after"] == "35"
    assert "console_session" not in refused.cookies
    clock.advance(35)
    assert _try(client, KEYS["admin"]).status_code == 303


def test_the_limit_is_per_address_and_a_right_key_clears_it(app, clock) -> None:
    guesser = TestClient(app, client=("203.0.113.7", 40000))
    colleague = TestClient(app, client=("203.0.113.8", 40000))
    for _ in range(4):
        _try(guesser, "guess")
    assert _try(guesser, KEYS["staff"]).status_code == 303  # the fifth try was right: the count starts again
    for _ in range(5):
        _try(guesser, "guess")
    assert _try(guesser, "guess").status_code == 429
    assert _try(colleague, KEYS["staff"]).status_code == 303


def test_the_refusal_is_in_italian_too(app) -> None:
    client = TestClient(app, client=("203.0.113.9", 40000), headers={"Accept-Language": "it"})
    for _ in range(5):
        _try(client, "guess")
    assert "Troppe chiavi errate" in _try(client, "guess").text


def test_memory_stays_bounded() -> None:
    clock = ManualClock()
    limiter = SignInLimiter(clock=clock, max_addresses=3)
    for number in range(10):
        clock.advance(1)
        limiter.failed(f"198.51.100.{number}")
    assert limiter.retry_after("198.51.100.0") == 0
    for _ in range(5):
        limiter.failed("198.51.100.9")
    assert limiter.retry_after("198.51.100.9") == 60
