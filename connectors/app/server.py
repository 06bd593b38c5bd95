"""Builds the app `assistant serve` runs: services, NLU child process, API and channels."""

from __future__ import annotations

import contextlib
import logging

from fastapi import FastAPI

from assistant.settings import Settings
from connectors.app.channel_mounts import mount_channels
from connectors.app.services import build_services
from connectors.channels.http.app import create_app

logger = logging.getLogger(__name__)


def build_server_app(settings: Settings, host: str, use_nlu: bool = True) -> FastAPI:
    nlu = None
    if use_nlu:
        from connectors.app.nlu_runtime import NLURuntime

        nlu = NLURuntime(settings)
    services = build_services(settings, intent_parser=nlu.client if nlu else None)
    services.embedder.warm_up()
    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI):
        if nlu is not None:
            nlu.start()
        try:
            yield
        finally:
            if nlu is not None:
                nlu.stop()
            services.close()

    app = create_app(services, health_checks=[nlu.health] if nlu else [], lifespan=lifespan)
    mounted = mount_channels(app, services.assistant, settings, host)
    logger.info("channels: %s", ", ".join(["api", *mounted]))
    return app
