"""What the OpenAPI description promises, checked without the model: every `/v1` route declares the keys it takes
and the errors it answers with (the fuzz test, tests/api/test_fuzz.py, holds the running API to it)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from benchmarks.standins.app_server import AppServer
from connectors.channels.api_ports import ApiPorts
from connectors.channels.http.app import MAX_SINCE_DAYS, create_app

# Requests here are refused before any port is used, so the API needs none.
NO_PORTS = ApiPorts(answering=None, gaps=None)


@pytest.fixture(scope="module")
def api() -> Iterator[httpx.Client]:
    with AppServer(create_app(NO_PORTS)) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def operations(api) -> dict[str, dict]:
    paths = api.get("/openapi.json").json()["paths"]
    return {f"{method.upper()} {path}": operation for path, methods in paths.items() if path.startswith("/v1/")
            for method, operation in methods.items()}


def test_both_ways_to_send_a_key_are_declared(api, operations) -> None:
    schemes = api.get("/openapi.json").json()["components"]["securitySchemes"]
    assert schemes == {"bearer": {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer KEY`"},
                       "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key",
                                  "description": "`X-API-Key: KEY`"}}
    for label, operation in operations.items():
        assert operation["security"] == [{"bearer": []}, {"apiKey": []}], label


def test_every_route_declares_its_errors(operations) -> None:
    for label, operation in operations.items():
        statuses = set(operation["responses"])
        assert {"401", "403", "422", "503"} <= statuses, label
        assert ("400" in statuses) == ("requestBody" in operation), label


def test_what_a_question_needs_is_in_the_schema(api) -> None:
    ask = api.get("/openapi.json").json()["components"]["schemas"]["AskRequest"]
    assert ask["properties"]["text"]["minLength"] == 1
    assert "letter or digit" in ask["properties"]["text"]["description"]
    # notify: true needs a non-empty user
    assert ask["if"] == {"properties": {"notify": {"const": True}}, "required": ["notify"]}
    assert ask["then"] == {"required": ["user"], "properties": {"user": {"type": "string", "minLength": 1}}}


def test_a_period_beyond_a_century_is_refused_not_a_server_error(api) -> None:
    # Found by fuzzing: `since=3000000` overflowed the date arithmetic, a 500.
    for path in ("/v1/gaps", "/v1/gaps/report"):
        response = api.get(path, params={"since": MAX_SINCE_DAYS + 1})
        assert response.status_code == 422, path


def test_a_body_that_is_not_utf8_is_400(api) -> None:
    response = api.post("/v1/feedback", content=b"\x95\xd0 not utf-8", headers={"content-type": "application/json"})
    assert response.status_code == 400
