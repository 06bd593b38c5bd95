"""State read when Prometheus scrapes: each part's health, the active index generation, the last ingest."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.registry import Collector

from assistant.circuit_breaker import CircuitState
from assistant.health import HealthCheck, PartHealth
from connectors.observability.ingest_record import IngestRecord
from connectors.observability.metrics import PREFIX


class HealthCollector(Collector):
    """Asks every health check at scrape time, as `/healthz` does, so a part's recovery shows without traffic.

    `assistant_part_up{part}` is 1 or 0 for every part (index, interaction_store, nlu, orders, crosslingual); the
    index adds its generation and size, the order system its circuit state.
    """

    def __init__(self, checks: Sequence[HealthCheck]) -> None:
        self._checks = tuple(checks)

    def describe(self) -> Iterable[Metric]:
        # Names only: registering must not call the checks (the NLU check asks Rasa).
        return self._families()

    def collect(self) -> Iterable[Metric]:
        return self._families([check() for check in self._checks])

    @staticmethod
    def _families(parts: Sequence[PartHealth] = ()) -> list[Metric]:
        up = GaugeMetricFamily(f"{PREFIX}part_up", "1 when the part works, 0 when it is down or degraded.",
                               labels=["part"])
        generation = InfoMetricFamily(f"{PREFIX}index_generation", "The active index generation.",
                                      labels=["generation"])
        chunks = GaugeMetricFamily(f"{PREFIX}index_chunks", "Chunks (sections, windows, questions) in the active "
                                   "index generation.")
        passages = GaugeMetricFamily(f"{PREFIX}index_passages", "Sections in the active index generation.")
        pages = GaugeMetricFamily(f"{PREFIX}index_pages", "Knowledge pages in the active index generation.")
        circuit = GaugeMetricFamily(f"{PREFIX}order_system_circuit", "1 for the order system's circuit breaker "
                                    "state, 0 for the others.", labels=["state"])
        for part in parts:
            up.add_metric([part.name], 1.0 if part.ok else 0.0)
            details = part.details
            if part.name == "index" and part.ok:
                generation.add_metric([], {"generation": str(details.get("generation", ""))})
                for family, key in ((chunks, "chunks"), (passages, "passages"), (pages, "pages")):
                    if isinstance(details.get(key), int):
                        family.add_metric([], float(details[key]))
            if part.name == "orders" and "circuit" in details:
                for state in CircuitState:
                    circuit.add_metric([state.value], 1.0 if details["circuit"] == state.value else 0.0)
        return [up, generation, chunks, passages, pages, circuit]


class IngestCollector(Collector):
    """The last ingest's duration, end time and counts, from the record every ingest leaves (none before the
    first ingest)."""

    def __init__(self, read: Callable[[], IngestRecord | None]) -> None:
        self._read = read

    def describe(self) -> Iterable[Metric]:
        return self._families(None)

    def collect(self) -> Iterable[Metric]:
        return self._families(self._read())

    @staticmethod
    def _families(record: IngestRecord | None) -> list[Metric]:
        seconds = GaugeMetricFamily(f"{PREFIX}ingest_last_duration_seconds", "How long the last ingest took.")
        finished = GaugeMetricFamily(f"{PREFIX}ingest_last_finished_timestamp_seconds",
                                     "When the last ingest finished (Unix time).")
        embedded = GaugeMetricFamily(f"{PREFIX}ingest_last_embedded_chunks", "Chunks the last ingest embedded "
                                     "(new or changed; the others were reused).")
        problems = GaugeMetricFamily(f"{PREFIX}ingest_last_problems", "Pages the last ingest skipped.")
        if record is not None:
            seconds.add_metric([], record.seconds)
            finished.add_metric([], record.finished_at)
            embedded.add_metric([], float(record.embedded))
            problems.add_metric([], float(record.problems))
        return [seconds, finished, embedded, problems]
