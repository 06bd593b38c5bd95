"""The suite's promise: no ASSISTANT_*, SLACK_* or MICROSOFT_* variable of the caller, and no `.env` file in the
working directory, reaches a test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from assistant.settings import Settings
from tests.conftest import make_settings
from tests.support.environment import SETTING_PREFIXES

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LEAKS = {"ASSISTANT_TOP_K": "99", "ASSISTANT_API_KEYS": "leak:admin", "SLACK_BOT_TOKEN": "xoxb-leak",
         "MICROSOFT_APP_ID": "leak-app", "ASSISTANT_TEST_POSTGRES_URL": "postgresql://127.0.0.1:1/kept"}
DOTENV = ("ASSISTANT_TOP_K=77\nASSISTANT_API_KEYS=dotenv:admin\n"
          "SLACK_BOT_TOKEN=xoxb-dotenv\nMICROSOFT_APP_ID=dotenv-app\n")


def test_settings_see_only_their_defaults(tmp_path) -> None:
    assert not [name for name in os.environ if name.startswith(SETTING_PREFIXES)]
    if os.environ.get("LEAK_CHECK") == "1":
        assert Path(".env").read_text(encoding="utf-8") == DOTENV  # the run below works beside a `.env` file
    settings = make_settings(tmp_path)
    assert settings.top_k == 5 and settings.api_keys == [] and settings.slack_bot_token is None
    assert Settings(_env_file=None).microsoft_app_id is None
    as_the_cli_reads_them = Settings()  # the `.env` default left in place, as `assistant` commands do
    assert as_the_cli_reads_them.top_k == 5 and as_the_cli_reads_them.api_keys == []
    assert as_the_cli_reads_them.slack_bot_token is None and as_the_cli_reads_them.microsoft_app_id is None


def test_variables_set_around_the_suite_do_not_leak_in(tmp_path) -> None:
    """Runs the test above in a new pytest process whose environment is full of settings, in a directory with a
    `.env` file (the project's own pytest configuration and conftest, as in any run)."""
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    (workdir / ".env").write_text(DOTENV, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(PROJECT_ROOT),
         "-c", str(PROJECT_ROOT / "pyproject.toml"), "--basetemp", str(tmp_path / "inner"),
         f"{Path(__file__)}::test_settings_see_only_their_defaults",
         f"{Path(__file__)}::test_the_postgres_url_is_kept_for_the_tests"],
        cwd=workdir, env={**os.environ, **LEAKS, "LEAK_CHECK": "1"},
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_the_postgres_url_is_kept_for_the_tests() -> None:
    from tests.support.environment import test_postgres_url

    if os.environ.get("LEAK_CHECK") == "1":
        assert test_postgres_url() == LEAKS["ASSISTANT_TEST_POSTGRES_URL"]
    assert "ASSISTANT_TEST_POSTGRES_URL" not in os.environ
