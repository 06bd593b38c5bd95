"""Browser fixtures: Debian's Chromium driven by Playwright, against the real app served by uvicorn on 127.0.0.1.

Chromium comes from `scripts/with-chromium` (run by `make test`). Without it the browser tests skip, saying why,
as the PostgreSQL tests do without a server; in CI (`CI` set) they fail instead, since there the script must have
installed it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.access import ApiKey
from benchmarks.standins.app_server import AppServer
from connectors.app.services import build_services
from connectors.channels.http.app import create_app
from connectors.channels.web import ConsoleConfig, install_console
from connectors.sources.orders.demo import write_demo_database
from tests.conftest import PROJECT_ROOT, make_settings
from tests.web.console_support import ENTRIES, SECRET, RecordingHandoff

ARTIFACTS_DIR = PROJECT_ROOT / "test-artifacts"
DEMO_TRACKING = {carrier: f"https://track.example/{carrier.lower().replace(' ', '-')}/{{tracking}}"
                 for carrier in ("DPD", "Royal Mail", "Evri")}
CHROMIUM_VARIABLE = "CONSOLE_TEST_CHROMIUM"
"""Where Chromium is, when not on PATH as `chromium` (scripts/with-chromium sets it)."""


def find_chromium() -> Path | None:
    named = os.environ.get(CHROMIUM_VARIABLE)
    for candidate in (named, shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    found = find_chromium()
    if found is None:
        message = (f"Chromium not found (set {CHROMIUM_VARIABLE}, or run `make test`, whose scripts/with-chromium "
                   "installs Debian's chromium package as root)")
        if os.environ.get("CI"):
            pytest.fail(f"browser tests: {message}", pytrace=False)
        pytest.skip(message)
    return found


@pytest.fixture(scope="package")
def browser(chromium_path: Path) -> Iterator[object]:
    # Package scope: Playwright's sync API keeps an event loop running in this thread while it is open, and any
    # test after the browser tests that calls asyncio.run() would fail if it stayed open for the whole session.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium_path), headless=True,
                                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def console_handoff() -> RecordingHandoff:
    return RecordingHandoff()


@pytest.fixture(scope="session")
def console_url(company_services, embedder, redactor, tmp_path_factory, console_handoff) -> Iterator[str]:
    """The real app (API and console) over the demo knowledge, with its own interaction store and the demo order
    database (tracking pages known for the UK carriers), on a free port."""
    folder = tmp_path_factory.mktemp("console")
    write_demo_database(folder / "orders.db")
    settings = make_settings(company_services.settings.data_dir, database_url=f"sqlite:///{folder / 'console.db'}",
                             orders_url=f"sqlite:///{folder / 'orders.db'}", orders_tracking_urls=DEMO_TRACKING)
    services = build_services(settings, embedder=embedder, redactor=redactor)
    ports = replace(services.api_ports(), api_keys=tuple(ApiKey.parse(entry) for entry in ENTRIES))
    app = create_app(ports)
    install_console(app, ports, ConsoleConfig(session_secret=SECRET, handoff=console_handoff))
    with AppServer(app) as base_url:
        yield base_url
    services.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR
