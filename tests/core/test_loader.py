"""Loading knowledge pages: front matter, shortcodes, broken files reported by name."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.errors import KnowledgeDirectoryError, KnowledgeFileError
from assistant.pages.loader import load_pages, parse_page
from assistant.pages.markdown_text import markdown_to_text
from tests.conftest import HANDBOOK_DIR, KNOWLEDGE_DIR, require_shared

PAGE = b"""---
title: Gift cards
owner: Loyalty Team (loyalty@example.test)
audience: staff
language: en
tags: [gift cards, balance]
review_by: 2027-01-31
url: https://intranet.example.test/gift-cards
---
Intro line.

## Balance
Check the balance at any till.
"""


def test_front_matter_fields_are_read():
    page = parse_page("customers/gift-cards.md", PAGE)
    assert page.title == "Gift cards"
    assert page.owner == "Loyalty Team (loyalty@example.test)"
    assert page.audience == "staff"
    assert page.language == "en"
    assert page.tags == ("gift cards", "balance")
    assert page.review_by == dt.date(2027, 1, 31)
    assert page.url == "https://intranet.example.test/gift-cards"
    assert page.body.lstrip().startswith("Intro line.")


def test_keywords_string_is_split_and_title_falls_back_to_heading():
    page = parse_page("x.md", b"---\nkeywords: leave, vacation , jury duty\n---\n# Leave types\ntext\n")
    assert page.title == "Leave types"
    assert page.tags == ("leave", "vacation", "jury duty")


def test_page_without_front_matter_gets_title_from_file_name():
    page = parse_page("staff/dress-code.md", b"Wear the green polo.\n")
    assert page.title == "Dress code"
    assert page.audience == "all"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"---\ntitle: [unclosed\n---\nbody\n", "not valid YAML"),
        (b"---\ntitle: Never closed\nbody\n", "never closed"),
        (b"---\n- a\n- b\n---\nbody\n", "must be a mapping"),
        (b"---\ntitle: X\naudience: everyone\n---\nbody\n", "audience"),
        (b"---\ntitle: X\nreview_by: next spring\n---\nbody\n", "review_by"),
        (b"---\ntitle: Caf\xe9\n---\nbody\n", "not valid UTF-8"),
    ],
)
def test_defective_pages_raise_an_error_naming_the_file(raw, reason):
    with pytest.raises(KnowledgeFileError) as caught:
        parse_page("bad/page.md", raw)
    assert caught.value.path == "bad/page.md"
    assert reason in str(caught.value)


def test_broken_files_are_reported_and_the_rest_still_load(tmp_path):
    (tmp_path / "good.md").write_bytes(PAGE)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "broken.md").write_bytes(b"---\ntitle: [oops\n---\nx\n")
    (tmp_path / "latin1.md").write_bytes(b"---\ntitle: Caf\xe9\n---\nx\n")
    result = load_pages(tmp_path)
    assert [d.path for d in result.documents] == ["good.md"]
    assert sorted(p.path for p in result.problems) == ["latin1.md", "sub/broken.md"]


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(KnowledgeDirectoryError, match="does not exist"):
        load_pages(tmp_path / "nowhere")


def test_liquid_shortcodes_and_markup_become_plain_text():
    text = markdown_to_text(
        'See [exchanges]({% page "/customers/exchanges" %}) and {% alert %}**Note**{% endalert %} '
        "<a href='x'>here</a> `code` &amp; more"
    )
    assert text == "See exchanges and Note here code & more"


def test_demo_knowledge_loads_without_problems():
    result = load_pages(KNOWLEDGE_DIR)
    assert not result.problems
    assert len(result.documents) >= 25
    assert {d.language for d in result.documents} == {"en", "it"}
    assert all(d.owner and d.review_by for d in result.documents)


def test_real_handbook_loads_every_page():
    pages = require_shared(HANDBOOK_DIR / "pages")
    result = load_pages(pages)
    assert not result.problems
    assert len(result.documents) == len(list(pages.rglob("*.md")))
