"""RasaTrainer: trains only when nlu_data/ changed, and says clearly why it could not."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml

from assistant.errors import NLUUnavailableError
from assistant.insights.dimensions import EX_DIMENSIONS_FILE
from assistant.nlu.errors import NLUDataError, RasaNotInstalledError, RasaTrainingError
from assistant.nlu.rasa_training import NOT_RASA_DATA, RasaTrainer, hash_nlu_data, nlu_data_files

from .conftest import NLU_DATA

EXTRA_EXAMPLES = """\
version: "3.1"
nlu:
- intent: out_of_scope
  examples: |
    - what's the tallest mountain in Wales
    - qual è il fiume più lungo d'Italia?
"""


def copy_nlu_data(tmp_path: Path) -> Path:
    target = tmp_path / "nlu_data"
    shutil.copytree(NLU_DATA, target)
    return target


def test_hash_follows_content_names_and_files_but_not_hidden_ones(tmp_path: Path) -> None:
    data = copy_nlu_data(tmp_path)
    original = hash_nlu_data(data)
    assert hash_nlu_data(data) == original
    assert hash_nlu_data(NLU_DATA) == original

    (data / ".nlu.yml.swp").write_text("editor scratch")
    assert hash_nlu_data(data) == original

    domain = data / "domain.yml"
    text = domain.read_text()
    domain.write_text(text + "\n")
    assert hash_nlu_data(data) != original
    domain.write_text(text)
    assert hash_nlu_data(data) == original

    (data / "extra.yml").write_text(EXTRA_EXAMPLES)
    with_extra = hash_nlu_data(data)
    assert with_extra != original
    (data / "extra.yml").rename(data / "more.yml")
    assert hash_nlu_data(data) not in (original, with_extra)


def test_unchanged_data_is_not_retrained(rasa_executable: Path, rasa_model: Path) -> None:
    trainer = RasaTrainer(rasa_executable, NLU_DATA, rasa_model.parent)
    modified = rasa_model.stat().st_mtime_ns
    started = time.monotonic()

    result = trainer.train()

    assert time.monotonic() - started < 2.0
    assert not result.trained
    assert result.model_path == rasa_model
    assert trainer.ensure_model() == rasa_model
    assert rasa_model.stat().st_mtime_ns == modified


@pytest.mark.slow  # trains Rasa again
def test_changed_data_is_retrained_into_a_new_model(
    rasa_executable: Path, rasa_model: Path, tmp_path: Path
) -> None:
    data = copy_nlu_data(tmp_path)
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy2(rasa_model, models / rasa_model.name)
    trainer = RasaTrainer(rasa_executable, data, models)
    assert not trainer.train().trained, "a copy of the same data must reuse the same model"

    (data / "extra.yml").write_text(EXTRA_EXAMPLES)
    assert trainer.current_model() is None
    result = trainer.train()

    assert result.trained
    assert result.model_path != models / rasa_model.name
    assert result.model_path.name == f"nlu-{hash_nlu_data(data)[:12]}.tar.gz"
    assert result.model_path.is_file() and result.model_path.stat().st_size > 100_000
    assert (models / rasa_model.name).is_file(), "older models are kept"
    assert trainer.current_model() == result.model_path
    assert not trainer.train().trained
    assert not list(models.glob(".training-*")), "the temporary training folder is removed"


def test_failed_training_raises_with_the_end_of_rasas_output(rasa_executable: Path, tmp_path: Path) -> None:
    data = copy_nlu_data(tmp_path)
    config = data / "config.yml"
    config.write_text(config.read_text().replace("name: WhitespaceTokenizer", "name: NoSuchTokenizer"))
    models = tmp_path / "models"

    with pytest.raises(RasaTrainingError) as raised:
        RasaTrainer(rasa_executable, data, models).train()

    assert isinstance(raised.value, NLUUnavailableError)
    assert "exit code" in raised.value.reason
    assert "NoSuchTokenizer" in raised.value.output_tail
    assert "NoSuchTokenizer" in str(raised.value)
    assert "DeprecationWarning" not in raised.value.output_tail
    assert not list(models.glob("nlu-*")) and not list(models.glob(".training-*"))


def test_missing_executable_says_to_run_make_rasa_env(tmp_path: Path) -> None:
    trainer = RasaTrainer(tmp_path / "no-venv" / "bin" / "rasa", NLU_DATA, tmp_path / "models")

    with pytest.raises(RasaNotInstalledError, match="make rasa-env"):
        trainer.train()


def test_missing_data_directory_or_config_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(NLUDataError, match="does not exist"):
        RasaTrainer(tmp_path / "rasa", tmp_path / "missing", tmp_path / "models").train()

    (tmp_path / "empty").mkdir()
    with pytest.raises(NLUDataError, match=r"config\.yml"):
        RasaTrainer(tmp_path / "rasa", tmp_path / "empty", tmp_path / "models").train()


def test_the_ex_dimension_questions_are_not_rasa_data_and_do_not_change_the_model_hash(tmp_path: Path) -> None:
    assert EX_DIMENSIONS_FILE in NOT_RASA_DATA
    assert "nlu" not in yaml.safe_load((NLU_DATA / EX_DIMENSIONS_FILE).read_text(encoding="utf-8"))
    data = copy_nlu_data(tmp_path)
    questions = data / EX_DIMENSIONS_FILE
    assert questions not in nlu_data_files(data)
    before = hash_nlu_data(data)

    questions.write_text(questions.read_text(encoding="utf-8") + "  - {text: one more, language: en, "
                         "dimension: enablement, customer_interaction: false}\n", encoding="utf-8")
    assert hash_nlu_data(data) == before
    questions.unlink()
    assert hash_nlu_data(data) == before

    # An ordinary file under the same name one folder down is still data.
    (data / "more").mkdir()
    (data / "more" / EX_DIMENSIONS_FILE).write_text(EXTRA_EXAMPLES, encoding="utf-8")
    assert hash_nlu_data(data) != before
