"""`assistant eval retrieval`: index a directory into a throw-away index and score questions on it."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from assistant.access import Audience
from assistant.answering.answerability import AnswerabilityModel, answerability_features, fit_answerability
from assistant.answering.composer import short_answer, text_passage
from assistant.answering.kb_calibration import CalibrationStore, probe_features, probe_midpoint
from assistant.countries import asker_country
from assistant.evaluation.questions import EvalQuestion, load_questions
from assistant.evaluation.retrieval_metrics import QuestionOutcome, summarise, summarise_by_kind
from assistant.retrieval.embedder import SentenceTransformerEmbedder
from assistant.retrieval.ingest import Ingestor, ProgressSink
from assistant.retrieval.language import guess_language
from assistant.retrieval.passage_index import PassageIndex
from assistant.retrieval.search import HybridSearcher, SearchMode
from assistant.retrieval.vector_store import ChromaVectorStore
from assistant.skills.page_answers import PageAnswerSkill

EVERYONE = "managers"


class TemporaryKnowledgeBase:
    """A knowledge directory indexed into a temporary chromadb and calibrated as `assistant ingest` does (unless
    `calibrate` is False); removed on exit."""

    def __init__(self, knowledge_dir: Path, embedder: SentenceTransformerEmbedder,
                 answerability: AnswerabilityModel, progress: ProgressSink | None = None,
                 calibrate: bool = True) -> None:
        self._knowledge_dir = knowledge_dir
        self._embedder = embedder
        self._answerability = answerability
        self._progress = progress
        self._calibrate = calibrate
        self._tmp: tempfile.TemporaryDirectory | None = None
        self.calibration = None

    def __enter__(self) -> TemporaryKnowledgeBase:
        self._tmp = tempfile.TemporaryDirectory(prefix="assistant-eval-")
        store = ChromaVectorStore.embedded(Path(self._tmp.name) / "chroma")
        started = time.perf_counter()
        self.report = Ingestor(store, self._embedder).ingest(self._knowledge_dir, self._progress)
        self.index_seconds = time.perf_counter() - started
        calibrations = CalibrationStore(Path(self._tmp.name) / "calibration") if self._calibrate else None
        self.skill = PageAnswerSkill(HybridSearcher(PassageIndex(store), self._embedder), self._answerability,
                                     calibrations=calibrations)
        self.calibration = self.skill.calibrate()
        return self

    def __exit__(self, *exc_info) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


def evaluate_mode(skill: PageAnswerSkill, questions: list[EvalQuestion], mode: SearchMode,
                  embedder: SentenceTransformerEmbedder) -> list[QuestionOutcome]:
    """Answer every question with one search mode, timing each from a cold query cache."""
    embedder.clear_cache()
    skill.search("warm-up question about the handbook", EVERYONE, None, mode)
    outcomes = []
    for question in questions:
        started = time.perf_counter()
        # The language is guessed as the pipeline guesses it, so bilingual knowledge is searched as users see it.
        language = guess_language(question.question)
        result, probability = skill.search(question.question, EVERYONE, language, mode)
        flagged = not skill.decision(result, probability).answers  # as the reply decides
        passage = text_passage(result, result.hits[0]) if result.hits else None
        # Quoted as for an asker the staff directory does not list: the question's language may say where they work.
        reply = short_answer(result, passage, country=asker_country(None, language)) if passage is not None else ""
        latency_ms = (time.perf_counter() - started) * 1000
        outcomes.append(QuestionOutcome(
            question=question,
            ranked_paths=tuple(dict.fromkeys(hit.chunk.path for hit in result.hits)),
            top_passage=result.hits[0].chunk.text if result.hits else "",
            flagged_gap=flagged,
            latency_ms=latency_ms,
            reply=reply,
        ))
    return outcomes


def run_retrieval_evaluation(knowledge_dir: Path, questions_path: Path, modes: list[SearchMode],
                             embedder: SentenceTransformerEmbedder, answerability: AnswerabilityModel,
                             progress: ProgressSink | None = None,
                             on_mode: Callable[[str], None] | None = None) -> dict:
    """The figures of shared/eval/README.md, per mode, overall and by kind."""
    questions = load_questions(questions_path)
    with TemporaryKnowledgeBase(knowledge_dir, embedder, answerability, progress) as base:
        report: dict = {
            "calibration_shift": base.calibration.shift if base.calibration is not None else None,
            "documents": base.report.documents,
            "chunks": base.report.chunks,
            "index_seconds": round(base.index_seconds, 2),
            "skipped_files": [str(problem) for problem in base.report.problems],
            "modes": {},
        }
        for mode in modes:
            if on_mode is not None:
                on_mode(mode.value)
            outcomes = evaluate_mode(base.skill, questions, mode, embedder)
            figures = summarise(outcomes)
            figures["by_kind"] = summarise_by_kind(outcomes)
            report["modes"][mode.value] = figures
    return report


def run_answerability_calibration(pairs: list[tuple[Path, Path]], embedder: SentenceTransformerEmbedder,
                                  progress: ProgressSink | None = None) -> AnswerabilityModel:
    """Fit the answerability model on (knowledge dir, question file) pairs with hybrid search."""
    samples: list[tuple[dict[str, float], bool]] = []
    sources = []
    probes = []
    for knowledge_dir, questions_path in pairs:
        questions = load_questions(questions_path)
        sources.append(f"{questions_path.name} ({len(questions)} questions)")
        with TemporaryKnowledgeBase(knowledge_dir, embedder, AnswerabilityModel(), progress, calibrate=False) as base:
            for question in questions:
                result = base.skill.searcher.search(question.question, limit=10)
                samples.append((answerability_features(result), question.answerable))
            skill = base.skill
            probes.append(probe_features(skill.searcher.index.snapshot(), lambda texts, languages, skill=skill: [
                result for result, _ in skill.search_many(texts, Audience.MANAGERS, languages)]))
    model = fit_answerability(samples, sources)
    # The midpoint each knowledge base's own probes give under the fitted weights: a new knowledge base's
    # calibration shifts the decision by how far its midpoint lies from their mean.
    model.reference_midpoint = round(sum(probe_midpoint(model, positives, negatives)
                                         for positives, negatives in probes) / len(probes), 4)
    return model
