"""The Docker files, checked statically (no Docker engine runs here): what they copy exists, and keys are required."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (PROJECT_ROOT / "docker" / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker" / "docker-compose.yml").read_text(encoding="utf-8"))


def test_everything_the_image_copies_exists() -> None:
    sources = [part for line in DOCKERFILE.splitlines() if line.startswith("COPY ")
               for part in line.split()[1:-1]]
    assert sources
    for source in sources:
        assert (PROJECT_ROOT / source).exists(), source


def test_the_image_serves_on_all_interfaces_only_with_api_keys() -> None:
    assert "--host 0.0.0.0" in DOCKERFILE
    environment = COMPOSE["services"]["assistant"]["environment"]
    # `${VAR:?message}` makes `docker compose up` stop with the message when the variable is unset.
    assert re.fullmatch(r"\$\{ASSISTANT_API_KEYS:\?.+\}", environment["ASSISTANT_API_KEYS"])


def test_compose_points_the_assistant_at_its_services() -> None:
    services = COMPOSE["services"]
    environment = services["assistant"]["environment"]
    assert environment["ASSISTANT_RASA_URL"].startswith("http://rasa:")
    assert environment["ASSISTANT_CHROMA_URL"].startswith("http://chroma:")
    assert environment["ASSISTANT_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert {"rasa", "chroma", "postgres"} <= set(services)
