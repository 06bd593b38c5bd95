"""Keeps the developer's or CI's settings out of the tests: no ASSISTANT_*, SLACK_* or MICROSOFT_* variable
reaches a test. The one variable meant for the tests, where the PostgreSQL server is, is read before the rest
are cleared."""

from __future__ import annotations

import os

SETTING_PREFIXES = ("ASSISTANT_", "SLACK_", "MICROSOFT_")
POSTGRES_URL_VARIABLE = "ASSISTANT_TEST_POSTGRES_URL"
_captured: dict[str, str | None] = {}


def clear_settings_from_environment() -> None:
    """Remember the test PostgreSQL URL, then remove every settings variable from this process."""
    _captured.setdefault(POSTGRES_URL_VARIABLE, os.environ.get(POSTGRES_URL_VARIABLE))
    for name in list(os.environ):
        if name.startswith(SETTING_PREFIXES):
            del os.environ[name]


def settings_variables() -> list[str]:
    return sorted(name for name in os.environ if name.startswith(SETTING_PREFIXES))


def test_postgres_url() -> str | None:
    """The PostgreSQL server `scripts/with-postgres` started for this run, if any."""
    return _captured.get(POSTGRES_URL_VARIABLE)


test_postgres_url.__test__ = False  # a helper, not a test (pytest would collect the name otherwise)
