"""Themes on a synthetic gap set with known groups (English and Italian, paraphrases, personal data planted)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from sklearn.metrics import adjusted_rand_score

from assistant.insights.themes import ThemeBuilder, ThemeInput

SYNTHETIC = Path(__file__).resolve().parents[1] / "data" / "synthetic_gaps.yml"
PLANTED_PERSONAL_DATA = ("Sarah Jones", "07700 900123", "mark.evans@example.com", "Tom Baker", "Giulia Rossi")


@pytest.fixture(scope="module")
def synthetic(redactor) -> tuple[list[ThemeInput], dict[str, str]]:
    data = yaml.safe_load(SYNTHETIC.read_text(encoding="utf-8"))
    gaps, truth = [], {}
    for group, questions in data["groups"].items():
        for number, question in enumerate(questions):
            gap_id = f"{group}-{number}"
            gaps.append(ThemeInput(gap_id, redactor.redact(question)))
            truth[gap_id] = group
    for number, question in enumerate(data["noise"]):
        gaps.append(ThemeInput(f"noise-{number}", redactor.redact(question)))
        truth[f"noise-{number}"] = f"noise-{number}"  # each one-off is its own group
    return gaps, truth


@pytest.fixture(scope="module")
def themes(synthetic, embedder):
    gaps, _ = synthetic
    return ThemeBuilder(embedder).build(gaps)


def test_themes_agree_with_the_planted_groups(synthetic, themes) -> None:
    gaps, truth = synthetic
    theme_of = {member: theme.theme_id for theme in themes for member in theme.member_ids}
    ids = [gap.gap_id for gap in gaps]
    assert adjusted_rand_score([truth[i] for i in ids], [theme_of[i] for i in ids]) >= 0.7


def test_every_planted_group_is_recovered_as_one_theme_or_two(synthetic, themes) -> None:
    _, truth = synthetic
    theme_of = {member: theme.theme_id for theme in themes for member in theme.member_ids}
    groups = {group for group in truth.values() if not group.startswith("noise")}
    for group in groups:
        members = [gap_id for gap_id, label in truth.items() if label == group]
        spread = Counter(theme_of[member] for member in members)
        top_two = sum(count for _, count in spread.most_common(2))
        assert top_two > len(members) / 2, (group, spread)
        for theme_id, _ in spread.most_common(1):
            theme_members = next(theme.member_ids for theme in themes if theme.theme_id == theme_id)
            assert sum(truth[m] == group for m in theme_members) > len(theme_members) / 2, (group, theme_members)


def test_labels_read_in_the_questions_language_and_hold_no_personal_data(themes) -> None:
    labels = {theme.label for theme in themes if len(theme.member_ids) > 2}
    assert any("turno" in label for label in labels) and any("gift" in label for label in labels)
    shown = " ".join(labels) + " ".join(example for theme in themes for example in theme.examples)
    for planted in PLANTED_PERSONAL_DATA:
        assert planted not in shown
    assert "[" not in " ".join(labels), "no redaction placeholders in labels"


def test_the_same_gaps_give_the_same_themes(synthetic, themes, embedder) -> None:
    gaps, _ = synthetic
    again = ThemeBuilder(embedder).build(list(reversed(gaps)))
    assert {(theme.theme_id, theme.member_ids) for theme in again} == {(t.theme_id, t.member_ids) for t in themes}
