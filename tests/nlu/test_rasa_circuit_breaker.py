"""CircuitBreakingNLU: fails fast while the NLU server is down and recovers by itself."""

from __future__ import annotations

import json
import time

import pytest

from assistant.errors import NLUUnavailableError
from assistant.nlu.circuit_breaker import CircuitBreakingNLU
from assistant.nlu.errors import NLUCircuitOpenError
from assistant.nlu.rasa_client import RasaNLUClient
from assistant.nlu.rasa_supervisor import RasaSupervisor
from tests.support.clock import ManualClock
from tests.support.network import free_port

from .servers import CannedHTTPServer

GREETING = json.dumps(
    {
        "text": "hi",
        "intent": {"name": "greet", "confidence": 0.97},
        "entities": [],
        "intent_ranking": [{"name": "greet", "confidence": 0.97}, {"name": "thanks", "confidence": 0.03}],
    }
)
STATUS = json.dumps({"model_file": "nlu-0123456789ab.tar.gz", "model_id": "x", "num_active_training_jobs": 0})


def test_degrades_when_rasa_is_down_then_recovers_when_it_answers() -> None:
    port = free_port()
    breaker = CircuitBreakingNLU(RasaNLUClient(f"http://127.0.0.1:{port}", 0.3), cooldown_seconds=0.5)
    assert breaker.degraded_reason is None

    with pytest.raises(NLUUnavailableError, match="cannot be reached"):
        breaker.parse("hi")
    assert "cannot be reached" in (breaker.degraded_reason or "")

    started = time.monotonic()
    with pytest.raises(NLUCircuitOpenError, match="not retrying"):
        breaker.parse("hi")
    assert time.monotonic() - started < 0.05, "an open circuit must not touch the network"

    with CannedHTTPServer(200, GREETING, port=port):
        time.sleep(0.6)
        result = breaker.parse("hi")
        assert breaker.degraded_reason is None

    assert result.intent == "greet"
    assert result.ranking == [("greet", 0.97), ("thanks", 0.03)]


def test_only_one_caller_probes_after_the_cool_down() -> None:
    clock = ManualClock()
    breaker = CircuitBreakingNLU(
        RasaNLUClient(f"http://127.0.0.1:{free_port()}", 0.3), cooldown_seconds=2.0, clock=clock
    )
    with pytest.raises(NLUUnavailableError):
        breaker.parse("hi")

    clock.now += 1.9
    with pytest.raises(NLUCircuitOpenError) as still_open:
        breaker.parse("hi")
    assert still_open.value.retry_in_seconds == pytest.approx(0.1)

    clock.now += 0.2
    with pytest.raises(NLUUnavailableError) as probed:
        breaker.parse("hi")  # the probe reaches the (still closed) port
    assert not isinstance(probed.value, NLUCircuitOpenError)
    with pytest.raises(NLUCircuitOpenError):
        breaker.parse("hi")  # and the circuit is open again for a full cool-down


def test_status_checks_now_and_updates_the_circuit() -> None:
    port = free_port()
    breaker = CircuitBreakingNLU(RasaNLUClient(f"http://127.0.0.1:{port}", 0.3), cooldown_seconds=60)

    assert not breaker.status().ok
    assert breaker.degraded_reason is not None

    with CannedHTTPServer(200, STATUS, port=port):
        status = breaker.status()  # despite the 60 s cool-down

    assert status.ok and status.model == "nlu-0123456789ab.tar.gz"
    assert breaker.degraded_reason is None


def test_healthy_with_the_real_server(rasa_server: RasaSupervisor) -> None:
    breaker = CircuitBreakingNLU(RasaNLUClient(rasa_server.base_url, 2.0))

    assert breaker.status().ok
    assert breaker.parse("buongiorno!").intent == "greet"
    assert breaker.degraded_reason is None
