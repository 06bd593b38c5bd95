"""Every setting the assistant reads, from the environment or `.env`, in one place.

Only the composition roots (the CLI and the app factory) build a `Settings`; every other
part receives the values it needs through its constructor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from assistant.access import ApiKey, Audience
from assistant.order_numbers import DEFAULT_ORDER_NUMBER_PATTERN


def _platform(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


def reveal(secret: SecretStr | None) -> str | None:
    """The plain value of an optional secret, for the one place that hands it to a client library."""
    return secret.get_secret_value() if secret is not None else None


class Settings(BaseSettings):
    """The assistant's configuration. Names match `.env.example` and the README."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        env_ignore_empty=True,  # `ASSISTANT_ANSWER_THRESHOLD=` (uncommented from .env.example) means "the default"
        hide_input_in_errors=True,  # a rejected value may be a secret (an API key, a token)
    )

    knowledge_dir: Path = Path("knowledge")
    data_dir: Path = Path("data")
    database_url: str | None = None
    chroma_url: str | None = None
    """A Chroma server (`http://host:port`) holding the index: dense search runs on its HNSW index and each process
    keeps only the chunks' texts and the BM25 index; none: the embedded store in the data directory, searched
    exactly in memory."""
    chroma_dense_candidates: int = Field(default=100, ge=10, le=1000)
    """With `chroma_url`: how many nearest chunks the server returns per question (docs/retrieval.md)."""
    rasa_url: str | None = None
    embedding_model: str | None = None
    embedding_precision: Literal["auto", "float32", "bfloat16"] = "auto"
    """`auto`: bfloat16 matrix products where the CPU has native bfloat16 instructions, float32 elsewhere."""
    embedding_runtime: Literal["onnx", "torch"] = "onnx"
    """What runs the embedding model in float32: `onnx` (ONNX Runtime, the same vectors about three times faster for a
    question; torch is used anyway for a model it cannot export) or `torch`."""
    query_batch_size: int = Field(default=32, ge=1)
    """At most this many questions asked at the same moment share one run of the embedding model (1: each runs
    alone)."""
    max_concurrent_questions: int | None = Field(default=None, ge=1)
    """How many questions one process searches and understands at once; the others wait their turn (none: no
    bound). With Rasa on the same cores, a bound of about one per core keeps Rasa's parses inside their budget under
    overload, so every answer is routed with Rasa, at a lower throughput; without a bound the dense intent half
    routes alone while Rasa is starved (measured in docs/production.md)."""
    embedding_languages: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["en"])
    """Languages the embedding model reads well (comma-separated; all-MiniLM-L6-v2: English). A confident answer
    to a question in one of them is kept; in any other language, a page in another language may answer instead."""
    orders_url: str | None = None
    """The order system: `http(s)://...` (REST), `sqlite:///path` or `postgresql://...` (read-only SQL); none: order
    questions are answered "no order system is connected"."""
    orders_mapping: Path | None = None
    """JSON or YAML file mapping our order fields to their JSON paths or columns, and their status words to ours
    (docs/orders.md); none: the default REST contract, or the demo database's tables."""
    orders_auth_header: SecretStr | None = None
    """Sent with every REST call: `Header-Name: value` (`Authorization: Bearer ...`, `X-Api-Key: ...`); a value
    without a name is sent as `Authorization`."""
    orders_connect_timeout_seconds: float = Field(default=0.5, gt=0)
    orders_read_timeout_seconds: float = Field(default=1.0, gt=0)
    orders_budget_seconds: float = Field(default=2.0, gt=0)
    """Most time one look-up may take, retries included: the answer comes within it, found or not."""
    orders_retries: int = Field(default=2, ge=0, le=5)
    """Extra attempts after a 5xx, a timeout or a refused connection (with back-off, within the budget)."""
    orders_breaker_failures: int = Field(default=3, ge=1)
    """Consecutive failed look-ups that make the assistant stop calling the order system for the cool-down."""
    orders_breaker_cooldown_seconds: float = Field(default=30.0, gt=0)
    orders_max_numbers: int = Field(default=3, ge=1, le=10)
    """Order numbers one message may ask about; beyond that the assistant asks which ones."""
    orders_tracking_urls: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)
    """Carrier tracking pages, `Carrier=https://.../{tracking}` separated by commas; order cards link to them."""
    api_keys: Annotated[list[ApiKey], NoDecode] = Field(default_factory=list)
    """`KEY:ROLE` entries separated by commas (roles staff, curator, ex, admin; no role means staff)."""

    host: str = "127.0.0.1"
    port: int = 8000
    max_question_chars: int = 4000
    answer_threshold: float | None = None
    suggestion_floor: float = Field(default=0.2, ge=0.0, le=1.0)
    """Below the answerability threshold but at or above this, a gap reply still links the nearest page."""
    top_k: int = 5
    crosslingual: bool = True
    """Answer a question from a page in another language when none in its own language answers it (a knowledge base
    in several languages only; embeds the pages a second time, with multilingual-e5-small, at ingest)."""
    multilingual_cache_dir: Path | None = None
    """Where those multilingual vectors are kept, by text (default: `multilingual/` in the data directory)."""
    vote_prior_bound: float = Field(default=0.05, ge=0.0, le=0.2)
    """Most that votes on similar questions move a page's search score, up or down; 0 turns the vote prior off."""
    default_language: str = "en"
    default_audience: Audience = Audience.STAFF
    """The page audience of an asker the staff directory does not list (or who has no audience there)."""
    directory_file: Path | None = None
    """CSV or YAML: user id -> team, location, role, audience (see `assistant/directory.py`)."""
    retention_days: int | None = Field(default=None, ge=1)
    """Turns and votes older than this are deleted (daily counts are kept); None keeps everything."""
    spool_max_entries: int = Field(default=10_000, ge=1)
    """Turns, votes and hand-offs the local spool holds while the database is unreachable; beyond it (or
    `spool_max_bytes`) each turn is written to the database at once, and the answer fails if that fails too."""
    spool_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    min_group_size: int = Field(default=5, ge=1)
    """A team, location or role with fewer distinct askers in a report's period is shown as "other"."""

    nlu_data_dir: Path = Path("nlu_data")
    models_dir: Path = Path("models")
    rasa_executable: Path = Path(".venv-rasa/bin/rasa")
    rasa_port: int = 5005
    rasa_timeout_seconds: float = 0.3
    health_max_age_seconds: float = Field(default=1.0, ge=0)
    """`/healthz` and `/metrics` ask each part (index, store, Rasa, orders) at most once in this many seconds;
    probes in between get the last answer. 0 asks on every probe."""
    intent_ensemble: bool = True
    """Route by Rasa's intent ranking pooled with a dense classifier on the embedding model (both trained by
    `assistant train`); while Rasa is down the dense classifier alone keeps intents. False: Rasa alone."""
    order_number_pattern: str = DEFAULT_ORDER_NUMBER_PATTERN
    conversation_ttl_seconds: int = 900
    handoff_channel: str | None = None
    """Slack channel id where "Ask a person" posts the question."""
    public_url: str | None = None
    """The address staff reach this server at (`https://assistant.example.com`), for links in digests and notices."""
    digest_channel: str | None = None
    """Slack channel id where `assistant gaps digest` posts the weekly summary."""
    teams_service_url: str | None = None
    """Bot Framework service URL for messages the bot starts in Teams (e.g. `https://smba.trafficmanager.net/emea/`)."""
    teams_handoff_conversation: str | None = None
    """Teams channel or chat conversation id where "Ask a person" posts the question."""
    digest_teams_conversation: str | None = None
    """Teams channel or chat conversation id where `assistant gaps digest` posts the weekly summary."""
    hash_salt: SecretStr | None = None
    console_session_hours: float = Field(default=8.0, gt=0.0, le=24.0 * 30)
    """How long a web console sign-in lasts (the signed session cookie expires after it)."""
    redaction_keep_terms: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Company, product and place names the redactor must never take for people's names."""
    log_level: str = "INFO"
    log_format: Literal["auto", "text", "json"] = "auto"
    """`text`: one readable line per record; `json`: one JSON object per line (timestamp, level, logger, message,
    request_id, exception); `auto`: text when standard error is a terminal, JSON otherwise (a container, a pipe)."""
    metrics_key: SecretStr | None = None
    """A key that may read `GET /metrics` and nothing else (Prometheus's `bearer_token`); `admin` API keys may too.
    With no API keys and no metrics key, only this machine may read the metrics."""

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias=_platform("SLACK_BOT_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=_platform("SLACK_SIGNING_SECRET")
    )
    slack_app_token: SecretStr | None = Field(default=None, validation_alias=_platform("SLACK_APP_TOKEN"))
    slack_api_url: str | None = Field(default=None, validation_alias=_platform("SLACK_API_URL"))
    microsoft_app_id: str | None = Field(default=None, validation_alias=_platform("MICROSOFT_APP_ID"))
    microsoft_app_password: SecretStr | None = Field(
        default=None, validation_alias=_platform("MICROSOFT_APP_PASSWORD")
    )
    microsoft_app_tenant_id: str | None = Field(
        default=None, validation_alias=_platform("MICROSOFT_APP_TENANT_ID")
    )

    @field_validator("redaction_keep_terms", "embedding_languages", mode="before")
    @classmethod
    def _split_terms(cls, value: object) -> object:
        if isinstance(value, str):
            return [term.strip() for term in value.split(",") if term.strip()]
        return value

    @field_validator("orders_tracking_urls", mode="before")
    @classmethod
    def _parse_tracking_urls(cls, value: object) -> object:
        if isinstance(value, str):
            pairs = [entry.split("=", 1) for entry in value.split(",") if entry.strip()]
            if any(len(pair) != 2 or "{tracking}" not in pair[1] for pair in pairs):
                raise ValueError("each entry must be Carrier=URL with {tracking} in the URL")
            return {carrier.strip(): url.strip() for carrier, url in pairs}
        return value

    @field_validator("api_keys", mode="before")
    @classmethod
    def _parse_keys(cls, value: object) -> object:
        if isinstance(value, str):
            value = [entry for entry in value.split(",") if entry.strip()]
        if isinstance(value, list):
            return [ApiKey.parse(entry) if isinstance(entry, str) else entry for entry in value]
        return value

    @property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL of the interaction and gap store (SQLite under the data dir by default)."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'assistant.db').resolve()}"

    @property
    def spool_file(self) -> Path:
        """The spool of redacted turns waiting for the database (a small SQLite file in the data directory)."""
        return self.data_dir / "interaction-spool.sqlite3"

    @property
    def resolved_multilingual_cache_dir(self) -> Path:
        return self.multilingual_cache_dir or self.data_dir / "multilingual"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def calibration_dir(self) -> Path:
        """Where `assistant ingest` writes each index generation's answerability calibration."""
        return self.data_dir / "calibration"

    @property
    def answerability_file(self) -> Path:
        """Where `assistant eval calibrate` writes its fit; used instead of the packaged default when present."""
        return self.models_dir / "answerability.json"

    @property
    def intent_ensemble_file(self) -> Path:
        """Where `assistant eval intents --write` writes the ensemble's calibration; used instead of the packaged
        one when present."""
        return self.models_dir / "intent_ensemble.json"

    @property
    def routing_policy_file(self) -> Path:
        """Where `assistant eval routing --write` writes; used instead of the packaged policy when present."""
        return self.models_dir / "routing_policy.json"
