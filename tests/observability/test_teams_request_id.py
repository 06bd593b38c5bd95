"""A Teams activity is served as the request its activity id names: the id comes back in `X-Request-ID` and the
answering code, in its worker thread, logs under it."""

from __future__ import annotations

import io
import logging

import httpx
from fastapi import FastAPI

from benchmarks.standins.app_server import AppServer
from connectors.channels.teams import TeamsConfig, create_teams_router
from connectors.observability.http_middleware import ObservingMiddleware
from connectors.observability.log_format import log_handler
from connectors.observability.metrics import AssistantMetrics
from tests.observability.canned import CannedAnswers
from tests.teams import activities as teams
from tests.teams.connector_service import ConnectorServiceStandIn


def test_the_activity_id_is_the_request_id() -> None:
    app = FastAPI()
    app.add_middleware(ObservingMiddleware, metrics=AssistantMetrics())
    app.include_router(create_teams_router(CannedAnswers(), TeamsConfig(host="127.0.0.1")))
    stream = io.StringIO()
    handler = log_handler("text", stream)
    canned_log = logging.getLogger("tests.observability.canned")
    canned_log.addHandler(handler)
    canned_log.setLevel(logging.INFO)
    try:
        with ConnectorServiceStandIn() as connector, AppServer(app, lifespan="off") as base_url:
            activity = teams.personal_message(connector.url, text="hello")
            response = httpx.post(f"{base_url}/api/messages", json=activity, timeout=30,
                                  headers={"X-Request-ID": "from-the-caller"})
            assert response.status_code == 200 and connector.activities()
    finally:
        canned_log.removeHandler(handler)
        canned_log.setLevel(logging.NOTSET)
    assert response.headers["x-request-id"] == activity["id"] != "from-the-caller"
    assert f"[{activity['id']}]: canned answer for a question on teams" in stream.getvalue()
