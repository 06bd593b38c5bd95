"""Builds the app `assistant serve` runs: services, NLU child process, API and channels."""

from __future__ import annotations

import contextlib
import dataclasses
import logging

from fastapi import FastAPI

from assistant.errors import ConfigurationError
from assistant.settings import Settings, reveal
from connectors.app.channel_mounts import mount_channels
from connectors.app.console_setup import console_config
from connectors.app.periodic import PeriodicJob
from connectors.app.retention import RetentionSchedule
from connectors.app.services import build_services, hash_salt
from connectors.channels.addresses import is_loopback_host
from connectors.channels.http.app import create_app
from connectors.channels.web import install_console
from connectors.observability.collectors import IngestCollector
from connectors.observability.ingest_record import IngestRecordFile
from connectors.observability.measured_ports import MeasuredAnswering
from connectors.observability.metrics import AssistantMetrics

logger = logging.getLogger(__name__)

NOTICE_PERIOD_SECONDS = 60.0
QUESTION_VECTOR_PERIOD_SECONDS = 60.0
VOTE_PRIOR_PERIOD_SECONDS = 30.0
# Expired shared state (Slack events taken, slots, answers behind buttons) is also purged every few hundred writes.
SHARED_STATE_PURGE_SECONDS = 300.0
"""How soon a vote, from any channel or replica, starts to re-order pages."""


def require_keys_off_loopback(settings: Settings, host: str) -> None:
    """Refuse to serve the API to other machines without API keys (the rule the Teams channel follows too)."""
    if not settings.api_keys and not is_loopback_host(host):
        raise ConfigurationError(
            f"ASSISTANT_API_KEYS is empty, so the API would answer anyone who can reach {host!r}. "
            "Set ASSISTANT_API_KEYS (comma-separated keys), or bind to 127.0.0.1 (--host 127.0.0.1)."
        )


def build_server_app(settings: Settings, host: str, use_nlu: bool = True) -> FastAPI:
    """The whole server: API, channels and the supervised NLU child process, from settings."""
    require_keys_off_loopback(settings, host)
    nlu = None
    if use_nlu:
        from connectors.app.nlu_runtime import NLURuntime

        nlu = NLURuntime(settings)
    metrics = AssistantMetrics()
    services = build_services(settings, intent_parser=nlu.client if nlu else None, metrics=metrics)
    metrics.watch(IngestCollector(IngestRecordFile(settings.data_dir).read))
    services.warm_up()
    retention = RetentionSchedule(services.interactions, settings.retention_days) if settings.retention_days else None
    # Gaps resolved by a person (API, console) or by another process's recheck: tell who asked to be told.
    notices = PeriodicJob("notices", services.deliver_notices, NOTICE_PERIOD_SECONDS)
    question_vectors = PeriodicJob("question vectors", services.question_vector_warmer().run,
                                   QUESTION_VECTOR_PERIOD_SECONDS)
    votes = [PeriodicJob("vote prior", services.refresh_votes, VOTE_PRIOR_PERIOD_SECONDS)
             ] if services.vote_prior is not None else []
    purges = [PeriodicJob("shared state purge", services.shared_state.purge, SHARED_STATE_PURGE_SECONDS)
              ] if services.shared_state is not None else []

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI):
        services.recorder.start()  # first replays what an earlier process left in the spool
        services.warm_crosslingual_in_background()
        if nlu is not None:
            nlu.start()
        if retention is not None:
            retention.start()
        notices.start()
        question_vectors.start()
        for job in [*votes, *purges]:
            job.start()
        try:
            yield
        finally:
            for job in [*votes, *purges]:
                job.stop()
            question_vectors.stop()
            notices.stop()
            if retention is not None:
                retention.stop()
            if nlu is not None:
                nlu.stop()
            services.close()

    # Every channel answers through the measured port: answers, gaps and errors are counted whichever one asked.
    answering = MeasuredAnswering(services.assistant, metrics)
    ports = dataclasses.replace(services.api_ports(extra_health=[nlu.health] if nlu else []), answering=answering)
    app = create_app(ports, lifespan=lifespan, metrics=metrics, metrics_key=reveal(settings.metrics_key))
    install_console(app, ports, console_config(settings, hash_salt(settings), services.shared_state))
    mounted = mount_channels(app, answering, settings, host, state=services.shared_state,
                             questions=services.interactions)
    logger.info("channels: %s", ", ".join(["api", "web console", *mounted]))
    return app
