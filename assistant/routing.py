"""Which skill answers a message, given retrieval's answerability and NLU's intent.

The decision is a pure function of a few facts so that it can be calibrated offline: the
thresholds in `routing_policy.json` were chosen by `assistant eval routing`, which replays
out-of-fold Rasa predictions on `nlu_data/` through `decide` (see README, "Routing").
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from assistant.nlu.intents import SMALL_TALK_INTENTS, Intent

DEFAULT_POLICY_PATH = Path(__file__).with_name("routing_policy.json")


class Decision(StrEnum):
    """What the pipeline does with a message."""

    ORDER_LOOKUP = "order_lookup"
    ASK_ORDER_NUMBER = "ask_order_number"
    KNOWLEDGE_AND_ASK_ORDER_NUMBER = "knowledge_and_ask_order_number"
    """NLU calls it an order look-up, but retrieval is surer of its answer: the answer, then an offer to look up an
    order if the asker sends its number ("can an order still be cancelled once it is being picked?")."""
    HANDOFF = "handoff"
    NOT_HELPFUL = "not_helpful"
    """The asker says the previous reply did not help: a not-helpful vote on it, and an apology."""
    SMALL_TALK = "small_talk"
    KNOWLEDGE = "knowledge"
    OUT_OF_SCOPE = "out_of_scope"
    GAP = "gap"
    """Retrieval found nothing answerable and NLU has no confident intent: a knowledge gap."""


@dataclass(frozen=True)
class RoutingPolicy:
    """When an intent counts: to override an answerable retrieval result it needs `min_intent_confidence`;
    when retrieval has no answer, NLU's best guess is used from `fallback_intent_confidence`."""

    min_intent_confidence: float = 0.85
    fallback_intent_confidence: float = 0.35
    nlu_wait_seconds: float = 0.5
    calibration: dict = field(default_factory=dict, compare=False)
    """How the thresholds were chosen (data, folds, accuracy); empty for hand-set policies."""

    @classmethod
    def load(cls, path: Path | None = None) -> RoutingPolicy:
        """The policy at `path` when that file exists, else the calibrated one shipped with the code (read-only)."""
        chosen = path if path is not None and path.exists() else DEFAULT_POLICY_PATH
        return cls(**json.loads(chosen.read_text(encoding="utf-8")))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")


_CLOSINGS = frozenset({Intent.THANKS, Intent.GOODBYE})


def asks_question(text: str) -> bool:
    """Whether a message asks something, by its question mark (the same sign in English and Italian)."""
    return "?" in text


def decide(
    policy: RoutingPolicy,
    *,
    answerable: bool,
    intent: str | None,
    confidence: float,
    order_number_found: bool = False,
    awaiting_order_number: bool = False,
    knowledge_confidence: float | None = None,
    withheld: bool = False,
    is_question: bool = False,
) -> Decision:
    """The route for one message. An intent below the policy's threshold counts as no intent.

    `knowledge_confidence` is retrieval's probability that its answer is right. An answerable question goes to the
    hand-off or the order skill only when NLU is at least as sure of that intent; otherwise the answer is given (an
    order question's with an offer to look the order up). Without it, the threshold alone decides.

    `withheld`: a page the asker may not read answers the message, so it is in scope whatever NLU guesses, and never
    small talk. `is_question`: the message asks something (`asks_question`: a question mark). Thanks and goodbyes
    ask nothing, so a question is never taken for one: "a che ora chiudiamo la vigilia di natale?" (goodbye at
    0.34) and "what should I do before heading out on vacation so my team isn't left hanging?" (0.54) are gaps, not
    "A presto!" or "Bye for now!". Greetings and questions about the assistant are often questions ("come va?",
    "parli italiano?") and are not affected.
    """
    threshold = policy.min_intent_confidence if answerable else policy.fallback_intent_confidence
    accepted = intent if confidence >= threshold else None
    if withheld and (accepted in SMALL_TALK_INTENTS or accepted == Intent.OUT_OF_SCOPE):
        accepted = None
    if is_question and accepted in _CLOSINGS:
        accepted = None
    # A number in the order format is the strongest signal there is, unless NLU is sure the
    # message is about something else (e.g. a policy question that quotes an order number).
    if order_number_found and (accepted in (None, Intent.ORDER_STATUS) or awaiting_order_number):
        return Decision.ORDER_LOOKUP
    knowledge_is_surer = answerable and knowledge_confidence is not None and knowledge_confidence > confidence
    if accepted == Intent.ORDER_STATUS:
        return Decision.KNOWLEDGE_AND_ASK_ORDER_NUMBER if knowledge_is_surer else Decision.ASK_ORDER_NUMBER
    if accepted == Intent.HANDOFF_HUMAN and not knowledge_is_surer:
        return Decision.HANDOFF
    if accepted == Intent.NOT_HELPFUL and not knowledge_is_surer:
        return Decision.NOT_HELPFUL
    if accepted in SMALL_TALK_INTENTS and not answerable:
        return Decision.SMALL_TALK
    if answerable:
        return Decision.KNOWLEDGE
    if accepted == Intent.OUT_OF_SCOPE:
        return Decision.OUT_OF_SCOPE
    return Decision.GAP
