"""The routing decision and its calibration on out-of-fold predictions (pure parts; no Rasa needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.evaluation.intent_cross_validation import CrossValidationError, assign_folds, write_fold_data
from assistant.evaluation.routing_calibration import (
    RoutingDataError,
    RoutingSample,
    acceptable_decisions,
    calibrate_routing,
    routing_accuracy,
)
from assistant.nlu.errors import NLUDataError
from assistant.nlu.training_data import read_examples
from assistant.routing import DEFAULT_POLICY_PATH, Decision, RoutingPolicy, asks_question, decide

NLU_DATA = Path(__file__).resolve().parents[2] / "nlu_data"
POLICY = RoutingPolicy(min_intent_confidence=0.8, fallback_intent_confidence=0.4)


@pytest.mark.parametrize("text", ["how are you?", "a che ora chiudiamo?", "ok?? thanks"])
def test_a_question_mark_asks_something(text) -> None:
    assert asks_question(text)


@pytest.mark.parametrize("text", ["thanks, bye", "ciao", ""])
def test_no_question_mark_asks_nothing(text) -> None:
    assert not asks_question(text)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"answerable": True, "intent": "greet", "confidence": 0.99}, Decision.KNOWLEDGE),
        ({"answerable": False, "intent": "greet", "confidence": 0.5}, Decision.SMALL_TALK),
        ({"answerable": False, "intent": "greet", "confidence": 0.3}, Decision.GAP),
        ({"answerable": True, "intent": "handoff_human", "confidence": 0.9}, Decision.HANDOFF),
        ({"answerable": True, "intent": "handoff_human", "confidence": 0.7}, Decision.KNOWLEDGE),
        ({"answerable": False, "intent": "order_status", "confidence": 0.5}, Decision.ASK_ORDER_NUMBER),
        ({"answerable": False, "intent": None, "confidence": 0.0, "order_number_found": True},
         Decision.ORDER_LOOKUP),
        ({"answerable": True, "intent": "ask_policy", "confidence": 0.95, "order_number_found": True},
         Decision.KNOWLEDGE),
        ({"answerable": True, "intent": "ask_policy", "confidence": 0.95, "order_number_found": True,
          "awaiting_order_number": True}, Decision.ORDER_LOOKUP),
        ({"answerable": False, "intent": "out_of_scope", "confidence": 0.6}, Decision.OUT_OF_SCOPE),
        ({"answerable": True, "intent": "out_of_scope", "confidence": 0.99}, Decision.KNOWLEDGE),
        # An answer retrieval is surer of than NLU is of the hand-off or order intent is given.
        ({"answerable": True, "intent": "handoff_human", "confidence": 0.9, "knowledge_confidence": 0.95},
         Decision.KNOWLEDGE),
        ({"answerable": True, "intent": "handoff_human", "confidence": 0.9, "knowledge_confidence": 0.85},
         Decision.HANDOFF),
        ({"answerable": True, "intent": "order_status", "confidence": 0.9, "knowledge_confidence": 0.95},
         Decision.KNOWLEDGE_AND_ASK_ORDER_NUMBER),
        ({"answerable": True, "intent": "order_status", "confidence": 0.9, "knowledge_confidence": 0.85},
         Decision.ASK_ORDER_NUMBER),
        # Not answerable: the knowledge answer's confidence does not matter.
        ({"answerable": False, "intent": "handoff_human", "confidence": 0.5, "knowledge_confidence": 0.45},
         Decision.HANDOFF),
        # A page only managers may read answers it: in scope, and not small talk, whatever NLU guesses.
        ({"answerable": False, "intent": "out_of_scope", "confidence": 0.6, "withheld": True}, Decision.GAP),
        ({"answerable": False, "intent": "goodbye", "confidence": 0.95, "withheld": True}, Decision.GAP),
        ({"answerable": False, "intent": "handoff_human", "confidence": 0.6, "withheld": True}, Decision.HANDOFF),
        # A question is never thanks or a goodbye, however sure NLU is; greetings often are questions.
        ({"answerable": False, "intent": "goodbye", "confidence": 0.5, "is_question": True}, Decision.GAP),
        ({"answerable": False, "intent": "thanks", "confidence": 0.5, "is_question": True}, Decision.GAP),
        ({"answerable": False, "intent": "goodbye", "confidence": 0.95, "is_question": True}, Decision.GAP),
        ({"answerable": False, "intent": "goodbye", "confidence": 0.95}, Decision.SMALL_TALK),
        ({"answerable": False, "intent": "greet", "confidence": 0.5, "is_question": True}, Decision.SMALL_TALK),
        ({"answerable": False, "intent": "bot_capabilities", "confidence": 0.5, "is_question": True},
         Decision.SMALL_TALK),
        ({"answerable": False, "intent": "out_of_scope", "confidence": 0.5, "is_question": True},
         Decision.OUT_OF_SCOPE),
        # "That didn't help" is a vote on the previous answer, unless retrieval is surer it answers the message.
        ({"answerable": False, "intent": "not_helpful", "confidence": 0.8}, Decision.NOT_HELPFUL),
        ({"answerable": True, "intent": "not_helpful", "confidence": 0.9, "knowledge_confidence": 0.47},
         Decision.NOT_HELPFUL),
        ({"answerable": True, "intent": "not_helpful", "confidence": 0.6, "knowledge_confidence": 0.95},
         Decision.KNOWLEDGE),
        ({"answerable": False, "intent": "not_helpful", "confidence": 0.2}, Decision.GAP),
        # A number in the order format still goes to the order system.
        ({"answerable": True, "intent": "order_status", "confidence": 0.9, "knowledge_confidence": 0.95,
          "order_number_found": True}, Decision.ORDER_LOOKUP),
    ],
)
def test_decide(facts, expected) -> None:
    assert decide(POLICY, **facts) is expected


def _sample(gold: str, intent: str, confidence: float, answerable: bool) -> RoutingSample:
    return RoutingSample(text="t", gold_intent=gold, intent=intent, confidence=confidence, answerable=answerable,
                         order_number_found=False)


def test_calibration_finds_the_thresholds_that_route_best() -> None:
    samples = [
        # Greetings with no knowledge answer: Rasa is right but unsure, so the fallback must be low.
        *[_sample("greet", "greet", c, False) for c in (0.3, 0.4, 0.5)],
        # Knowledge questions retrieval answers: Rasa sometimes mistakes them for hand-offs at up to 0.7.
        *[_sample("ask_policy", "handoff_human", c, True) for c in (0.6, 0.7)],
        # Real hand-off requests that retrieval thinks it can answer, at 0.9.
        _sample("handoff_human", "handoff_human", 0.9, True),
        # Out-of-scope chatter Rasa takes for a greeting at 0.2: must not become small talk.
        _sample("out_of_scope", "greet", 0.2, False),
    ]
    policy, report = calibrate_routing(samples)
    assert 0.7 < policy.min_intent_confidence <= 0.9
    assert 0.2 < policy.fallback_intent_confidence <= 0.3
    assert report["macro_route_accuracy"] == 1.0 == routing_accuracy(samples, policy)
    assert policy.calibration["samples"] == len(samples)
    assert routing_accuracy(samples, RoutingPolicy(0.5, 0.1)) < 1.0


def test_calibration_replays_how_sure_retrieval_was_of_its_answer() -> None:
    # A knowledge question taken for a hand-off at 0.6 that retrieval answers at 0.9, beside a real hand-off at 0.5
    # whose nearest page scores 0.4: with the answers' confidence replayed, one threshold routes both well.
    samples = [
        RoutingSample(text="t", gold_intent="ask_policy", intent="handoff_human", confidence=0.6, answerable=True,
                      order_number_found=False, knowledge_confidence=0.9),
        RoutingSample(text="t", gold_intent="handoff_human", intent="handoff_human", confidence=0.5,
                      answerable=True, order_number_found=False, knowledge_confidence=0.4),
    ]
    policy, report = calibrate_routing(samples)
    assert report["macro_route_accuracy"] == 1.0 and policy.min_intent_confidence <= 0.5
    blind = [RoutingSample(**{**vars(sample), "knowledge_confidence": None}) for sample in samples]
    assert calibrate_routing(blind)[1]["macro_route_accuracy"] == 0.5


def test_calibration_needs_samples_and_known_intents() -> None:
    with pytest.raises(RoutingDataError):
        calibrate_routing([])
    with pytest.raises(RoutingDataError, match="no route"):
        acceptable_decisions("book_flight")


def test_examples_lose_their_entity_markup_and_folds_are_stratified(tmp_path) -> None:
    examples = read_examples(NLU_DATA / "nlu.yml")
    assert len(examples) >= 250
    marked = [e for e in examples if "](" in e.raw]
    assert marked and all("](" not in e.text and "[" not in e.text for e in marked)
    folds = assign_folds(examples, 3)
    for intent in {e.intent for e in examples}:
        counts = np.bincount(folds[[i for i, e in enumerate(examples) if e.intent == intent]], minlength=3)
        assert counts.max() - counts.min() <= 1
    write_fold_data(NLU_DATA, tmp_path, examples[:40])
    assert read_examples(tmp_path / "nlu.yml") == examples[:40]
    assert (tmp_path / "config.yml").read_text() == (NLU_DATA / "config.yml").read_text()


def test_unreadable_nlu_data_is_a_typed_error(tmp_path) -> None:
    (tmp_path / "nlu.yml").write_text("nlu: [\n", encoding="utf-8")
    with pytest.raises(NLUDataError, match="cannot read"):
        read_examples(tmp_path / "nlu.yml")
    (tmp_path / "nlu.yml").write_text("version: '3.1'\nnlu: []\n", encoding="utf-8")
    with pytest.raises(NLUDataError, match="no intent examples"):
        read_examples(tmp_path / "nlu.yml")
    with pytest.raises(CrossValidationError, match="two folds"):
        assign_folds(read_examples(NLU_DATA / "nlu.yml"), 1)


def test_the_shipped_policy_was_calibrated_on_data() -> None:
    policy = RoutingPolicy.load()
    assert DEFAULT_POLICY_PATH.exists()
    assert policy.calibration["samples"] >= 250
    assert 0.0 < policy.fallback_intent_confidence <= policy.min_intent_confidence < 1.0


@pytest.mark.slow  # trains Rasa twice on a slice of nlu_data
def test_calibration_end_to_end_on_a_slice_of_nlu_data(tmp_path, rasa_executable, embedder,
                                                       intent_spaces) -> None:
    """Real Rasa trained twice (2 folds) on 10 examples per intent, real knowledge index on a few pages."""
    from assistant.evaluation.routing_calibration import collect_routing_samples
    from tests.conftest import KNOWLEDGE_DIR

    examples = read_examples(NLU_DATA / "nlu.yml")
    per_intent: dict[str, list] = {}
    for example in examples:
        per_intent.setdefault(example.intent, []).append(example)
    chosen = [example for group in per_intent.values() for example in group[:10]]
    data_dir = tmp_path / "nlu_data"
    write_fold_data(NLU_DATA, data_dir, chosen)
    knowledge = tmp_path / "knowledge"
    (knowledge / "customers").mkdir(parents=True)
    for page in ("returns.md", "price-match.md", "gift-cards.md"):
        source = KNOWLEDGE_DIR / "en" / "customers" / page
        (knowledge / "customers" / page).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    samples = collect_routing_samples(data_dir, knowledge, embedder=embedder, intent_spaces=intent_spaces,
                                      rasa_executable=rasa_executable, work_dir=tmp_path / "work",
                                      order_number_pattern=r"ORD-\d{6,10}", folds=2)
    assert [sample.gold_intent for sample in samples] == [example.intent for example in chosen]
    assert all(sample.intent is not None and 0.0 < sample.confidence <= 1.0 for sample in samples)
    assert any(sample.answerable for sample in samples if sample.gold_intent == "ask_policy")
    assert not any(sample.answerable for sample in samples if sample.gold_intent in ("greet", "thanks"))
    assert any(sample.order_number_found for sample in samples if sample.gold_intent == "order_status")
    policy, report = calibrate_routing(samples)
    assert routing_accuracy(samples, policy) == pytest.approx(report["macro_route_accuracy"], abs=1e-4)
    assert report["macro_route_accuracy"] >= report["previous_policy_accuracy"]
    assert report["macro_route_accuracy"] > 0.5
