"""The reliability table: answers binned by stated confidence, each bin's accuracy, the calibration error."""

from __future__ import annotations

import pytest

from assistant.evaluation.confidence_reliability import reliability


def test_bins_hold_their_answers_and_the_error_weighs_each_bins_gap() -> None:
    answers = [(0.5, False), (0.55, True), (0.95, True), (0.97, True), (1.0, False), (0.85, True)]
    table = reliability(answers)
    assert [(b.low, b.high, b.answers) for b in table.bins] == [(0.0, 0.6, 2), (0.8, 0.9, 1), (0.9, 1.0, 3)]
    low, middle, high = table.bins
    assert (middle.mean_confidence, middle.accuracy) == (0.85, 1.0)
    assert (low.mean_confidence, low.accuracy) == (0.525, 0.5)
    assert (high.mean_confidence, high.accuracy) == (0.973, 0.667)
    expected = (2 * abs(0.525 - 0.5) + abs(0.85 - 1.0) + 3 * abs((0.95 + 0.97 + 1.0) / 3 - 2 / 3)) / 6
    assert table.calibration_error == pytest.approx(expected, abs=1e-3)
    assert (table.answers, table.accuracy) == (6, round(4 / 6, 3))


def test_a_perfectly_stated_set_has_no_error_and_no_answers_is_empty() -> None:
    assert reliability([(1.0, True), (1.0, True)]).calibration_error == 0.0
    empty = reliability([])
    assert (empty.answers, empty.bins, empty.calibration_error) == (0, (), 0.0)


def test_edges_must_span_zero_to_one() -> None:
    with pytest.raises(ValueError, match=r"rise from 0\.0 to 1\.0"):
        reliability([(0.5, True)], edges=(0.2, 1.0))
