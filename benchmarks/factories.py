"""Assistants for benchmarks that take a `--factory module:function`: the real one over knowledge/."""

from __future__ import annotations

import tempfile
from pathlib import Path

from assistant.pipeline import Assistant
from assistant.settings import Settings
from connectors.app.services import build_services

ROOT = Path(__file__).resolve().parents[1]


def company_assistant() -> Assistant:
    """The real Assistant over the demo knowledge, indexed into a temporary data directory."""
    data_dir = Path(tempfile.mkdtemp(prefix="assistant-bench-"))
    settings = Settings(_env_file=None, knowledge_dir=ROOT / "knowledge", data_dir=data_dir, hash_salt="bench")
    services = build_services(settings)
    services.ingestor().ingest(settings.knowledge_dir)
    services.embedder.warm_up()
    return services.assistant
