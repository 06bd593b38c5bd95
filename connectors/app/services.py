"""The composition root: builds every part from `Settings`. The CLI and the app factory use it."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.answering.answerability import AnswerabilityModel
from assistant.answering.kb_calibration import CalibrationStore, KnowledgeBaseCalibration
from assistant.answering.vote_prior import MULTILINGUAL_SIMILARITY_FLOOR, VotePrior
from assistant.conversation_slots import ConversationSlots
from assistant.directory import ReloadingDirectory
from assistant.health import HealthCheck, RecentHealth
from assistant.insights.dimensions import EX_DIMENSIONS_FILE, DimensionClassifier, load_labelled_questions
from assistant.insights.notices import DispatchReport, NoticeDispatcher
from assistant.insights.question_vectors import QuestionVectorWarmer, StoredQuestionEmbedder
from assistant.insights.recheck import RecheckResult, recheck_open_gaps
from assistant.insights.service import GapInsightsService
from assistant.insights.themes import ThemeBuilder
from assistant.interactions import InteractionStore
from assistant.interactions.shared_state import DatabaseSharedState
from assistant.interactions.spool import TurnSpool
from assistant.interactions.spooled_recorder import SpooledRecorder
from assistant.nlu.entities import EntityExtractor, PersonFinder
from assistant.nlu.understanding import IntentClassifier, IntentParser, Understander
from assistant.order_numbers import OrderNumberFinder
from assistant.orders.describe import OrderDescriber
from assistant.pages.health import KnowledgeHealth
from assistant.pipeline import Assistant
from assistant.privacy import Redactor
from assistant.retrieval.crosslingual import CrosslingualSearcher
from assistant.retrieval.dense import ExactDenseScorer, ServerDenseScorer
from assistant.retrieval.embedder import SentenceTransformerEmbedder
from assistant.retrieval.embedding_cache import CachedEmbedder
from assistant.retrieval.ingest import Ingestor, IngestReport
from assistant.retrieval.language import warm_up_language_guess
from assistant.retrieval.multilingual_embedder import MultilingualEmbedder
from assistant.retrieval.passage_index import PassageIndex
from assistant.retrieval.search import HybridSearcher
from assistant.retrieval.vector_store import ChromaVectorStore
from assistant.routing import RoutingPolicy
from assistant.settings import Settings, reveal
from assistant.skills.orders import OrdersSkill
from assistant.skills.page_answers import PageAnswerSkill
from connectors.app.nlu_runtime import intent_spaces, live_intent_ensemble
from connectors.app.process_tuning import limit_blas_threads
from connectors.channels.http.app import ApiPorts
from connectors.observability.ingest_record import IngestRecordFile
from connectors.observability.measured_ports import TimedIntentParser, TimedOrderSource
from connectors.observability.metrics import AssistantMetrics
from connectors.sources.orders.factory import OrderSourceOptions, open_order_source
from connectors.sources.orders.guarded import GuardedOrderSource
from connectors.sources.orders.http_source import HttpTimeouts

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything `assistant serve` and the CLI commands work with."""

    settings: Settings
    embedder: SentenceTransformerEmbedder
    store: ChromaVectorStore
    index: PassageIndex
    skill: PageAnswerSkill
    assistant: Assistant
    interactions: InteractionStore
    redactor: Redactor
    recorder: SpooledRecorder
    """Where the pipeline records turns: the local spool, drained into `interactions` by a writer thread that
    `assistant serve` starts (other commands write what they spooled when they close)."""
    vote_prior: VotePrior | None = None
    """Re-orders search's pages by votes on similar questions (None when `ASSISTANT_VOTE_PRIOR_BOUND` is 0)."""
    orders: GuardedOrderSource | None = None
    """The order system (None when `ASSISTANT_ORDERS_URL` is empty); its health is the `/healthz` part `orders`."""
    shared_state: DatabaseSharedState | None = None
    """What replicas share (conversation slots, Slack events taken, answers behind buttons, Teams votes), in the
    interaction store's database."""
    multilingual: CachedEmbedder | None = None
    """multilingual-e5-small: cross-lingual search, and the dense intent half for messages not in English."""
    crosslingual_vote_prior: VotePrior | None = None
    """The vote prior in the multilingual space, for cross-lingual answers (None with no cross-lingual search or no
    vote prior)."""
    _dimensions: DimensionClassifier | None = field(default=None, init=False, repr=False)
    _question_embedder: StoredQuestionEmbedder | None = field(default=None, init=False, repr=False)

    def refresh_votes(self) -> int:
        """Reload both vote priors from the interaction store (what `assistant serve` does every 30 s); the voted
        turns loaded."""
        loaded = 0
        for prior in (self.vote_prior, self.crosslingual_vote_prior):
            if prior is not None:
                loaded = max(loaded, prior.refresh())
        return loaded

    def warm_up(self) -> None:
        """Load every model a question needs now (MiniLM, spaCy, e5, the language guess's n-grams), not with the first
        question: with MiniLM alone warmed, the first question after `assistant serve` started took 0.73 s, the next
        0.07 s (demo knowledge)."""
        self.embedder.warm_up()
        self.redactor.warm_up()
        warm_up_language_guess()
        if self.multilingual is not None:
            self.multilingual.encode_query("warm up")

    def ingestor(self) -> Ingestor:
        """Ingests the knowledge, then calibrates the answerability decision for the generation it left active and
        leaves the run's figures in the data directory (for `/metrics`, whichever process ran it)."""
        return Ingestor(self.store, self.embedder, after_ingest=self._after_ingest)

    def _after_ingest(self, report: IngestReport) -> None:
        self.calibrate_answerability()
        IngestRecordFile(self.settings.data_dir).write(report)

    def calibrate_answerability(self) -> KnowledgeBaseCalibration | None:
        """The active index generation's answerability calibration, computed from its pages when it has none."""
        self.index.reload()
        return self.skill.calibrate()

    def api_ports(self, extra_health: Sequence[HealthCheck] = ()) -> ApiPorts:
        """What the HTTP API may use: answering, the gap log, the parts' health checks, the keys."""
        return ApiPorts(
            answering=self.assistant,
            gaps=self.interactions,
            health_checks=tuple(RecentHealth(check, self.settings.health_max_age_seconds) for check in (
                self.index.health, self.recorder.health,
                *([self.orders.health] if self.orders is not None else []),
                *([self.skill.crosslingual.health] if self.skill.crosslingual is not None else []),
                *extra_health)),
            api_keys=tuple(self.settings.api_keys),
            page_owner=self.index.page_owner,
            reports=self.insights(),
            gap_states=self.interactions,
            notices=self.interactions,
            knowledge_health=KnowledgeHealth(self.settings.knowledge_dir, self.interactions),
        )

    def warm_crosslingual(self) -> int:
        """Embed the active generation's pages for cross-lingual search now, so no question waits for it (after an
        ingest); the number of units embedded or read from the cache, 0 when there is nothing to do."""
        if self.skill.crosslingual is None:
            return 0
        self.index.reload()
        return self.skill.crosslingual.warm()

    def warm_crosslingual_in_background(self) -> None:
        """For a server: build the active generation's cross-lingual index on a thread of its own (a cache hit
        when `assistant ingest` ran on this data directory), and never make a question wait for such a build:
        until it is ready, questions are answered without the comparison and `/healthz` shows `crosslingual`."""
        if self.skill.crosslingual is not None:
            self.skill.crosslingual.build_in_background()

    def recheck_gaps(self) -> RecheckResult:
        """Ask every open gap again against the current index (after an ingest changed it, or on demand)."""
        self.index.reload()
        # What the knowledge answers now, not what votes prefer: a page moved up by votes is no new content.
        return recheck_open_gaps(self.interactions, self.skill.without_votes())

    def deliver_notices(self) -> DispatchReport:
        """Write the notices of resolved gaps that someone asked to be told about, and push them (Slack, Teams)."""
        from connectors.app.notice_senders import notice_senders

        return NoticeDispatcher(self.interactions, self.skill, notice_senders(self.settings)).run()

    def insights(self) -> GapInsightsService:
        """Gap reports over this deployment's store, themes from its embedding model, owners from its index."""
        return GapInsightsService(self.interactions, ThemeBuilder(self.question_embedder()), self.index.page_owner,
                                  min_group_size=self.settings.min_group_size, dimensions=self.dimension_classifier())

    def dimension_classifier(self) -> DimensionClassifier:
        """The EX-dimension classifier, trained once per process from `nlu_data/ex_dimensions.yml`."""
        if self._dimensions is None:
            questions = load_labelled_questions(self.settings.nlu_data_dir / EX_DIMENSIONS_FILE)
            self._dimensions = DimensionClassifier(self.question_embedder()).fit(questions)
        return self._dimensions

    def question_embedder(self) -> StoredQuestionEmbedder:
        """The embedding model for gap questions, each embedded once and kept in the interaction store."""
        if self._question_embedder is None:
            self._question_embedder = StoredQuestionEmbedder(self.embedder, self.interactions)
        return self._question_embedder

    def question_vector_warmer(self) -> QuestionVectorWarmer:
        """Embeds new gaps' questions in the background (run by `assistant serve`), so reports find them ready."""
        return QuestionVectorWarmer(self.interactions, self.question_embedder())

    def close(self) -> None:
        self.assistant.close()
        self.recorder.close()
        self.interactions.close()
        if self.orders is not None:
            self.orders.close()


def build_order_source(settings: Settings) -> GuardedOrderSource | None:
    """The order system `ASSISTANT_ORDERS_URL` names (REST or SQL, behind its circuit breaker), or None."""
    if not settings.orders_url:
        return None
    timeouts = HttpTimeouts(connect_seconds=settings.orders_connect_timeout_seconds,
                            read_seconds=settings.orders_read_timeout_seconds,
                            budget_seconds=settings.orders_budget_seconds, retries=settings.orders_retries)
    options = OrderSourceOptions(mapping_file=settings.orders_mapping, auth_header=reveal(settings.orders_auth_header),
                                 timeouts=timeouts, breaker_failures=settings.orders_breaker_failures,
                                 breaker_cooldown_seconds=settings.orders_breaker_cooldown_seconds)
    return open_order_source(settings.orders_url, options)


def build_vector_store(settings: Settings) -> ChromaVectorStore:
    if settings.chroma_url:
        return ChromaVectorStore.remote(settings.chroma_url)
    return ChromaVectorStore.embedded(settings.chroma_dir)


def hash_salt(settings: Settings) -> str:
    """ASSISTANT_HASH_SALT, or a random salt kept in the data directory (created on first use)."""
    if settings.hash_salt is not None:
        return settings.hash_salt.get_secret_value()
    path: Path = settings.data_dir / "hash-salt"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def load_answerability(settings: Settings) -> AnswerabilityModel:
    """This deployment's answerability fit (the packaged one until `eval calibrate` writes one), with
    `ASSISTANT_ANSWER_THRESHOLD` taking precedence over the fitted threshold."""
    answerability = AnswerabilityModel.load(settings.answerability_file)
    if settings.answer_threshold is not None:
        answerability.threshold = settings.answer_threshold
    return answerability


def build_interaction_store(settings: Settings, redactor: Redactor | None = None) -> InteractionStore:
    """The turn and gap store the settings name, migrated to the newest schema."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    redactor = redactor or Redactor(keep_terms=settings.redaction_keep_terms)
    if settings.hash_salt is None and not settings.resolved_database_url.startswith("sqlite"):
        logger.warning("ASSISTANT_HASH_SALT is not set: this process hashes with the salt in %s. Replicas sharing "
                       "the database must share one salt, or they will not see each other's shared state (Slack "
                       "retries, threads, buttons) and will hash askers differently", settings.data_dir)
    return InteractionStore(settings.resolved_database_url, redactor, salt=hash_salt(settings))


def build_multilingual_embedder(settings: Settings) -> CachedEmbedder:
    """multilingual-e5-small, its passage vectors cached on disk in the data directory (for cross-lingual search;
    the intent classifier embeds non-English messages with the same instance, so such a message is embedded once)."""
    return CachedEmbedder(MultilingualEmbedder(), settings.resolved_multilingual_cache_dir)


def build_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    """The embedding model the settings name, in the precision they ask for."""
    return SentenceTransformerEmbedder(settings.embedding_model, precision=settings.embedding_precision,
                                       query_batch_size=settings.query_batch_size, runtime=settings.embedding_runtime)


def build_services(settings: Settings, embedder: SentenceTransformerEmbedder | None = None,
                   redactor: Redactor | None = None, intent_parser: IntentParser | None = None,
                   entity_extractor: EntityExtractor | None = None,
                   intent_classifier: IntentClassifier | None = None,
                   metrics: AssistantMetrics | None = None,
                   multilingual: CachedEmbedder | None = None) -> Services:
    """Wire the core from settings; expensive parts (model, spaCy) may be passed in to share them.

    With `metrics` (a server's), Rasa parses and order look-ups are timed into it.

    `intent_parser` is Rasa (behind its circuit breaker); without it the pipeline still finds
    order numbers with spaCy and answers everything else from retrieval (reported as degraded).
    `intent_classifier` defaults to the intent ensemble `assistant train` left in the models
    directory (none: Rasa's intent alone). `multilingual` (cross-lingual search and the dense intent half)
    defaults to multilingual-e5-small with its disk cache in the data directory.
    """
    limit_blas_threads()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    embedder = embedder or build_embedder(settings)
    store = build_vector_store(settings)
    # A Chroma server searches its own HNSW index, so this process keeps no vector matrix; embedded: exact search.
    index = PassageIndex(store, keep_vectors=not store.is_server)
    dense = ServerDenseScorer(store, settings.chroma_dense_candidates) if store.is_server else ExactDenseScorer()
    extractor = entity_extractor or EntityExtractor(settings.order_number_pattern)
    # Names through the extractor: NLU's spaCy pass over a question serves its redaction too.
    redactor = redactor or Redactor(keep_terms=settings.redaction_keep_terms, name_finder=PersonFinder(extractor))
    interactions = build_interaction_store(settings, redactor)
    shared_state = interactions.shared_state()
    # Votes from every channel reach the store; the prior reads them there (redacted questions, hashed askers).
    vote_prior = (VotePrior(interactions, StoredQuestionEmbedder(embedder, interactions),
                            bound=settings.vote_prior_bound) if settings.vote_prior_bound > 0 else None)
    multilingual = multilingual or build_multilingual_embedder(settings)
    crosslingual_votes = (VotePrior(interactions, StoredQuestionEmbedder(multilingual, interactions),
                                    bound=settings.vote_prior_bound, floor=MULTILINGUAL_SIMILARITY_FLOOR)
                          if vote_prior is not None and settings.crosslingual else None)
    skill = PageAnswerSkill(HybridSearcher(index, embedder, dense=dense), load_answerability(settings),
                           top_k=settings.top_k, suggestion_floor=settings.suggestion_floor,
                           crosslingual=CrosslingualSearcher(index, multilingual) if settings.crosslingual else None,
                           native_languages=tuple(settings.embedding_languages), votes=vote_prior,
                           crosslingual_votes=crosslingual_votes,
                           calibrations=CalibrationStore(settings.calibration_dir,
                                                         shared=store if store.is_server else None))
    order_numbers = OrderNumberFinder(settings.order_number_pattern)
    order_source = build_order_source(settings)
    if metrics is not None and intent_parser is not None:
        intent_parser = TimedIntentParser(intent_parser, metrics)
    timed_source = (TimedOrderSource(order_source, metrics)
                    if metrics is not None and order_source is not None else order_source)
    orders = OrdersSkill(timed_source, finder=order_numbers, max_numbers=settings.orders_max_numbers,
                         describer=OrderDescriber(settings.orders_tracking_urls))
    recorder = SpooledRecorder(interactions, TurnSpool(settings.spool_file, max_entries=settings.spool_max_entries,
                                                       max_bytes=settings.spool_max_bytes))
    assistant = Assistant(
        skill,
        recorder,
        understander=Understander(intent_parser, extractor,
                                  intent_classifier or live_intent_ensemble(
                                      settings, intent_spaces(settings, embedder, multilingual))),
        orders=orders,
        conversations=ConversationSlots(settings.conversation_ttl_seconds, state=shared_state),
        order_numbers=order_numbers,
        policy=RoutingPolicy.load(settings.routing_policy_file),
        max_question_chars=settings.max_question_chars,
        default_language=settings.default_language,
        default_audience=settings.default_audience,
        directory=ReloadingDirectory(settings.directory_file, redactor.redact) if settings.directory_file else None,
        max_concurrent=settings.max_concurrent_questions,
    )
    return Services(settings, embedder, store, index, skill, assistant, interactions, redactor, recorder, vote_prior,
                    order_source, shared_state, multilingual, crosslingual_votes)
