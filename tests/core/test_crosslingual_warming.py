"""A server never makes a question wait for the cross-lingual index: while it is built in the background, questions
are answered from their own language's pages and marked degraded (the skill's `degraded_reason`: no NLU runs here,
so the pipeline's answers say degraded anyway), and `/healthz` says why; once it is built, the same question is
answered across languages. The build is the real one (real e5, its cache), held at a gate the test opens."""

from __future__ import annotations

import threading

import httpx
import pytest

from assistant.errors import CrosslingualIndexWarmingError
from assistant.retrieval.crosslingual import CrosslingualSearcher
from assistant.retrieval.embedding_cache import CachedEmbedder
from assistant.retrieval.multilingual_embedder import MultilingualEmbedder
from benchmarks.standins.app_server import AppServer
from connectors.app.services import build_services
from connectors.channels.http.app import create_app
from tests.conftest import MULTILINGUAL_CACHE_DIR, make_settings

ITALIAN_QUESTION = "sono malato da 5 giorni, serve il certificato medico?"
"""Answered only by an English page (`en/staff/sickness-absence.md`)."""
BUILD_THREAD = "cross-lingual index"


class GatedEmbedder(CachedEmbedder):
    """The real cached e5, whose embedding on the background build's thread waits until the test opens `gate`."""

    def __init__(self) -> None:
        super().__init__(MultilingualEmbedder(), MULTILINGUAL_CACHE_DIR)
        self.gate = threading.Event()
        self.build_started = threading.Event()

    def encode(self, texts: list[str], *, show_progress: bool = False):
        if threading.current_thread().name == BUILD_THREAD:
            self.build_started.set()
            if not self.gate.wait(120):
                raise TimeoutError("the test never opened the gate")
        return super().encode(texts, show_progress=show_progress)


def failing_once() -> tuple[GatedEmbedder, list[int]]:
    """The real cached e5, gate open, whose first `encode` (the first build) fails as a full disk would; and the
    sizes of every `encode` call, in order."""
    failing = GatedEmbedder()
    failing.gate.set()
    calls: list[int] = []

    def fail_once(texts, *, show_progress=False):
        calls.append(len(texts))
        if len(calls) == 1:
            raise OSError("disk full")
        return CachedEmbedder.encode(failing, texts, show_progress=show_progress)

    failing.encode = fail_once
    return failing, calls


@pytest.fixture
def warming(company_services, embedder, redactor, tmp_path):
    """A server's services over the indexed demo knowledge whose cross-lingual index is being built, held at the
    gate; the gate is opened (and the build awaited) at the end whatever the test did."""
    settings = make_settings(tmp_path, health_max_age_seconds=0)
    settings.data_dir = company_services.settings.data_dir
    gated = GatedEmbedder()
    services = build_services(settings, embedder=embedder, redactor=redactor, multilingual=gated)
    services.warm_crosslingual_in_background()
    assert gated.build_started.wait(60), "the build did not start on its own thread"
    try:
        yield services, gated
    finally:
        gated.gate.set()
        services.skill.crosslingual.wait_for_build(120)
        services.close()


def test_a_question_is_answered_at_once_while_the_index_is_built_and_across_languages_after(warming):
    services, gated = warming

    during = services.skill.answer(ITALIAN_QUESTION, language="it")
    assert during.degraded_reason and during.source_language is None
    assert services.skill.crosslingual.health().ok is False

    gated.gate.set()
    assert services.skill.crosslingual.wait_for_build(120)
    after = services.skill.answer(ITALIAN_QUESTION, language="it")
    assert after.degraded_reason is None and after.source_language == "en"
    assert after.citations[0].path == "en/staff/sickness-absence.md"
    health = services.skill.crosslingual.health()
    assert health.ok and health.details["units"] > 0


def test_a_confident_english_answer_does_not_need_the_index(warming):
    services, _ = warming
    answer = services.skill.answer("how long does a customer have to return a lawnmower?", language="en")
    assert answer.degraded_reason is None and answer.citations[0].path == "en/customers/returns.md"


def test_a_recheck_batch_waits_for_the_index_instead_of_deciding_without_it(warming):
    services, gated = warming
    opener = threading.Timer(0.5, gated.gate.set)
    opener.start()
    try:
        [answer] = services.skill.answer_many([ITALIAN_QUESTION], languages=["it"])
    finally:
        opener.cancel()
    assert answer.degraded_reason is None and answer.source_language == "en"


def test_healthz_is_degraded_while_the_index_is_built_then_ok(warming):
    services, gated = warming
    with AppServer(create_app(services.api_ports())) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        during = client.get("/healthz").json()
        assert during["status"] == "degraded"
        assert any(reason.startswith("crosslingual: building the cross-lingual index") for reason in during["reasons"])

        gated.gate.set()
        assert services.skill.crosslingual.wait_for_build(120)
        after = client.get("/healthz").json()
    assert "crosslingual" not in " ".join(after.get("reasons", []))


def test_a_failed_build_is_reported_and_retried_only_after_a_pause(company_services):
    failing, calls = failing_once()
    now = [1000.0]
    searcher = CrosslingualSearcher(company_services.index, failing, retry_after_seconds=60, clock=lambda: now[0])
    snapshot = company_services.index.snapshot()
    searcher.build_in_background()
    assert searcher.wait_for_build(120)
    health = searcher.health()
    assert not health.ok and "disk full" in health.reason

    now[0] += 30  # within the pause: a question is answered without the index and starts no build
    with pytest.raises(CrosslingualIndexWarmingError):
        searcher.search(ITALIAN_QUESTION, None, snapshot=snapshot)
    assert searcher.wait_for_build(120) and len(calls) == 1

    now[0] += 31  # after it: the next question starts the build again, and it succeeds
    with pytest.raises(CrosslingualIndexWarmingError):
        searcher.search(ITALIAN_QUESTION, None, snapshot=snapshot)
    assert searcher.wait_for_build(120) and len(calls) == 2
    assert searcher.health().ok
    results = searcher.search(ITALIAN_QUESTION, None, snapshot=snapshot)
    english = next(result for result in results if result.language == "en")
    assert english.hits[0].passage.path == "en/staff/sickness-absence.md"


def test_a_build_that_waits_clears_an_earlier_background_failure(company_services):
    failing, _ = failing_once()
    searcher = CrosslingualSearcher(company_services.index, failing, retry_after_seconds=60)
    searcher.build_in_background()
    assert searcher.wait_for_build(120) and not searcher.health().ok

    assert searcher.warm() > 0  # as `assistant ingest` or a recheck build it: waiting, not on the thread
    assert searcher.health().ok
