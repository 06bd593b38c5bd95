"""The themes' path for many distinct questions (sample clustered, near-duplicates joined, a budget of embeddings),
forced here with small budgets on the synthetic gap set and variants of its questions typed the way staff type."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import yaml
from sklearn.metrics import adjusted_rand_score

from assistant.insights.themes import ThemeBuilder, ThemeInput

SYNTHETIC = Path(__file__).resolve().parents[1] / "data" / "synthetic_gaps.yml"
OPENINGS = ("", "hi, ", "hello ", "quick one: ", "ciao, ")
ENDINGS = ("", "?", " thanks", " pls", " grazie", "!!")
MAX_CLUSTERED, MAX_EMBEDDED = 40, 90


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.texts = 0

    @property
    def name(self) -> str:
        return self._inner.name

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        self.texts += len(texts)
        return self._inner.encode(texts)


def typed(question: str, rng: random.Random) -> str:
    """The question with a typo, a greeting, a sign-off or different casing."""
    words = question.split()
    long_words = [index for index, word in enumerate(words) if len(word) > 4 and word.isalpha()]
    if long_words and rng.random() < 0.6:
        index = rng.choice(long_words)
        at = rng.randrange(1, len(words[index]) - 2)
        words[index] = words[index][:at] + words[index][at + 1] + words[index][at] + words[index][at + 2:]
    text = rng.choice(OPENINGS) + " ".join(words) + rng.choice(ENDINGS)
    return text.upper() if rng.random() < 0.1 else text


@pytest.fixture(scope="module")
def many(redactor) -> tuple[list[ThemeInput], dict[str, str]]:
    """Every synthetic question asked five times: as written (twice, so repeats count) and in three variants."""
    data = yaml.safe_load(SYNTHETIC.read_text(encoding="utf-8"))
    rng = random.Random(11)
    gaps, truth = [], {}
    planted = [(group, question) for group, questions in data["groups"].items() for question in questions]
    planted += [(f"noise-{number}", question) for number, question in enumerate(data["noise"])]
    for group, question in planted:
        clean = redactor.redact(question)
        for copy, text in enumerate([clean, clean] + [typed(clean, rng) for _ in range(3)]):
            gap_id = f"{group}-{len(gaps)}-{copy}"
            gaps.append(ThemeInput(gap_id, text))
            truth[gap_id] = group
    return gaps, truth


@pytest.fixture(scope="module")
def grouped(many, embedder):
    counting = CountingEmbedder(embedder)
    grouping = ThemeBuilder(counting, max_clustered=MAX_CLUSTERED, max_embedded=MAX_EMBEDDED).group(many[0])
    return grouping, counting.texts


def test_no_more_questions_are_embedded_than_the_budget(many, grouped) -> None:
    grouping, embedded_texts = grouped
    distinct = len({gap.question for gap in many[0]})
    assert distinct > 3 * MAX_EMBEDDED, "the test must force the sampled path"
    assert embedded_texts == grouping.embedded <= MAX_EMBEDDED


def test_sampled_themes_keep_the_planted_groups_together(many, grouped) -> None:
    gaps, truth = many
    grouping, _ = grouped
    theme_of = {member: theme.theme_id for theme in grouping.themes for member in theme.member_ids}
    ids = [gap.gap_id for gap in gaps]
    assert adjusted_rand_score([truth[i] for i in ids], [theme_of[i] for i in ids]) >= 0.6
    for group in {label for label in truth.values() if not label.startswith("noise")}:
        spread = Counter(theme_of[gap_id] for gap_id, label in truth.items() if label == group)
        assert sum(count for _, count in spread.most_common(2)) > sum(spread.values()) / 2, (group, spread)


def test_every_question_is_represented_by_an_embedded_question_or_by_none(many, grouped) -> None:
    gaps, truth = many
    grouping, _ = grouped
    assert set(grouping.representative) == {gap.question for gap in gaps}
    stand_ins = {question for question in grouping.representative.values() if question is not None}
    assert len(stand_ins) == grouping.embedded
    group_of_question = {gap.question: truth[gap.gap_id] for gap in gaps}
    linked = [(question, stand_in) for question, stand_in in grouping.representative.items()
              if stand_in is not None and stand_in != question]
    assert linked, "near-duplicates were joined without being embedded"
    same_group = sum(group_of_question[question] == group_of_question[stand_in] for question, stand_in in linked)
    assert same_group >= 0.9 * len(linked)


def test_the_sampled_path_gives_the_same_themes_for_the_same_gaps(many, grouped, embedder) -> None:
    again = ThemeBuilder(embedder, max_clustered=MAX_CLUSTERED, max_embedded=MAX_EMBEDDED).build(
        list(reversed(many[0])))
    assert {(t.theme_id, t.member_ids) for t in again} == {(t.theme_id, t.member_ids) for t in grouped[0].themes}


def test_budgets_must_make_sense(embedder) -> None:
    with pytest.raises(ValueError):
        ThemeBuilder(embedder, max_clustered=100, max_embedded=50)
