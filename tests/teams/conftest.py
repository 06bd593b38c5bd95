"""Fixtures for the Teams connector tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .connector_service import ConnectorServiceStandIn
from .fakes import RecordingAssistant


@pytest.fixture
def recording_assistant(assistant_service) -> RecordingAssistant:
    return RecordingAssistant(assistant_service)


@pytest.fixture
def connector_service() -> Iterator[ConnectorServiceStandIn]:
    with ConnectorServiceStandIn() as service:
        yield service
