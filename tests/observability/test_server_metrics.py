"""The server `assistant serve` builds (without Rasa) counts every channel's answers through the measured port and
reports the last ingest, which the ingest that made its index left in the data directory."""

from __future__ import annotations

import shutil
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from benchmarks.standins.app_server import AppServer
from connectors.app.server import build_server_app
from tests.conftest import make_settings


def test_the_served_app_measures_answers_and_reports_the_last_ingest(company_services, tmp_path) -> None:
    # A copy of the indexed demo data, so the server's background jobs touch no other test's store.
    data_dir = tmp_path / "data"
    shutil.copytree(company_services.settings.data_dir, data_dir)
    app = build_server_app(make_settings(data_dir), host="127.0.0.1", use_nlu=False)
    with AppServer(app) as base_url, httpx.Client(base_url=base_url, timeout=60) as client:
        answered = client.post("/v1/ask", json={"text": "How many days does a customer have to return an item?"})
        scraped = client.get("/metrics")
    assert answered.status_code == 200 and len(answered.headers["x-request-id"]) == 32
    assert scraped.status_code == 200
    samples = {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
               for family in text_string_to_metric_families(scraped.text) for sample in family.samples}
    answers = {labels: value for (name, labels), value in samples.items() if name == "assistant_answers_total"}
    assert answers == {(("channel", "api"), ("degraded", "true"), ("route", "knowledge")): 1.0}
    assert samples[("assistant_part_up", (("part", "index"),))] == 1
    assert samples[("assistant_ingest_last_duration_seconds", ())] > 0


def test_the_served_app_builds_the_cross_lingual_index_at_start_up_without_a_question(company_services,
                                                                                      tmp_path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(company_services.settings.data_dir, data_dir)
    app = build_server_app(make_settings(data_dir, health_max_age_seconds=0), host="127.0.0.1", use_nlu=False)
    with AppServer(app) as base_url, httpx.Client(base_url=base_url, timeout=60) as client:
        deadline = time.monotonic() + 180
        part = client.get("/healthz").json()["crosslingual"]
        while not part["ok"] and time.monotonic() < deadline:
            time.sleep(0.5)
            part = client.get("/healthz").json()["crosslingual"]
    assert part["ok"] and part["units"] > 0, part
