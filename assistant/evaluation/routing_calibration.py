"""`assistant eval routing`: choose the routing thresholds on data instead of guessing them.

Every example in `nlu_data/` gets an out-of-fold Rasa prediction (k models, each trained
without the fold it predicts) and a retrieval answerability decision from the real knowledge
index. Replaying these through `assistant.routing.decide` for every pair of thresholds gives
the share of examples routed where their labelled intent belongs; the best pair is kept.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from assistant.errors import AssistantError
from assistant.evaluation.nlu_eval import parse_with_rasa
from assistant.nlu.intents import SMALL_TALK_INTENTS, Intent
from assistant.nlu.rasa_training import CONFIG_FILE, RasaTrainer
from assistant.order_numbers import OrderNumberFinder
from assistant.routing import Decision, RoutingPolicy, decide

KNOWLEDGE_INTENTS = frozenset({Intent.ASK_POLICY, Intent.ASK_PURPOSE_VALUES, Intent.ASK_PROCEDURE})
_MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


class RoutingDataError(AssistantError):
    """`nlu_data/` cannot be read or split for the routing calibration."""


def acceptable_decisions(gold_intent: str) -> frozenset[Decision]:
    """Where a message with this labelled intent may go (a knowledge question may turn out a gap)."""
    if gold_intent in KNOWLEDGE_INTENTS:
        return frozenset({Decision.KNOWLEDGE, Decision.GAP})
    if gold_intent == Intent.ORDER_STATUS:
        return frozenset({Decision.ORDER_LOOKUP, Decision.ASK_ORDER_NUMBER})
    if gold_intent == Intent.HANDOFF_HUMAN:
        return frozenset({Decision.HANDOFF})
    if gold_intent in SMALL_TALK_INTENTS:
        return frozenset({Decision.SMALL_TALK})
    if gold_intent == Intent.OUT_OF_SCOPE:
        return frozenset({Decision.OUT_OF_SCOPE, Decision.GAP})
    raise RoutingDataError(f"no route is defined for intent {gold_intent!r}")


@dataclass(frozen=True)
class RoutingSample:
    """One labelled message with what NLU and retrieval said about it."""

    text: str
    gold_intent: str
    intent: str | None
    confidence: float
    answerable: bool
    order_number_found: bool

    def routed_well(self, policy: RoutingPolicy) -> bool:
        decision = decide(policy, answerable=self.answerable, intent=self.intent, confidence=self.confidence,
                          order_number_found=self.order_number_found)
        return decision in acceptable_decisions(self.gold_intent)


def routing_accuracy(samples: Sequence[RoutingSample], policy: RoutingPolicy) -> float:
    """Macro average over labelled intents of the share routed where they belong."""
    by_intent: dict[str, list[bool]] = {}
    for sample in samples:
        by_intent.setdefault(sample.gold_intent, []).append(sample.routed_well(policy))
    return float(np.mean([np.mean(results) for results in by_intent.values()])) if by_intent else 0.0


GRID = tuple(round(value, 2) for value in np.arange(0.05, 1.0, 0.05))


def calibrate_routing(samples: Sequence[RoutingSample], grid: Sequence[float] = GRID,
                      base: RoutingPolicy | None = None) -> tuple[RoutingPolicy, dict]:
    """The threshold pair with the best macro routing accuracy.

    Ties go to the highest `min_intent_confidence` (an intent overrides an answerable
    retrieval result only when NLU is surest), then to the middle of the tied fallback values.
    """
    if not samples:
        raise RoutingDataError("no samples to calibrate on")
    base = base or RoutingPolicy()
    scores = {(high, low): routing_accuracy(samples, RoutingPolicy(high, low, base.nlu_wait_seconds))
              for high in grid for low in grid}
    best = max(scores.values())
    high = max(h for (h, _), score in scores.items() if score == best)
    lows = sorted(low for (h, low), score in scores.items() if h == high and score == best)
    low = lows[len(lows) // 2]
    current = routing_accuracy(samples, base)
    report = {
        "samples": len(samples),
        "macro_route_accuracy": round(best, 4),
        "previous_policy_accuracy": round(current, 4),
        "min_intent_confidence": high,
        "fallback_intent_confidence": low,
        "per_intent": _per_intent(samples, RoutingPolicy(high, low, base.nlu_wait_seconds)),
    }
    policy = RoutingPolicy(high, low, base.nlu_wait_seconds, calibration={
        k: v for k, v in report.items() if k != "per_intent"})
    return policy, report


def _per_intent(samples: Sequence[RoutingSample], policy: RoutingPolicy) -> dict[str, float]:
    by_intent: dict[str, list[bool]] = {}
    for sample in samples:
        by_intent.setdefault(sample.gold_intent, []).append(sample.routed_well(policy))
    return {intent: round(float(np.mean(results)), 3) for intent, results in sorted(by_intent.items())}


# -- out-of-fold predictions --------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """One training line of nlu.yml: the raw line (with entity markup) and its intent."""

    raw: str
    intent: str

    @property
    def text(self) -> str:
        return _MARKUP.sub(r"\1", self.raw)


def read_examples(nlu_file: Path) -> list[Example]:
    """Every intent example of a Rasa 3.x NLU file."""
    try:
        document = yaml.safe_load(Path(nlu_file).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RoutingDataError(f"cannot read {nlu_file}: {error}") from error
    examples = []
    for block in (document or {}).get("nlu", []):
        if "intent" not in block:
            continue
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append(Example(line[2:].strip(), str(block["intent"])))
    if not examples:
        raise RoutingDataError(f"{nlu_file} has no intent examples")
    return examples


def assign_folds(examples: Sequence[Example], folds: int, seed: int = 0) -> np.ndarray:
    """A fold number per example, stratified by intent."""
    if folds < 2:
        raise RoutingDataError("cross-validation needs at least two folds")
    rng = np.random.default_rng(seed)
    assignment = np.zeros(len(examples), dtype=int)
    by_intent: dict[str, list[int]] = {}
    for index, example in enumerate(examples):
        by_intent.setdefault(example.intent, []).append(index)
    for indices in by_intent.values():
        shuffled = rng.permutation(indices)
        assignment[shuffled] = np.arange(len(shuffled)) % folds
    return assignment


def _write_fold_data(nlu_data_dir: Path, target: Path, examples: Sequence[Example]) -> None:
    """A copy of `nlu_data_dir` whose nlu.yml holds only `examples` (config and regexes as they are)."""
    target.mkdir(parents=True, exist_ok=True)
    for path in nlu_data_dir.glob("*.yml"):
        if path.name != "nlu.yml":
            shutil.copy2(path, target / path.name)
    by_intent: dict[str, list[str]] = {}
    for example in examples:
        by_intent.setdefault(example.intent, []).append(example.raw)
    blocks = [{"intent": intent, "examples": "".join(f"- {raw}\n" for raw in raws)}
              for intent, raws in by_intent.items()]
    (target / "nlu.yml").write_text(yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True,
                                                   sort_keys=False), encoding="utf-8")


def out_of_fold_predictions(
    nlu_data_dir: Path,
    *,
    rasa_executable: Path,
    work_dir: Path,
    folds: int = 3,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> list[tuple[Example, str | None, float]]:
    """(example, predicted intent, confidence) for every example, each from a model that never saw it."""
    nlu_data_dir = Path(nlu_data_dir)
    if not (nlu_data_dir / CONFIG_FILE).is_file():
        raise RoutingDataError(f"{nlu_data_dir} has no {CONFIG_FILE}")
    examples = read_examples(nlu_data_dir / "nlu.yml")
    assignment = assign_folds(examples, folds, seed)
    predictions: list[tuple[str | None, float]] = [(None, 0.0)] * len(examples)
    for fold in range(folds):
        held_out = np.flatnonzero(assignment == fold)
        kept = [examples[i] for i in np.flatnonzero(assignment != fold)]
        fold_dir = Path(work_dir) / f"fold-{fold}"
        _write_fold_data(nlu_data_dir, fold_dir / "data", kept)
        if progress is not None:
            progress(f"fold {fold + 1}/{folds}: training on {len(kept)} examples")
        model = RasaTrainer(rasa_executable, fold_dir / "data", fold_dir / "models").train(force=True).model_path
        rankings, _ = parse_with_rasa(model, [examples[i].text for i in held_out], rasa_executable=rasa_executable,
                                      work_dir=fold_dir / "parse", ranking_length=1)
        for index, ranking in zip(held_out, rankings, strict=True):
            predictions[index] = ranking[0] if ranking else (None, 0.0)
    return [(example, intent, confidence) for example, (intent, confidence) in zip(examples, predictions, strict=True)]


def collect_routing_samples(
    nlu_data_dir: Path,
    knowledge_dir: Path,
    *,
    embedder,
    rasa_executable: Path,
    work_dir: Path,
    order_number_pattern: str,
    folds: int = 3,
    progress: Callable[[str], None] | None = None,
) -> list[RoutingSample]:
    """Out-of-fold NLU predictions and live answerability decisions for every `nlu_data/` example."""
    from assistant.answering.answerability import AnswerabilityModel
    from assistant.evaluation.retrieval_eval import TemporaryKnowledgeBase
    from assistant.retrieval.language import guess_language

    predictions = out_of_fold_predictions(nlu_data_dir, rasa_executable=rasa_executable, work_dir=work_dir,
                                          folds=folds, progress=progress)
    order_numbers = OrderNumberFinder(order_number_pattern)
    if progress is not None:
        progress(f"asking the knowledge index about {len(predictions)} examples")
    samples = []
    with TemporaryKnowledgeBase(Path(knowledge_dir), embedder, AnswerabilityModel.load()) as base:
        for example, intent, confidence in predictions:
            text = example.text
            answer = base.skill.answer(text, audience="staff", language=guess_language(text, "en"))
            samples.append(RoutingSample(text=text, gold_intent=example.intent, intent=intent, confidence=confidence,
                                         answerable=answer.answerable,
                                         order_number_found=order_numbers.find(text) is not None))
    return samples
