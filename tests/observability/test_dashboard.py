"""The Grafana dashboard in docker/grafana/ is a dashboard, and every metric its queries use is one the app exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

from connectors.observability.collectors import HealthCollector, IngestCollector
from connectors.observability.ingest_record import IngestRecord
from connectors.observability.metrics import AssistantMetrics
from tests.observability.canned import index_up, orders_open

DASHBOARD = Path(__file__).resolve().parents[2] / "docker" / "grafana" / "assistant-dashboard.json"
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",), "info": ("_info",)}


def _exported_names() -> set[str]:
    """Every sample name the app can export, whether or not a labelled series has a value yet."""
    metrics = AssistantMetrics()
    metrics.watch(HealthCollector((index_up, orders_open)))
    metrics.watch(IngestCollector(lambda: IngestRecord(1.8e9, 12.5, 30, 400, 20, True, 0)))
    return {family.name + suffix for family in metrics.registry.collect() for suffix in SUFFIXES[family.type]}


def _queries(panels: list[dict]) -> list[str]:
    queries = []
    for panel in panels:
        queries += [target["expr"] for target in panel.get("targets", [])]
        queries += _queries(panel.get("panels", []))
    return queries


def test_the_dashboard_is_a_grafana_dashboard() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["title"] and dashboard["uid"] and dashboard["schemaVersion"] >= 30
    panels = [panel for panel in dashboard["panels"] if panel["type"] != "row"]
    assert len(panels) >= 12
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])
    for panel in panels:
        assert panel["title"] and panel["targets"] and {"x", "y", "w", "h"} <= set(panel["gridPos"])
        assert panel["datasource"]["uid"] == "${datasource}"


def test_every_metric_the_dashboard_queries_is_exported() -> None:
    queries = _queries(json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"])
    used = {name for query in queries for name in re.findall(r"\bassistant_[a-z_]+", query)}
    exported = _exported_names()
    assert used and used <= exported, used - exported
    # Every family the app exports appears on the dashboard.
    families = {re.sub(r"_(total|bucket|sum|count|info)$", "", name) for name in exported}
    shown = {re.sub(r"_(total|bucket|sum|count|info)$", "", name) for name in used}
    assert families == shown, families - shown
