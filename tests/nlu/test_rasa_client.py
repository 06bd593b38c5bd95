"""RasaNLUClient against a real `rasa run` (intents, entities, status) and against broken servers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from assistant.errors import NLUUnavailableError
from assistant.nlu.rasa_client import RasaNLUClient
from assistant.nlu.rasa_supervisor import RasaSupervisor
from tests.support.network import free_port

from .servers import CannedHTTPServer, SilentServer

# Phrasings that are not in nlu_data/, so the model has to generalise.
ENGLISH = [
    ("can a customer return a kettle without the box?", "ask_policy"),
    ("is the guarantee on lawnmowers two years?", "ask_policy"),
    ("remind me what our purpose is", "ask_purpose_values"),
    ("what are the steps to book a day off?", "ask_procedure"),
    ("how do I log a customer complaint on the system", "ask_procedure"),
    ("my customer wants an update on ORD-20481736", "order_status"),
    ("hey there, good morning", "greet"),
    ("cheers, that's sorted it", "thanks"),
    ("bye, speak tomorrow", "goodbye"),
    ("can I talk to a real human please", "handoff_human"),
    ("what sorts of things can you answer?", "bot_capabilities"),
    ("who won the rugby at the weekend?", "out_of_scope"),
]
ITALIAN = [
    ("si può pagare a rate?", "ask_policy"),
    ("quali sono i valori di Verdello?", "ask_purpose_values"),
    ("come richiedo il cambio turno?", "ask_procedure"),
    ("mi controlli l'ordine ORD-44556677?", "order_status"),
    ("grazie, gentilissima", "thanks"),
    ("ci sentiamo domani, ciao ciao", "goodbye"),
    ("vorrei parlare con il mio responsabile", "handoff_human"),
    ("cosa puoi fare per me?", "bot_capabilities"),
]
INTENT_COUNT = 10


@pytest.fixture(scope="module")
def client(rasa_server: RasaSupervisor) -> Iterator[RasaNLUClient]:
    with RasaNLUClient(rasa_server.base_url, timeout_seconds=2.0) as nlu:
        yield nlu


@pytest.mark.parametrize(("text", "intent"), ENGLISH + ITALIAN)
def test_parse_finds_the_intent(client: RasaNLUClient, text: str, intent: str) -> None:
    result = client.parse(text)

    assert result.intent == intent, result.ranking[:3]
    assert result.confidence > 0.5


def test_parse_returns_the_full_ranking_best_first(client: RasaNLUClient) -> None:
    result = client.parse("what's the returns policy for garden furniture?")

    names = [name for name, _ in result.ranking]
    scores = [score for _, score in result.ranking]
    assert len(names) == INTENT_COUNT and len(set(names)) == INTENT_COUNT
    assert scores == sorted(scores, reverse=True)
    assert result.ranking[0] == (result.intent, pytest.approx(result.confidence))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("can you chase ORD-55512345 for me?", "ORD-55512345"),
        ("customer on line 2 asking about ord-20481736", "ord-20481736"),
        ("where's the sofa for order ORD-9876543210?", "ORD-9876543210"),
        ("il pacco dell'ordine ORD-2020202 non è arrivato", "ORD-2020202"),
    ],
)
def test_parse_extracts_order_numbers(client: RasaNLUClient, text: str, value: str) -> None:
    result = client.parse(text)

    assert result.intent == "order_status"
    assert result.entity_values("order_number") == [value]
    (entity,) = result.entities
    assert (entity.label, text[entity.start : entity.end]) == ("order_number", value)
    assert entity.extractor == "RegexEntityExtractor"


def test_numbers_outside_the_demo_format_are_not_order_numbers(client: RasaNLUClient) -> None:
    assert client.parse("status of ORD-123 please").entities == []
    assert client.parse("is ORD-12345678901 delivered?").entities == []


def test_status_names_the_loaded_model(client: RasaNLUClient, rasa_server: RasaSupervisor) -> None:
    status = client.status()

    assert status.ok and status.reason == "ok"
    assert status.model == rasa_server.model_path.name


def test_closed_port_raises_at_once() -> None:
    with RasaNLUClient(f"http://127.0.0.1:{free_port()}", timeout_seconds=0.3) as nlu:
        started = time.monotonic()
        with pytest.raises(NLUUnavailableError, match="cannot be reached"):
            nlu.parse("hello")
        assert time.monotonic() - started < 1.0

        status = nlu.status()
        assert not status.ok and "cannot be reached" in status.reason and status.model is None


def test_server_that_never_answers_raises_after_the_timeout() -> None:
    with SilentServer() as silent, RasaNLUClient(silent.base_url, timeout_seconds=0.3) as nlu:
        started = time.monotonic()
        with pytest.raises(NLUUnavailableError, match=r"did not answer POST /model/parse within 0\.3 s"):
            nlu.parse("hello")
        assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (500, '{"error": "boom"}', "HTTP 500"),
        (409, '{"message": "No agent loaded"}', "HTTP 409"),
        (200, "<html>not json</html>", "invalid JSON"),
        (200, '{"intent": "greet"}', "unexpected parse result"),
        (200, "[1, 2]", "unexpected parse result"),
    ],
)
def test_bad_answers_raise_with_the_reason(status: int, body: str, message: str) -> None:
    with (
        CannedHTTPServer(status, body) as server,
        RasaNLUClient(server.base_url) as nlu,
        pytest.raises(NLUUnavailableError, match=message),
    ):
        nlu.parse("hello")


def test_status_without_a_loaded_model_is_not_ok() -> None:
    with (
        CannedHTTPServer(409, '{"message": "No agent loaded"}') as server,
        RasaNLUClient(server.base_url) as nlu,
    ):
        status = nlu.status()

    assert not status.ok and "HTTP 409" in status.reason
