"""What the intent classifiers answer for one text: an intent, how sure, and whether it is out of scope."""

from __future__ import annotations

from dataclasses import dataclass, field

OUT_OF_SCOPE = "oos"
"""The label of out-of-scope examples in training data (CLINC150's name for it)."""


@dataclass(frozen=True)
class IntentPrediction:
    """The best in-scope intent for a text, its confidence, and the out-of-scope decision.

    `intent` is always the best in-scope candidate, even when the text was judged out of
    scope (a low-confidence guess is still useful in a gap report); `accepted_intent` is the
    intent to act on, or None when the text is out of scope. `ranking` holds the best
    in-scope intents with their probabilities, best first.
    """

    intent: str
    confidence: float
    is_out_of_scope: bool
    ranking: tuple[tuple[str, float], ...] = field(default_factory=tuple)

    @property
    def accepted_intent(self) -> str | None:
        """The intent to act on, or None when the text is out of scope."""
        return None if self.is_out_of_scope else self.intent

    def label(self, out_of_scope_label: str = OUT_OF_SCOPE) -> str:
        """The intent, or `out_of_scope_label` when out of scope (the form benchmarks score)."""
        return out_of_scope_label if self.is_out_of_scope else self.intent

    def routed(self, out_of_scope_label: str = OUT_OF_SCOPE) -> tuple[str, float]:
        """The (intent, confidence) routing acts on: the intent and its probability, or for a text judged out of
        scope the out-of-scope label with 1 minus the best in-scope probability (how unlike every intent it is)."""
        if self.is_out_of_scope:
            return out_of_scope_label, 1.0 - self.confidence
        return self.intent, self.confidence
