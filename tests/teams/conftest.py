"""Fixtures for the Teams connector tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .connector_service import ConnectorServiceStandIn
from .fakes import FakeAssistant, RecordingAssistant


# TEMPORARY: the lead's tests/conftest.py will provide a session-scoped `assistant_service` (a real
# Assistant over the demo knowledge); delete this fixture then.
@pytest.fixture(scope="session")
def assistant_service() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture
def recording_assistant(assistant_service) -> RecordingAssistant:
    return RecordingAssistant(assistant_service)


@pytest.fixture
def connector_service() -> Iterator[ConnectorServiceStandIn]:
    with ConnectorServiceStandIn() as service:
        yield service
