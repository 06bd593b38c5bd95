"""`scripts/rasa_model.py`, as the Rasa image runs it: with only the files docker/rasa.Dockerfile copies, under Rasa's
Python 3.10, training and serving the model named by the assistant's rule (a small fake stands in for `rasa`)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from assistant.nlu.rasa_training import MODEL_SUFFIX, hash_nlu_data, model_file
from tests.deploy.docker_files import DOCKER_DIR, PROJECT_ROOT, instructions

pytestmark = pytest.mark.rasa

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"

# Stands in for the `rasa` executable: `train nlu ... --out DIR --fixed-model-name NAME` writes DIR/NAME.tar.gz
# (or fails when FAKE_RASA_FAIL is set); any other command prints its arguments.
FAKE_RASA = """#!/bin/sh
if [ "$1" = train ]; then
  [ -n "$FAKE_RASA_FAIL" ] && { echo "fake rasa: training broke"; exit 3; }
  while [ $# -gt 0 ]; do
    case "$1" in --out) out="$2"; shift ;; --fixed-model-name) name="$2"; shift ;; esac
    shift
  done
  mkdir -p "$out" && echo model > "$out/$name.tar.gz"
  echo trained >> "$(dirname "$0")/calls"
  exit 0
fi
echo "fake rasa: $*"
"""


@pytest.fixture
def image(tmp_path: Path) -> Path:
    """The Rasa image's /opt/assistant, laid out from the Dockerfile's COPY instructions."""
    root = tmp_path / "opt-assistant"
    for instruction in instructions(DOCKER_DIR / "rasa.Dockerfile"):
        if instruction.keyword != "COPY":
            continue
        *sources, target = instruction.words()
        destination = root / target.removeprefix("./")
        for source in sources:
            path = PROJECT_ROOT / source
            if path.is_dir():
                shutil.copytree(path, destination, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                destination.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination / path.name)
    return root


@pytest.fixture
def fake_rasa(tmp_path: Path) -> Path:
    path = tmp_path / "fake-bin" / "rasa"
    path.parent.mkdir()
    path.write_text(FAKE_RASA, encoding="utf-8")
    path.chmod(0o755)
    return path


def _run(image: Path, fake_rasa: Path, models: Path, action: str, **env: str) -> subprocess.CompletedProcess:
    if not RASA_PYTHON.is_file():
        pytest.fail(f"Rasa's environment is missing ({RASA_PYTHON}): run `make rasa-env`", pytrace=False)
    # -E -s: no PYTHONPATH and no user site, so only the copied files can be imported (from the script's folder).
    command = [str(RASA_PYTHON), "-E", "-s", str(image / "rasa_model.py"), "--nlu-data", str(image / "nlu_data"),
               "--models", str(models), "--rasa", str(fake_rasa), action]
    return subprocess.run(command, cwd=image, capture_output=True, text=True, timeout=60, check=False,
                          env={"PATH": os.environ["PATH"], **env})


def test_the_image_copies_the_project_nlu_data(image: Path) -> None:
    assert hash_nlu_data(image / "nlu_data") == hash_nlu_data(PROJECT_ROOT / "nlu_data")


def test_train_writes_the_model_the_assistant_expects_then_serve_runs_it(image, fake_rasa, tmp_path) -> None:
    models = tmp_path / "models"
    expected = model_file(models, hash_nlu_data(PROJECT_ROOT / "nlu_data"), MODEL_SUFFIX)

    trained = _run(image, fake_rasa, models, "train")
    assert trained.returncode == 0, trained.stderr
    assert expected.is_file() and "trained in" in trained.stdout

    again = _run(image, fake_rasa, models, "train")
    assert again.returncode == 0 and "up to date" in again.stdout
    assert (fake_rasa.parent / "calls").read_text().count("trained") == 1

    (models / "nlu-000000000000.tar.gz").write_text("an older model, left behind")
    served = _run(image, fake_rasa, models, "serve")
    assert served.returncode == 0, served.stderr
    assert f"fake rasa: run --enable-api --port 5005 --model {expected}" in served.stdout


def test_serve_without_a_model_fails_saying_to_train(image, fake_rasa, tmp_path) -> None:
    served = _run(image, fake_rasa, tmp_path / "empty", "serve")
    assert served.returncode == 1 and "run `train` first" in served.stderr


def test_failed_training_exits_1_with_rasas_words(image, fake_rasa, tmp_path) -> None:
    trained = _run(image, fake_rasa, tmp_path / "models", "train", FAKE_RASA_FAIL="1")
    assert trained.returncode == 1
    assert "Rasa NLU training failed" in trained.stderr and "training broke" in trained.stderr


def test_a_missing_rasa_exits_2(image, tmp_path) -> None:
    trained = _run(image, tmp_path / "no-rasa", tmp_path / "models", "train")
    assert trained.returncode == 2 and "not installed" in trained.stderr

