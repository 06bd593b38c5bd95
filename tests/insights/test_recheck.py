"""Closing the loop: a page added for a gap resolves it at the next ingest's recheck, recording the page."""

from __future__ import annotations

from assistant.interactions import GapState
from assistant.models import GapReason, Message
from connectors.app.services import build_services
from tests.conftest import make_settings

QUESTION = "How many reusable bags can a customer get for free with a loyalty voucher?"
NEW_PAGE = """---
title: Reusable bag vouchers
owner: Sustainability Team (green@verdello.example)
audience: all
language: en
review_by: 2027-06-30
---
# Reusable bag vouchers

## How many bags a voucher gives

A loyalty voucher for reusable bags gives the customer three free reusable jute bags, once per visit.
Scan the voucher at the till, then hand over the bags from under the counter.
"""


def test_a_new_page_resolves_the_gap_it_answers(tmp_path, knowledge_copy, embedder, redactor) -> None:
    services = build_services(make_settings(tmp_path / "data", knowledge_dir=knowledge_copy), embedder=embedder,
                              redactor=redactor)
    try:
        services.ingestor().ingest(knowledge_copy)
        unanswered = services.assistant.handle(Message(QUESTION, asker="U1"))
        answered = services.assistant.handle(Message("How long does a customer have to return an item?"))
        assert unanswered.gap and not answered.gap
        assert services.recheck_gaps().resolved == {}, "nothing new answers it yet"

        (knowledge_copy / "en" / "customers" / "bag-vouchers.md").write_text(NEW_PAGE, encoding="utf-8")
        assert services.ingestor().ingest(knowledge_copy).changed
        result = services.recheck_gaps()

        assert result.resolved == {unanswered.answer_id: "en/customers/bag-vouchers.md"}
        [gap] = services.interactions.gaps(state=GapState.RESOLVED)
        assert (gap.resolved_page, gap.resolution) == ("en/customers/bag-vouchers.md", "recheck")
        assert services.interactions.gaps(state=GapState.OPEN) == []
    finally:
        services.close()


def test_a_figure_added_to_the_page_resolves_the_gap_that_asked_for_it(tmp_path, knowledge_copy, embedder,
                                                                        redactor) -> None:
    shifts = knowledge_copy / "en" / "staff" / "shifts-and-rota-swaps.md"
    services = build_services(make_settings(tmp_path / "data", knowledge_dir=knowledge_copy), embedder=embedder,
                              redactor=redactor)
    try:
        services.ingestor().ingest(knowledge_copy)
        asked = services.assistant.handle(Message("how much does it cost to swap a shift?", asker="U1"))
        assert asked.gap and asked.gap_reason is GapReason.UNSTATED_AMOUNT
        assert services.recheck_gaps().resolved == {}, "the page still states no amount"

        text = shifts.read_text(encoding="utf-8")
        rule = "You can make up to 4 swaps per month."
        shifts.write_text(text.replace(rule, f"{rule} A swap is free: there is no fee."), encoding="utf-8")
        assert services.ingestor().ingest(knowledge_copy).changed

        assert services.recheck_gaps().resolved == {asked.answer_id: "en/staff/shifts-and-rota-swaps.md"}
    finally:
        services.close()
