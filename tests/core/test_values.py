"""Values on the purpose page, the pages that link them, and the why line each page gets."""

from __future__ import annotations

import datetime as dt
import hashlib

from assistant.models import Chunk
from assistant.pages.checks import check_pages
from assistant.pages.loader import load_pages, parse_page
from assistant.pages.values import ValuesCatalog
from assistant.retrieval.vector_store import chunk_from_record, chunk_metadata, record_id
from tests.conftest import KNOWLEDGE_DIR

PURPOSE = """---
title: What we stand for
language: en
---
Intro text with no marker.

## Our values

### Plain speaking
<!-- value: plain-speaking -->
We tell customers what we know. We never guess.

### Careful hands
<!-- value: careful-hands -->
<!-- why: Nobody lifts a heavy load alone. -->
We look after people and plants. The longer story goes here.
"""

PURPOSE_IT = """---
title: Chi siamo
language: it
---
### Parlar chiaro
<!-- value: plain-speaking -->
Diciamo ai clienti quello che sappiamo. Non tiriamo mai a indovinare.
"""


def page(path: str, front: str, body: str = "Some text.\n") -> str:
    return f"---\n{front}\n---\n{body}"


def catalog(*pages: tuple[str, str]) -> ValuesCatalog:
    return ValuesCatalog.from_documents(parse_page(path, text.encode()) for path, text in pages)


def test_a_value_is_a_marked_section_and_its_why_is_the_first_sentence_or_the_declared_one():
    values = catalog(("en/purpose.md", PURPOSE))
    assert values.slugs == {"plain-speaking", "careful-hands"}
    assert values.find("plain-speaking", "en").line == "Plain speaking: We tell customers what we know."
    assert values.find("careful-hands", "en").line == "Careful hands: Nobody lifts a heavy load alone."
    assert values.problems == []


def test_the_why_is_in_the_page_language_when_the_purpose_page_exists_in_it_else_english():
    values = catalog(("en/purpose.md", PURPOSE), ("it/chi-siamo.md", PURPOSE_IT))
    italian = parse_page("it/resi.md", page("", "language: it\nvalues: [plain-speaking, careful-hands]").encode())
    assert values.why_for(italian) == "Parlar chiaro: Diciamo ai clienti quello che sappiamo."
    only_english = parse_page("it/x.md", page("", "language: it\nvalues: [careful-hands]").encode())
    assert values.why_for(only_english) == "Careful hands: Nobody lifts a heavy load alone."


def test_a_page_with_no_link_or_only_unknown_links_gets_no_why():
    values = catalog(("en/purpose.md", PURPOSE))
    unlinked = parse_page("en/a.md", page("", "title: A").encode())
    unknown = parse_page("en/b.md", page("", "values: [no-such-value]").encode())
    assert values.why_for(unlinked) is None and values.why_for(unknown) is None
    assert values.unknown_links([unlinked, unknown]) == [
        {"path": "en/b.md", "value": "no-such-value", "reason": "no value named 'no-such-value'"}]


def test_the_first_linked_value_that_exists_speaks_for_the_page():
    values = catalog(("en/purpose.md", PURPOSE))
    linked = parse_page("en/a.md", page("", "values: [gone, Careful-Hands, plain-speaking]").encode())
    assert linked.values == ("gone", "careful-hands", "plain-speaking")
    assert values.why_for(linked) == "Careful hands: Nobody lifts a heavy load alone."


def test_malformed_values_are_a_warning_and_the_page_keeps_everything_else():
    for bad in ("values: straight-talk", "values: [1, 2]", "values: {a: b}", "values: ['']"):
        document = parse_page("en/a.md", page("", f"title: Kept\ntags: [x]\n{bad}").encode())
        assert document.title == "Kept" and document.tags == ("x",) and document.values == ()
        assert len(document.warnings) == 1 and "values must be a list of value names" in document.warnings[0]


def test_bad_markers_are_reported_and_a_duplicate_keeps_the_first_definition():
    extra = page("", "language: en", "### Again\n<!-- value: plain-speaking -->\nOther words.\n\n"
                                     "### Shouting\n<!-- value: Not A Slug -->\nText.\n")
    values = catalog(("en/purpose.md", PURPOSE), ("en/z.md", extra))
    assert values.find("plain-speaking", "en").path == "en/purpose.md"
    reasons = {problem["reason"] for problem in values.problems}
    assert reasons == {"value 'plain-speaking' is already defined in en/purpose.md",
                       "value name 'Not A Slug' is not a slug (lower-case words joined by '-')"}


def test_knowledge_check_reports_unknown_and_malformed_value_links(knowledge_copy):
    (knowledge_copy / "en" / "bad-link.md").write_text(
        page("", "title: Bad link\nowner: X\nreview_by: 2099-01-01\nvalues: [straight-talk, kindness]"),
        encoding="utf-8")
    (knowledge_copy / "en" / "bad-shape.md").write_text(
        page("", "title: Bad shape\nowner: X\nreview_by: 2099-01-01\nvalues: straight-talk"), encoding="utf-8")
    result = check_pages(knowledge_copy, today=dt.date(2026, 1, 1))
    assert result.ok and result.broken == [], "value problems never make a page unreadable"
    by_path = {problem["path"]: problem for problem in result.values}
    assert set(by_path) == {"en/bad-link.md", "en/bad-shape.md"}
    assert by_path["en/bad-link.md"]["value"] == "kindness"
    assert "values must be a list" in by_path["en/bad-shape.md"]["reason"]
    assert result.as_dict()["values"] == result.values


def test_every_value_link_in_the_demo_knowledge_resolves_in_both_languages():
    documents = load_pages(KNOWLEDGE_DIR).documents
    values = ValuesCatalog.from_documents(documents)
    assert values.problems == [] and values.unknown_links(documents) == []
    assert {(slug, language) for slug, language in values.values} == {
        (slug, language) for slug in ("rooted-in-care", "straight-talk", "green-by-default", "better-together")
        for language in ("en", "it")}
    linked = {document.path: values.why_for(document) for document in documents if document.values}
    assert linked["it/staff/ferie.md"].startswith("Radicati nella cura: ")
    assert linked["en/stores/health-and-safety-accidents.md"].startswith("Rooted in care: ")
    assert all(why for why in linked.values())
    assert any(path.startswith("it/") for path in linked) and any(path.startswith("en/") for path in linked)


def test_the_why_line_is_stored_with_the_chunk_and_a_chunk_without_one_keeps_its_record_id():
    chunk = Chunk(chunk_id="c1", path="en/a.md", title="A", section="S", text="t", content_hash="h")
    # The id a chunk had before chunks carried a why line: pages without one are not rewritten by the upgrade.
    assert record_id(chunk) == "c1@" + hashlib.sha1(b"h\x1f").hexdigest()[:16]
    with_why = Chunk(**{**chunk.__dict__, "why": "Straight talk: We say what we know."})
    assert record_id(with_why) != record_id(chunk)
    assert chunk_from_record("t", chunk_metadata(with_why, 1)).why == with_why.why
    assert chunk_from_record("t", {k: v for k, v in chunk_metadata(chunk, 1).items() if k != "why"}).why is None
