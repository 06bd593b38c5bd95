"""`assistant eval routing`: choose the routing thresholds on data instead of guessing them.

Every example in `nlu_data/` gets an out-of-fold prediction of the intent ensemble (k Rasa
models, each trained without the fold it predicts; see `intent_cross_validation`) and a
retrieval answerability decision from the real knowledge index. Replaying these through
`assistant.routing.decide` for every pair of thresholds gives the share of examples routed
where their labelled intent belongs; the best pair is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import AssistantError
from assistant.nlu.intents import SMALL_TALK_INTENTS, Intent
from assistant.order_numbers import OrderNumberFinder
from assistant.routing import Decision, RoutingPolicy, asks_question, decide

KNOWLEDGE_INTENTS = frozenset({Intent.ASK_POLICY, Intent.ASK_PURPOSE_VALUES, Intent.ASK_PROCEDURE})


class RoutingDataError(AssistantError):
    """`nlu_data/` cannot be read or split for the routing calibration."""


def acceptable_decisions(gold_intent: str) -> frozenset[Decision]:
    """Where a message with this labelled intent may go (a knowledge question may turn out a gap)."""
    if gold_intent in KNOWLEDGE_INTENTS:
        return frozenset({Decision.KNOWLEDGE, Decision.KNOWLEDGE_AND_ASK_ORDER_NUMBER, Decision.GAP})
    if gold_intent == Intent.ORDER_STATUS:
        return frozenset({Decision.ORDER_LOOKUP, Decision.ASK_ORDER_NUMBER, Decision.KNOWLEDGE_AND_ASK_ORDER_NUMBER})
    if gold_intent == Intent.HANDOFF_HUMAN:
        return frozenset({Decision.HANDOFF})
    if gold_intent == Intent.NOT_HELPFUL:
        return frozenset({Decision.NOT_HELPFUL})
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
    knowledge_confidence: float | None = None
    """Retrieval's probability that its answer is right (the answer's `confidence`), answerable or not."""
    withheld: bool = False
    """Whether only a page the asker may not read answers it."""

    def routed_well(self, policy: RoutingPolicy) -> bool:
        decision = decide(policy, answerable=self.answerable, intent=self.intent, confidence=self.confidence,
                          order_number_found=self.order_number_found, knowledge_confidence=self.knowledge_confidence,
                          withheld=self.withheld, is_question=asks_question(self.text))
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


def collect_routing_samples(
    nlu_data_dir: Path,
    knowledge_dir: Path,
    *,
    embedder,
    intent_spaces,
    rasa_executable: Path,
    work_dir: Path,
    order_number_pattern: str,
    folds: int = 3,
    progress: Callable[[str], None] | None = None,
) -> list[RoutingSample]:
    """Out-of-fold intent ensemble predictions and live answerability decisions for every `nlu_data/` example.

    The ensemble is cross-validated exactly as `assistant eval intents` does it, so the thresholds are chosen on
    the intents and confidences live routing will see. `embedder` indexes the knowledge; `intent_spaces` embeds
    messages for the intent classifier.
    """
    from assistant.answering.answerability import AnswerabilityModel
    from assistant.evaluation.intent_cross_validation import (
        OUT_OF_SCOPE,
        cross_validate,
        embed_examples,
        rasa_out_of_fold,
    )
    from assistant.evaluation.retrieval_eval import TemporaryKnowledgeBase
    from assistant.retrieval.language import guess_language

    data = rasa_out_of_fold(nlu_data_dir, rasa_executable=rasa_executable, work_dir=work_dir, folds=folds,
                            progress=progress)
    predictions = cross_validate(data, embed_examples(data, intent_spaces)).ensemble
    order_numbers = OrderNumberFinder(order_number_pattern)
    if progress is not None:
        progress(f"asking the knowledge index about {len(predictions)} examples")
    samples = []
    with TemporaryKnowledgeBase(Path(knowledge_dir), embedder, AnswerabilityModel.load()) as base:
        for example, prediction in zip(data.examples, predictions, strict=True):
            text = example.text
            intent, confidence = prediction.routed(OUT_OF_SCOPE)
            answer = base.skill.answer(text, audience="staff", language=guess_language(text, "en"))
            samples.append(RoutingSample(text=text, gold_intent=example.intent, intent=intent, confidence=confidence,
                                         answerable=answer.answerable,
                                         order_number_found=order_numbers.find(text) is not None,
                                         knowledge_confidence=answer.confidence,
                                         withheld=answer.withheld is not None))
    return samples
