"""Who may call the API: with no keys, only this machine; `assistant serve` refuses other addresses without keys."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.access import ApiKey
from assistant.errors import ConfigurationError
from assistant.interactions import InteractionCounts
from assistant.models import Answer, Message, Route
from assistant.settings import Settings
from connectors.app.server import require_keys_off_loopback
from connectors.channels.http.app import ApiPorts, create_app


class _CannedAnswers:
    def handle(self, message: Message) -> Answer:
        return Answer(text=f"echo: {message.text}", route=Route.KNOWLEDGE, confidence=0.9, answer_id="a1")

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> None:
        return None


class _NoGaps:
    def gaps(self, since_days: int | None = None, limit: int = 500) -> list:
        return []

    def counts(self, since_days: int | None = None) -> InteractionCounts:
        raise AssertionError("not used by the API")


def _ports(keys: tuple[str, ...] = ()) -> ApiPorts:
    return ApiPorts(answering=_CannedAnswers(), gaps=_NoGaps(), api_keys=tuple(ApiKey.parse(key) for key in keys))


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "::", "assistant.example"])
def test_serve_refuses_a_non_loopback_address_without_api_keys(tmp_path, host: str) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    with pytest.raises(ConfigurationError, match="ASSISTANT_API_KEYS"):
        require_keys_off_loopback(settings, host)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_serve_accepts_loopback_without_keys(tmp_path, host: str) -> None:
    require_keys_off_loopback(Settings(_env_file=None, data_dir=tmp_path), host)


def test_serve_accepts_any_address_with_keys(tmp_path) -> None:
    require_keys_off_loopback(Settings(_env_file=None, data_dir=tmp_path, api_keys="k1"), "0.0.0.0")


def test_without_keys_a_caller_from_another_machine_is_refused() -> None:
    # TestClient's requests come from the host "testclient", i.e. not from this machine's loopback.
    with TestClient(create_app(_ports())) as client:
        response = client.post("/v1/ask", json={"text": "hello"})
        assert response.status_code == 403 and "loopback" in response.json()["detail"]
        assert client.get("/v1/gaps").status_code == 403
        assert client.get("/healthz").status_code == 200


def test_with_keys_a_caller_from_another_machine_needs_one() -> None:
    with TestClient(create_app(_ports(("k1",)))) as client:
        assert client.post("/v1/ask", json={"text": "hello"}).status_code == 401
        answered = client.post("/v1/ask", json={"text": "hello"}, headers={"Authorization": "Bearer k1"})
        assert answered.status_code == 200 and answered.json()["answer"] == "echo: hello"
