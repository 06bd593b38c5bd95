"""Settings: secrets never show in a repr or a log line, and calibrated files are read from the models directory."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from pydantic import SecretStr

from assistant.answering.answerability import AnswerabilityModel
from assistant.routing import RoutingPolicy
from assistant.settings import Settings, reveal
from connectors.app.channel_mounts import slack_config, teams_config
from connectors.app.services import load_answerability

SECRETS = {
    "api_keys": "key-one-4f2a,key-two-9c1b",
    "hash_salt": "salt-7d3e",
    "slack_bot_token": "xoxb-secret-token",
    "slack_signing_secret": "signing-secret-55",
    "slack_app_token": "xapp-secret-token",
    "microsoft_app_password": "ms-password-81",
}


def _settings_with_secrets(tmp_path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, models_dir=tmp_path / "models", **SECRETS)


def _values() -> list[str]:
    return [part for value in SECRETS.values() for part in value.split(",")]


def test_secrets_are_hidden_in_reprs_and_log_lines(tmp_path, caplog) -> None:
    settings = _settings_with_secrets(tmp_path)
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("settings: %s; %r; %s", settings, settings, settings.model_dump())
    shown = " ".join([repr(settings), str(settings), caplog.text,
                      repr(slack_config(settings)), repr(teams_config(settings, "127.0.0.1"))])
    for secret in _values():
        assert secret not in shown


def test_secrets_are_still_usable_where_they_are_handed_over(tmp_path) -> None:
    settings = _settings_with_secrets(tmp_path)
    assert [key.secret.get_secret_value() for key in settings.api_keys] == ["key-one-4f2a", "key-two-9c1b"]
    assert slack_config(settings).bot_token == "xoxb-secret-token"
    assert teams_config(settings, "127.0.0.1").app_password == "ms-password-81"
    assert reveal(None) is None and reveal(SecretStr("x")) == "x"


def test_empty_platform_secrets_count_as_unset(tmp_path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, slack_bot_token="", slack_signing_secret="")
    assert slack_config(settings) is None


def test_calibrations_written_to_the_models_directory_replace_the_packaged_ones(tmp_path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, models_dir=tmp_path / "models")
    packaged = AnswerabilityModel.load()
    assert load_answerability(settings) == packaged
    assert RoutingPolicy.load(settings.routing_policy_file) == RoutingPolicy.load()

    AnswerabilityModel(weights={"score": 1.0}, bias=0.0, threshold=0.42).save(settings.answerability_file)
    RoutingPolicy(min_intent_confidence=0.6, fallback_intent_confidence=0.2).save(settings.routing_policy_file)
    assert load_answerability(settings).threshold == 0.42
    assert RoutingPolicy.load(settings.routing_policy_file).min_intent_confidence == 0.6
    assert json.loads(settings.answerability_file.read_text(encoding="utf-8"))["threshold"] == 0.42
    assert AnswerabilityModel.load() == packaged, "the packaged default is never overwritten"

    overridden = Settings(_env_file=None, data_dir=tmp_path, models_dir=tmp_path / "models", answer_threshold=0.3)
    assert load_answerability(overridden).threshold == 0.3


def test_every_setting_is_listed_in_the_env_example() -> None:
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        env_name = alias.choices[0] if alias is not None else f"ASSISTANT_{name.upper()}"
        assert f"{env_name}=" in example, env_name


def test_a_variable_left_empty_means_its_default(monkeypatch):
    monkeypatch.setenv("ASSISTANT_ANSWER_THRESHOLD", "")
    monkeypatch.setenv("ASSISTANT_MAX_CONCURRENT_QUESTIONS", "")
    settings = Settings(_env_file=None)
    assert settings.answer_threshold is None and settings.max_concurrent_questions is None
