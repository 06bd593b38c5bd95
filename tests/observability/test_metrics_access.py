"""Who may read `GET /metrics`: the API's rule (no keys: this machine only; with keys: admin keys), or the metrics key.
Every response, errors included, carries an `X-Request-ID`."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from connectors.channels.http.app import create_app
from tests.observability.canned import canned_ports

LOOPBACK = ("127.0.0.1", 40000)
REMOTE = ("10.1.2.3", 40000)


def _client(keys: tuple[str, ...] = (), *, caller=LOOPBACK, metrics_key: str | None = None) -> TestClient:
    return TestClient(create_app(canned_ports(keys), metrics_key=metrics_key), client=caller,
                      raise_server_exceptions=False)


def test_without_keys_this_machine_reads_the_metrics_in_the_text_format() -> None:
    with _client() as client:
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "assistant_part_up" in response.text


def test_without_keys_another_machine_may_not() -> None:
    with _client(caller=REMOTE) as client:
        response = client.get("/metrics")
    assert response.status_code == 403 and response.headers["x-request-id"]


def test_with_keys_only_an_admin_key_or_the_metrics_key_reads_them() -> None:
    with _client(("s1:staff", "e1:ex", "a1:admin"), caller=REMOTE, metrics_key="scrape-me") as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer s1"}).status_code == 403
        assert client.get("/metrics", headers={"X-API-Key": "e1"}).status_code == 403
        assert client.get("/metrics", headers={"Authorization": "Bearer a1"}).status_code == 200
        assert client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).status_code == 200
        assert client.get("/metrics", headers={"Authorization": "Bearer scrape-mf"}).status_code == 401
        # The metrics key opens the metrics and nothing else.
        assert client.post("/v1/ask", json={"text": "hello"},
                           headers={"Authorization": "Bearer scrape-me"}).status_code == 401


def test_the_metrics_key_lets_another_machine_scrape_a_server_without_api_keys() -> None:
    with _client(caller=REMOTE, metrics_key="scrape-me") as client:
        assert client.get("/metrics", headers={"X-API-Key": "scrape-me"}).status_code == 200
        assert client.get("/metrics").status_code == 403


@pytest.mark.parametrize("incoming", ["abc-123", "Ev08ABCDEF", "C024BE91L:1700000000.000100", "a" * 64])
def test_a_sane_request_id_is_echoed(incoming: str) -> None:
    with _client() as client:
        response = client.post("/v1/ask", json={"text": "hello"}, headers={"X-Request-ID": incoming})
    assert response.status_code == 200 and response.headers["x-request-id"] == incoming


@pytest.mark.parametrize("hostile", ["a" * 65, "<script>alert(1)</script>", "id with spaces", "-leading-dash",
                                     "ümlaut", "a;b", "../../etc"])
def test_a_hostile_or_oversized_request_id_is_replaced(hostile: str) -> None:
    with _client() as client:
        response = client.post("/v1/ask", json={"text": "hello"}, headers={"X-Request-ID": hostile.encode("utf-8")})
    returned = response.headers["x-request-id"]
    assert returned != hostile and len(returned) == 32 and all(ch in "0123456789abcdef" for ch in returned)


def test_every_response_carries_a_request_id_errors_too() -> None:
    with _client() as client:
        responses = [client.post("/v1/ask", json={"text": "hello"}), client.post("/v1/ask", json={"text": "???"}),
                     client.post("/v1/ask", json={}), client.get("/no/such/page"), client.get("/healthz"),
                     client.post("/v1/ask", json={"text": "boom"})]
    assert [response.status_code for response in responses] == [200, 422, 422, 404, 200, 500]
    ids = [response.headers.get("x-request-id") for response in responses]
    assert all(ids) and len(set(ids)) == len(ids)
