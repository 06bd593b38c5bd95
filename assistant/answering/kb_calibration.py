"""Per-knowledge-base calibration of the answerability decision, from the pages themselves (no labelled data).

The shipped model's weights and threshold were fitted on labelled questions over a couple of knowledge bases; the
level of its scores depends on the knowledge base (a short, sharply written one scores every question higher than a
long handbook). After each ingest, `calibrate_knowledge_base` asks the new index its own probes
(`assistant.answering.probes`: titles and headings as questions, never the `questions` phrasings, which find
themselves; and the built-in off-topic staff questions), searching the pages' content without their phrasings
(`CALIBRATION_METHOD`), and takes the **midpoint**: halfway, in log-odds, between
the median positive probe and the median off-topic probe. The model stores the same midpoint averaged over the
knowledge bases it was fitted on (`AnswerabilityModel.reference_midpoint`); the difference is this knowledge base's
**shift**, subtracted from every question's log-odds, so the fitted threshold keeps its meaning on a knowledge base
that scores higher or lower.

Leakage guards: a probe made from a heading or title finds that heading's own passage (the heading is part of the
text that was embedded and BM25-indexed), so positive probes score higher than real staff questions do. The bias is
the same on every knowledge base and the reference midpoint was measured the same way, so it cancels in the shift;
probes are never used to fit weights, only to place this one offset, and the shift is bounded by `MAX_SHIFT`.
Probes made by leaving a page out of the search (its own probes as near misses) were measured and not used: on a
handbook whose pages overlap, a neighbouring page still answers them, which moved the midpoint by a full log-odd
(see docs/retrieval.md).

Each calibration belongs to one index generation and is written beside the index in the data directory; a server
reads the one for the generation it answers from, and falls back to the shipped model (no shift) when there is none.
"""

from __future__ import annotations

import json
import logging
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from assistant.answering.answerability import AnswerabilityModel, answerability_features
from assistant.answering.probes import Probe, offtopic_probes, page_probes
from assistant.errors import AssistantError
from assistant.retrieval.passage_index import IndexSnapshot
from assistant.retrieval.search import SearchResult

logger = logging.getLogger(__name__)

MAX_SHIFT = 1.5
"""The largest shift, in log-odds, either way: with the shipped threshold near 0.47, a calibrated knowledge base's
effective threshold stays between about 0.17 and 0.80 of the shipped model's probability."""
FILE_PREFIX = "answerability-"
CALIBRATION_METHOD = 2
"""1: probes searched the whole index; 2: without the pages' `questions` phrasings. A title probe stands close to
its page's phrasings (both are short statements of the page's topic), a closeness the knowledge bases behind the
reference midpoint never had: on the demo knowledge, phrasings on every page moved the shift from -0.07 to +0.11 and
held back the staff questions they should have helped."""
KEEP_FILES = 2
"""Calibrations kept: the active generation's and the one before it (a server may still be answering from it)."""

SearchMany = Callable[[Sequence[str], Sequence[str]], list[SearchResult]]
"""Searches many questions (texts, languages) as the answering path does, with every page visible."""


class CalibrationError(AssistantError):
    """The answerability decision cannot be calibrated for a knowledge base."""


class CalibrationFileError(CalibrationError):
    """A knowledge base's calibration file cannot be read."""


@dataclass
class KnowledgeBaseCalibration:
    """How one index generation's own probes score, and the shift that follows for the answerability decision."""

    generation: str
    midpoint: float
    shift: float
    positive_median: float
    negative_median: float
    positives: int
    negatives: int
    positives_answered: float
    """Share of the positive probes the calibrated decision answers."""
    negatives_held_back: float
    """Share of the off-topic probes the calibrated decision holds back."""
    seconds: float = 0.0
    model: list[str] = field(default_factory=list)
    """What the model this shift applies to was fitted on."""
    method: int = 1
    """How the probes were searched (`CALIBRATION_METHOD`); a calibration made another way is made again."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(self.to_json(), encoding="utf-8")
        partial.replace(path)

    @classmethod
    def from_json(cls, text: str, origin: str) -> KnowledgeBaseCalibration:
        try:
            return cls(**json.loads(text))
        except (ValueError, TypeError) as error:
            raise CalibrationFileError(f"cannot read the answerability calibration in {origin}: {error}") from error

    @classmethod
    def load(cls, path: Path) -> KnowledgeBaseCalibration:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CalibrationFileError(f"cannot read the answerability calibration {path}: {error}") from error
        return cls.from_json(text, origin=str(path))


Features = dict[str, float]


def probe_features(snapshot: IndexSnapshot, search_many: SearchMany) -> tuple[list[Features], list[Features]]:
    """The answerability features of this index's positive probes and of the off-topic questions."""
    return (_features(page_probes(snapshot), search_many),
            _features(offtopic_probes(snapshot.languages), search_many))


def probe_midpoint(model: AnswerabilityModel, positives: Sequence[Features], negatives: Sequence[Features]) -> float:
    """Halfway, in the model's log-odds, between the median positive probe and the median off-topic probe."""
    return (statistics.median(model.logit(features) for features in positives)
            + statistics.median(model.logit(features) for features in negatives)) / 2.0


def calibrate_knowledge_base(snapshot: IndexSnapshot, search_many: SearchMany,
                             model: AnswerabilityModel) -> KnowledgeBaseCalibration:
    """Ask the index its own probes and place the shift (0 when the model has no reference midpoint)."""
    started = time.perf_counter()
    positive_features, negative_features = probe_features(snapshot, search_many)
    if not positive_features or not negative_features:
        raise CalibrationError(f"index {snapshot.name} has no page to make calibration probes from")
    midpoint = probe_midpoint(model, positive_features, negative_features)
    positive = [model.logit(features) for features in positive_features]
    negative = [model.logit(features) for features in negative_features]
    shift = 0.0
    if model.reference_midpoint is not None:
        shift = max(-MAX_SHIFT, min(MAX_SHIFT, midpoint - model.reference_midpoint))
    cut = _logit(model.threshold) + shift
    return KnowledgeBaseCalibration(
        generation=snapshot.name,
        midpoint=round(midpoint, 4),
        shift=round(shift, 4),
        positive_median=round(statistics.median(positive), 4),
        negative_median=round(statistics.median(negative), 4),
        positives=len(positive),
        negatives=len(negative),
        positives_answered=round(sum(1 for value in positive if value >= cut) / len(positive), 4),
        negatives_held_back=round(sum(1 for value in negative if value < cut) / max(len(negative), 1), 4),
        seconds=round(time.perf_counter() - started, 2),
        model=list(model.fitted_on),
        method=CALIBRATION_METHOD,
    )


class GenerationNotes(Protocol):
    """Text kept beside each index generation, readable by every process that reads the index (the vector
    store: `ChromaVectorStore.generation_note`)."""

    def generation_note(self, generation: str) -> str | None: ...

    def set_generation_note(self, generation: str, text: str) -> None: ...


class CalibrationStore:
    """The calibration files of a data directory, one per index generation, read once per generation.

    With `shared` notes (replicas on a Chroma server, each with its own data directory), a calibration is also
    written beside its generation, and a process whose directory lacks one reads it from there: every replica
    then decides with the shift the ingest computed, not with the shipped model alone.
    """

    def __init__(self, directory: Path, shared: GenerationNotes | None = None) -> None:
        self._directory = directory
        self._shared = shared
        self._cache: dict[str, KnowledgeBaseCalibration | None] = {}

    def path(self, generation: str) -> Path:
        return self._directory / f"{FILE_PREFIX}{generation}.json"

    def get(self, generation: str) -> KnowledgeBaseCalibration | None:
        """This generation's calibration, or None when it has none (the shipped model then decides alone)."""
        if generation not in self._cache:
            path = self.path(generation)
            if path.exists():
                self._cache[generation] = KnowledgeBaseCalibration.load(path)
            else:
                self._cache[generation] = self._shared_copy(generation, path)
        return self._cache[generation]

    def _shared_copy(self, generation: str, path: Path) -> KnowledgeBaseCalibration | None:
        if self._shared is None:
            return None
        text = self._shared.generation_note(generation)
        if text is None:
            return None
        calibration = KnowledgeBaseCalibration.from_json(text, origin=f"the note beside {generation}")
        calibration.save(path)
        return calibration

    def shift(self, generation: str) -> float:
        """The log-odds shift for `generation` (0 without a calibration). An unreadable file is logged and
        treated as absent, so a damaged file never stops answers; the next ingest writes it again."""
        try:
            calibration = self.get(generation)
        except CalibrationFileError as error:
            logger.warning("%s; answering with the shipped answerability model", error)
            self._cache[generation] = None
            return 0.0
        return calibration.shift if calibration is not None else 0.0

    def write(self, calibration: KnowledgeBaseCalibration) -> Path:
        """Store a generation's calibration (and beside the generation, when shared), and remove all but the
        newest `KEEP_FILES` files."""
        path = self.path(calibration.generation)
        calibration.save(path)
        if self._shared is not None:
            self._shared.set_generation_note(calibration.generation, calibration.to_json())
        self._cache[calibration.generation] = calibration
        older = sorted(self._directory.glob(f"{FILE_PREFIX}*.json"), key=lambda found: found.stat().st_mtime,
                       reverse=True)[KEEP_FILES:]
        for stale in older:
            stale.unlink(missing_ok=True)
            self._cache.pop(stale.stem.removeprefix(FILE_PREFIX), None)
        return path


def ensure_calibrated(snapshot: IndexSnapshot, store: CalibrationStore, search_many: SearchMany,
                      model: AnswerabilityModel) -> KnowledgeBaseCalibration:
    """The calibration of `snapshot`'s generation: the stored one, or a new one computed and written now
    (`assistant ingest` runs this after every ingest, changed or not, so an index never lacks one for long)."""
    try:
        existing = store.get(snapshot.name)
    except CalibrationFileError as error:
        logger.warning("%s; calibrating again", error)
        existing = None
    if existing is not None and existing.method == CALIBRATION_METHOD:
        return existing
    calibration = calibrate_knowledge_base(snapshot, search_many, model)
    store.write(calibration)
    logger.info("answerability calibrated for %s: shift %+.3f from %d page probes and %d off-topic questions "
                "in %.1fs", snapshot.name, calibration.shift, calibration.positives, calibration.negatives,
                calibration.seconds)
    return calibration


def _features(probes: list[Probe], search_many: SearchMany) -> list[Features]:
    results = search_many([probe.text for probe in probes], [probe.language for probe in probes])
    return [answerability_features(result) for result in results]


def _logit(probability: float) -> float:
    probability = min(max(probability, 1e-6), 1 - 1e-6)
    return math.log(probability / (1 - probability))
