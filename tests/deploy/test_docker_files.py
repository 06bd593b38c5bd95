"""The Docker files, checked statically (images cannot be pulled on these machines): the compose file parses and
names real services, paths and settings; images are pinned; start-up waits on health; containers run as non-root."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from assistant.settings import Settings
from tests.deploy.docker_files import (
    DOCKER_DIR,
    PROJECT_ROOT,
    copy_sources,
    dockerignore_patterns,
    ignored,
    instructions,
)

COMPOSE_FILE = DOCKER_DIR / "docker-compose.yml"
COMPOSE = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
SERVICES: dict[str, dict] = COMPOSE["services"]
REPLICAS = ("assistant-1", "assistant-2")
ONE_SHOTS = ("ingest", "train-nlu", "train-intents")
LONG_RUNNING = (*REPLICAS, "rasa", "chroma", "postgres", "proxy")
DOCKERFILES = sorted({service["build"]["dockerfile"] for service in SERVICES.values() if "build" in service})
NGINX_CONF = (DOCKER_DIR / "nginx.conf").read_text(encoding="utf-8")


def _relative_to_docker(path: str) -> Path:
    return (DOCKER_DIR / path).resolve()


def test_compose_starts_the_services_the_deployment_needs() -> None:
    assert set(SERVICES) == {*LONG_RUNNING, *ONE_SHOTS}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_dependency_is_a_service_and_waits_on_health_or_completion(name: str) -> None:
    for dependency, rule in SERVICES[name].get("depends_on", {}).items():
        assert dependency in SERVICES, dependency
        expected = "service_completed_successfully" if dependency in ONE_SHOTS else "service_healthy"
        assert rule == {"condition": expected}, (name, dependency)


def test_start_up_order() -> None:
    for replica in REPLICAS:
        assert set(SERVICES[replica]["depends_on"]) == {"ingest", "train-intents", "rasa", "postgres", "chroma"}
    assert set(SERVICES["ingest"]["depends_on"]) == {"postgres", "chroma"}
    assert set(SERVICES["train-intents"]["depends_on"]) == {"train-nlu"}
    assert set(SERVICES["rasa"]["depends_on"]) == {"train-nlu"}
    assert set(SERVICES["proxy"]["depends_on"]) == set(REPLICAS)


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_long_running_services_have_a_health_check_and_restart(name: str) -> None:
    service = SERVICES[name]
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD" and len(test) > 1
    assert service["restart"] == "unless-stopped"


@pytest.mark.parametrize("name", ONE_SHOTS)
def test_one_shot_services_are_not_restarted(name: str) -> None:
    assert SERVICES[name]["restart"] == "no" and "healthcheck" not in SERVICES[name]


def test_health_checks_use_what_each_image_has() -> None:
    # The assistant and Rasa images have Python (no curl); postgres has pg_isready; nginx (Alpine) has BusyBox wget;
    # Chroma 1.x has bash and neither curl, wget nor Python.
    programs = {name: SERVICES[name]["healthcheck"]["test"][1] for name in LONG_RUNNING}
    assert programs == {"assistant-1": "python", "assistant-2": "python", "rasa": "python", "chroma": "/bin/bash",
                        "postgres": "pg_isready", "proxy": "wget"}
    assert "/healthz" in " ".join(SERVICES["assistant-1"]["healthcheck"]["test"])
    assert "/api/v2/heartbeat" in " ".join(SERVICES["chroma"]["healthcheck"]["test"])


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_image_is_pinned_to_a_version(name: str) -> None:
    image = SERVICES[name]["image"]
    repository, _, tag = image.rpartition(":")
    assert repository and re.match(r"^\d+\.\d+(\.\d+)?", tag), image
    assert "latest" not in tag


def test_images_built_here_are_never_pulled() -> None:
    for service in SERVICES.values():
        if "build" in service:
            assert service["pull_policy"] == "build"


def test_chroma_server_matches_the_installed_client() -> None:
    import chromadb

    assert SERVICES["chroma"]["image"] == f"chromadb/chroma:{chromadb.__version__}"


def test_rasa_image_matches_the_rasa_pin() -> None:
    pin = (PROJECT_ROOT / "nlu_data" / "requirements-rasa.txt").read_text(encoding="utf-8").split("==")[1].strip()
    rasa_dockerfile = DOCKER_DIR / "rasa.Dockerfile"
    base = next(i.arguments for i in instructions(rasa_dockerfile) if i.keyword == "FROM")
    assert base == f"rasa/rasa:{pin}"
    assert SERVICES["rasa"]["image"].endswith(f":{pin}")


def test_build_contexts_and_dockerfiles_exist() -> None:
    for service in SERVICES.values():
        if "build" in service:
            context = _relative_to_docker(service["build"]["context"])
            assert context == PROJECT_ROOT
            assert (context / service["build"]["dockerfile"]).is_file()


def test_bind_mounts_and_env_files_exist_and_named_volumes_are_declared() -> None:
    declared = set(COMPOSE["volumes"])
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith((".", "/")):
                assert _relative_to_docker(source).is_file(), (name, source)
            else:
                assert source in declared, (name, source)
        for env_file in service.get("env_file", []):
            assert env_file["required"] is False  # ../.env is optional: the required values are checked by compose


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_assistant_setting_in_compose_is_a_real_setting(name: str) -> None:
    fields = set(Settings.model_fields)
    for variable in SERVICES[name].get("environment", {}):
        if variable.startswith("ASSISTANT_"):
            assert variable.removeprefix("ASSISTANT_").lower() in fields, variable


def test_replicas_share_one_configuration_and_require_keys_and_salt() -> None:
    first, second = (SERVICES[replica] for replica in REPLICAS)
    assert first == second
    environment = first["environment"]
    # `${VAR:?message}` makes `docker compose up` stop with the message when the variable is unset.
    assert re.fullmatch(r"\$\{ASSISTANT_API_KEYS:\?.+\}", environment["ASSISTANT_API_KEYS"])
    assert re.fullmatch(r"\$\{ASSISTANT_HASH_SALT:\?.+\}", environment["ASSISTANT_HASH_SALT"])
    assert environment["ASSISTANT_RASA_URL"] == "http://rasa:5005"
    assert environment["ASSISTANT_CHROMA_URL"] == "http://chroma:8000"
    assert re.fullmatch(r"postgresql\+psycopg://assistant:.+@postgres:5432/assistant",
                        environment["ASSISTANT_DATABASE_URL"])
    assert "ports" not in first  # reached only through the proxy
    assert "nlu-models:/models:ro" in first["volumes"]


def test_ingest_writes_where_the_replicas_read() -> None:
    ingest = SERVICES["ingest"]
    assert ingest["command"] == ["assistant", "ingest"]
    for key in ("ASSISTANT_DATABASE_URL", "ASSISTANT_CHROMA_URL", "ASSISTANT_DATA_DIR", "ASSISTANT_HASH_SALT"):
        assert ingest["environment"][key] == SERVICES["assistant-1"]["environment"][key]
    assert "assistant-data:/data" in ingest["volumes"] and "assistant-data:/data" in SERVICES["assistant-1"]["volumes"]


def test_training_fills_the_models_volume_rasa_and_the_replicas_read() -> None:
    assert SERVICES["train-nlu"]["command"] == ["train"] and SERVICES["rasa"]["command"] == ["serve"]
    assert SERVICES["train-intents"]["command"] == ["assistant", "train"]
    assert "nlu-models:/models" in SERVICES["train-nlu"]["volumes"]
    assert "nlu-models:/models" in SERVICES["train-intents"]["volumes"]
    assert "nlu-models:/models:ro" in SERVICES["rasa"]["volumes"]
    assert SERVICES["train-intents"]["environment"]["ASSISTANT_MODELS_DIR"] == "/models"


def test_the_proxy_balances_every_replica_and_passes_request_ids() -> None:
    upstream = re.search(r"upstream assistant \{(.*?)\}", NGINX_CONF, re.S).group(1)
    assert re.findall(r"server ([\w-]+):8000", upstream) == list(REPLICAS)
    assert "proxy_pass http://assistant;" in NGINX_CONF
    assert re.search(r"proxy_set_header X-Request-ID \$\w+;", NGINX_CONF)
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in NGINX_CONF
    listen = re.search(r"listen (\d+);", NGINX_CONF).group(1)
    assert SERVICES["proxy"]["ports"][0].endswith(f":{listen}")
    assert f"127.0.0.1:{listen}/healthz" in " ".join(SERVICES["proxy"]["healthcheck"]["test"])


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_everything_an_image_copies_exists_and_is_in_the_build_context(dockerfile: str) -> None:
    sources = copy_sources(PROJECT_ROOT / dockerfile)
    assert sources
    patterns = dockerignore_patterns(PROJECT_ROOT)
    for source in sources:
        assert (PROJECT_ROOT / source).exists(), source
        assert not ignored(source, patterns), source


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_images_run_as_a_non_root_user(dockerfile: str) -> None:
    users = [i.arguments for i in instructions(PROJECT_ROOT / dockerfile) if i.keyword == "USER"]
    assert users and users[-1] not in {"root", "0", "0:0"}


def test_the_assistant_image_serves_on_all_interfaces_only_with_api_keys() -> None:
    command = next(i.words() for i in instructions(DOCKER_DIR / "Dockerfile") if i.keyword == "CMD")
    assert command[:2] == ["assistant", "serve"] and "0.0.0.0" in command
    assert "ASSISTANT_API_KEYS" in SERVICES["assistant-1"]["environment"]


def test_dockerignore_keeps_environments_secrets_and_data_out_of_the_context() -> None:
    patterns = dockerignore_patterns(PROJECT_ROOT)
    for path in (".venv", ".venv-rasa", ".venv-audit/bin/python", ".env", ".git", "data/assistant.db",
                 "models/nlu-0.tar.gz", "test-artifacts/x.png", "connectors/__pycache__/x.pyc"):
        assert ignored(path, patterns), path
    for path in ("assistant/settings.py", "nlu_data/nlu.yml", "knowledge", ".env.example", "pyproject.toml"):
        assert not ignored(path, patterns), path


def test_docker_compose_accepts_the_file() -> None:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker client on this machine")
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"`docker compose` is not available here: {probe.stderr.strip() or probe.stdout.strip()}")
    completed = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE_FILE), "config", "--quiet"], capture_output=True, text=True,
        check=False, env={"PATH": "/usr/bin:/bin:/usr/local/bin", "ASSISTANT_API_KEYS": "k:admin",
                          "ASSISTANT_HASH_SALT": "salt"}, timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
