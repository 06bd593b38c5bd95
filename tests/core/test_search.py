"""Hybrid search over the demo knowledge: right pages, filters by audience and language."""

from __future__ import annotations

import pytest

from assistant.retrieval.search import SearchFilters, SearchMode


@pytest.fixture(scope="module")
def searcher(company_services):
    return company_services.skill.searcher


@pytest.mark.parametrize(
    ("question", "page"),
    [
        ("how long does a customer have to return a lawnmower?", "en/customers/returns.md"),
        ("can we price match a competitor's website", "en/customers/price-match.md"),
        ("what should I wear on the shop floor", "en/staff/dress-code.md"),
        ("how do I claim back a train ticket for a training day", "en/staff/expenses.md"),
    ],
)
def test_hybrid_search_finds_the_page(searcher, question, page):
    paths = [hit.chunk.path for hit in searcher.search(question).hits[:3]]
    assert page in paths


@pytest.mark.parametrize("mode", list(SearchMode))
def test_every_mode_returns_ranked_pages_once(searcher, mode):
    hits = searcher.search("gift card balance check", mode=mode, limit=5).hits
    paths = [hit.chunk.path for hit in hits]
    assert hits and len(paths) == len(set(paths))
    assert all(hit.chunk.kind == "section" for hit in hits)


def test_audience_filter_hides_manager_pages_from_staff(searcher):
    question = "who can authorise a refund above the store limit"
    staff = searcher.search(question, SearchFilters(audiences=("all", "staff")), limit=10).hits
    managers = searcher.search(question, SearchFilters(audiences=("all", "staff", "managers")), limit=10).hits
    assert all(hit.chunk.audience != "managers" for hit in staff)
    assert any(hit.chunk.audience == "managers" for hit in managers)


def test_language_filter_returns_italian_pages(searcher):
    hits = searcher.search("quanti giorni ha il cliente per un reso", SearchFilters(languages=("it",))).hits
    assert hits and all(hit.chunk.language == "it" for hit in hits)
    assert hits[0].chunk.path == "it/customers/resi.md"
