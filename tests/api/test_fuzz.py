"""Schemathesis fuzzes every `/v1` operation of the running API (uvicorn on 127.0.0.1) from its own OpenAPI schema:
with an admin key, a staff key, no key, and on a server with no keys configured (this machine acts as admin).

Two properties: no request gets a server error, and every response matches what the schema declares for it (status,
content type, body). Schema-valid requests must be accepted and schema-invalid ones rejected with a 4xx, so the
schema has to say what the API really takes. Examples are bounded and derandomized: the same cases every run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from assistant.access import ApiKey
from assistant.pipeline import clean_text
from benchmarks.standins.app_server import AppServer
from connectors.app.services import build_services
from connectors.channels.http.app import create_app
from tests.conftest import make_settings

pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = 20
"""Per operation, per generation mode (valid and invalid input), per caller."""

KEYS = ("k-admin:admin", "k-staff:staff")
CALLERS = {
    "admin key": (True, {"Authorization": "Bearer k-admin"}),
    "staff key": (True, {"X-API-Key": "k-staff"}),
    "no key": (True, {}),
    "no keys configured": (False, {}),
}
"""Caller: (does the server have keys, the headers every request carries)."""


def refused_without_a_key(ctx, response, case) -> None:
    """A server with keys gives nothing to a request without one: 401, or 400/422 for a request too malformed to get
    as far as the key check."""
    assert response.status_code in {400, 401, 422}, (
        f"{case.method} {case.formatted_path} answered {response.status_code} without a key")


CHECKS_BY_CALLER = {
    "admin key": {},
    "staff key": {},
    "no key": {"additional_checks": [refused_without_a_key]},
    # This machine acts as admin when no keys are configured, although the schema declares the key schemes.
    "no keys configured": {"excluded_checks": [ignored_auth]},
}


@pytest.fixture(scope="module")
def servers(company_services, embedder, redactor, tmp_path_factory) -> Iterator[dict[bool, str]]:
    """Two servers over the demo knowledge, one with API keys and one without; their own gap store."""
    folder = tmp_path_factory.mktemp("fuzz")
    settings = make_settings(company_services.settings.data_dir, database_url=f"sqlite:///{folder / 'fuzz.db'}")
    services = build_services(settings, embedder=embedder, redactor=redactor)
    keyed = replace(services.api_ports(), api_keys=tuple(ApiKey.parse(entry) for entry in KEYS))
    keyless = replace(services.api_ports(), api_keys=())
    with AppServer(create_app(keyed)) as keyed_url, AppServer(create_app(keyless)) as keyless_url:
        yield {True: keyed_url, False: keyless_url}
    services.close()


REFUSED_WHATEVER_THE_SHAPE = {
    # The small-group rule: a team with fewer than ASSISTANT_MIN_GROUP_SIZE askers in the period is refused (422),
    # which no schema can tell from the request.
    "GET /v1/gaps/report",
}


def _has_a_word(context, body) -> bool:
    """Questions as the core takes them: a letter or digit after cleaning (`Assistant.validate`). The schema says so
    only in words, since a JSON Schema `pattern` cannot say it the same way in every regex dialect; without this,
    "???" would be schema-valid input the API refuses."""
    if context.operation.label != "POST /v1/ask" or not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return True
    return any(character.isalnum() for character in clean_text(body["text"]))


def _checks(caller: str, operation) -> dict:
    checks = {key: list(value) for key, value in CHECKS_BY_CALLER[caller].items()}
    if operation.label in REFUSED_WHATEVER_THE_SHAPE:
        checks.setdefault("excluded_checks", []).append(positive_data_acceptance)
    return checks


def _fuzz(operation, mode: GenerationMode, headers: dict[str, str], checks: dict) -> None:
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        case.call_and_validate(headers=headers, **checks)

    run()


@pytest.mark.parametrize("caller", list(CALLERS))
def test_fuzzing_finds_no_server_error_and_no_response_off_schema(servers, caller: str) -> None:
    with_keys, headers = CALLERS[caller]
    base_url = servers[with_keys]
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json").include(path_regex="^/v1/")
    # Keys come only from `headers`; generated ones would hide whether the real one was checked.
    schema.config.generation.update(with_security_parameters=False)
    schema.hook("filter_body")(_has_a_word)
    operations = [result.ok() for result in schema.get_all_operations()]
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, headers, _checks(caller, operation))
            except AssertionError as failure:  # one failed check
                failures.append(f"--- {operation.label} ({mode.value} input):\n{failure}")
            except BaseExceptionGroup as group:  # several: schemathesis's message lists them, with a curl to replay
                if group.split(AssertionError)[1] is not None:
                    raise
                failures.append(f"--- {operation.label} ({mode.value} input):\n{group.message}")
    if failures:
        pytest.fail(f"{len(failures)} failing operations for {caller}:\n" + "\n".join(failures), pytrace=False)


def test_every_v1_route_is_fuzzed(servers) -> None:
    paths = httpx.get(f"{servers[True]}/openapi.json").json()["paths"]
    operations = {f"{method.upper()} {path}" for path, methods in paths.items() for method in methods
                  if path.startswith("/v1/")}
    schema = schemathesis.openapi.from_url(f"{servers[True]}/openapi.json").include(path_regex="^/v1/")
    assert {result.ok().label for result in schema.get_all_operations()} == operations
    assert len(operations) == 7
