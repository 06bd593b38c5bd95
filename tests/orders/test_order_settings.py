"""The order settings: read from the environment, secrets kept secret, the source they choose."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.errors import ConfigurationError
from assistant.settings import Settings
from connectors.app.services import build_order_source


def test_order_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSISTANT_ORDERS_URL", "http://orders.internal:8080")
    monkeypatch.setenv("ASSISTANT_ORDERS_AUTH_HEADER", "X-Api-Key: very-secret")
    monkeypatch.setenv("ASSISTANT_ORDERS_TRACKING_URLS", "DPD=https://t.example/{tracking}, GLS=https://g.example/?p={tracking}")
    monkeypatch.setenv("ASSISTANT_ORDERS_BUDGET_SECONDS", "1.5")
    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert settings.orders_tracking_urls == {"DPD": "https://t.example/{tracking}", "GLS": "https://g.example/?p={tracking}"}
    assert settings.orders_budget_seconds == 1.5
    assert "very-secret" not in repr(settings) and "very-secret" not in str(settings.model_dump())
    source = build_order_source(settings)
    assert source is not None and source.health().details["source"] == "rest"
    source.close()


def test_a_tracking_url_without_its_placeholder_is_refused(monkeypatch):
    monkeypatch.setenv("ASSISTANT_ORDERS_TRACKING_URLS", "DPD=https://t.example/")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


def test_no_url_no_source_and_an_unknown_scheme_is_a_configuration_error(tmp_path):
    assert build_order_source(Settings(_env_file=None, data_dir=tmp_path)) is None
    with pytest.raises(ConfigurationError, match="ASSISTANT_ORDERS_URL"):
        build_order_source(Settings(_env_file=None, data_dir=tmp_path, orders_url="ftp://orders"))


def test_a_sqlite_url_chooses_the_sql_source(tmp_path, demo_db):
    source = build_order_source(Settings(_env_file=None, data_dir=tmp_path, orders_url=f"sqlite:///{demo_db}"))
    assert source.lookup("ORD-4827193").order_number == "ORD-4827193"
    assert source.health().details["source"] == "sql"
    source.close()
