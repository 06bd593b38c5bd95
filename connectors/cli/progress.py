"""A tqdm progress bar for long CLI operations (ingest, evaluation)."""

from __future__ import annotations

import sys

from tqdm import tqdm

from assistant.retrieval.ingest import ProgressSink


class TqdmProgress(ProgressSink):
    """Shows a bar on stderr when it is a terminal; prints nothing otherwise."""

    def __init__(self, enabled: bool | None = None) -> None:
        self._enabled = sys.stderr.isatty() if enabled is None else enabled
        self._bar: tqdm | None = None

    def start(self, total: int, label: str) -> None:
        self.close()
        if self._enabled:
            self._bar = tqdm(total=total, desc=label, unit="chunk", file=sys.stderr, leave=False)

    def advance(self, count: int) -> None:
        if self._bar is not None:
            self._bar.update(count)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
