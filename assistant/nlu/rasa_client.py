"""A synchronous client for a Rasa server's HTTP API (`rasa run --enable-api`)."""

from __future__ import annotations

from typing import Any

import httpx

from assistant.errors import NLUUnavailableError
from assistant.nlu.result import NLUEntity, NLUResult, NLUStatus


class RasaNLUClient:
    """Parses texts with a running Rasa server and reports whether it is up.

    One `httpx.Client` (connection pool, keep-alive) is shared by every call and every
    thread. The timeouts are short on purpose: the assistant answers without an intent
    rather than keep a member of staff waiting on a slow NLU server.
    """

    def __init__(
        self,
        base_url: str,
        timeout_seconds: float = 0.3,
        *,
        connect_timeout_seconds: float | None = None,
        status_timeout_seconds: float = 1.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds
        self.status_timeout_seconds = status_timeout_seconds
        connect = timeout_seconds if connect_timeout_seconds is None else connect_timeout_seconds
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout_seconds, connect=connect),
            trust_env=False,  # a proxy from the environment must not sit between us and localhost
        )

    def parse(self, text: str) -> NLUResult:
        """The intent, ranking and entities Rasa finds in `text`.

        Raises `NLUUnavailableError`, with the reason, when the server cannot be reached,
        does not answer within the timeout, answers with an error status or with something
        that is not a Rasa parse result.
        """
        payload = self._request("POST", "/model/parse", json={"text": text})
        try:
            return _to_result(payload)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise NLUUnavailableError(
                f"Rasa NLU at {self.base_url} sent an unexpected parse result ({exc!r})"
            ) from exc

    def status(self) -> NLUStatus:
        """Whether the server answers with a model loaded. Reports problems, never raises them."""
        try:
            payload = self._request("GET", "/status", timeout=self.status_timeout_seconds)
        except NLUUnavailableError as exc:
            return NLUStatus(ok=False, reason=str(exc))
        model = payload.get("model_file") if isinstance(payload, dict) else None
        if not model:
            return NLUStatus(ok=False, reason=f"Rasa NLU at {self.base_url} has no model loaded")
        return NLUStatus(ok=True, reason="ok", model=str(model))

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()

    def __enter__(self) -> RasaNLUClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _request(self, method: str, path: str, *, timeout: float | None = None, **kwargs: Any) -> Any:
        where = f"Rasa NLU at {self.base_url}"
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        try:
            response = self._http.request(method, path, **kwargs, **extra)
        except httpx.TimeoutException as exc:
            limit = self.timeout_seconds if timeout is None else timeout
            raise NLUUnavailableError(
                f"{where} did not answer {method} {path} within {limit:g} s ({type(exc).__name__})"
            ) from exc
        except httpx.HTTPError as exc:
            raise NLUUnavailableError(f"{where} cannot be reached: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            body = " ".join(response.text.split())[:200]
            raise NLUUnavailableError(
                f"{where} answered {method} {path} with HTTP {response.status_code}: {body}"
            )
        try:
            return response.json()
        except ValueError as exc:
            raise NLUUnavailableError(f"{where} answered {method} {path} with invalid JSON") from exc


def _to_result(payload: Any) -> NLUResult:
    if not isinstance(payload, dict):
        raise TypeError(f"expected a JSON object, got {type(payload).__name__}")
    intent = payload.get("intent") or {}
    ranking = [(str(item["name"]), float(item["confidence"])) for item in payload.get("intent_ranking", [])]
    entities = [
        NLUEntity(
            label=str(item["entity"]),
            value=str(item["value"]),
            start=int(item["start"]),
            end=int(item["end"]),
            extractor=str(item.get("extractor", "")),
        )
        for item in payload.get("entities", [])
    ]
    name = intent.get("name")
    return NLUResult(
        intent=str(name) if name else None,
        confidence=float(intent.get("confidence") or 0.0),
        ranking=ranking,
        entities=entities,
    )
