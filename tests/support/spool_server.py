"""A small real server for the spool tests: the real pipeline, store, spool, redactor and HTTP API, with a fixed
knowledge reply in place of search (no embedding model to load), run in-process or as a subprocess:

    python -m tests.support.spool_server --data-dir DIR --database-url URL --port PORT
"""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from assistant.interactions import InteractionStore
from assistant.interactions.spool import TurnSpool
from assistant.interactions.spooled_recorder import SpooledRecorder
from assistant.models import Citation, TextOrigin
from assistant.pipeline import Assistant
from assistant.privacy import Redactor
from assistant.skills.page_answers import PageAnswer
from connectors.channels.api_ports import ApiPorts
from connectors.channels.http.app import create_app

POLICY_TEXT = "Customers may return a lawnmower within 30 days with the receipt."


class FixedPages:
    """Stands in for `PageAnswerSkill`: every question gets the same page answer, or a gap when it says "gap"."""

    def answer(self, text: str, audience: str = "staff", language: str | None = None,
               country: str | None = None) -> PageAnswer:
        citation = Citation(title="Returns", path="returns.md", section="Lawnmowers", score=0.9)
        if "gap" in text.lower():
            return PageAnswer(text="I don't know that yet; I've logged it.", citations=[], confidence=0.1,
                              answerable=False, text_origin=TextOrigin.COMPANY)
        return PageAnswer(text=POLICY_TEXT, citations=[citation], confidence=0.9, answerable=True,
                          text_origin=TextOrigin.COMPANY)


def build_app(data_dir: Path, database_url: str, *, redactor: Redactor | None = None,
              retry_seconds: float = 0.05, busy_timeout_ms: int = 10_000) -> tuple[FastAPI, SpooledRecorder]:
    """The API over the real pipeline with a spooled recorder, whose writer the app's lifespan starts and stops."""
    store = InteractionStore(database_url, redactor or Redactor(), salt="spool-test",
                             sqlite_busy_timeout_ms=busy_timeout_ms)
    recorder = SpooledRecorder(store, TurnSpool(data_dir / "interaction-spool.sqlite3"), retry_seconds=retry_seconds,
                               max_retry_seconds=retry_seconds * 4)
    assistant = Assistant(FixedPages(), recorder)  # type: ignore[arg-type]

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI):
        recorder.start()
        try:
            yield
        finally:
            assistant.close()
            recorder.close()
            store.close()

    app = create_app(ApiPorts(answering=assistant, gaps=store, health_checks=(recorder.health,)), lifespan=lifespan)
    return app, recorder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--busy-timeout-ms", type=int, default=10_000)
    args = parser.parse_args()
    app, _ = build_app(args.data_dir, args.database_url, busy_timeout_ms=args.busy_timeout_ms)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
