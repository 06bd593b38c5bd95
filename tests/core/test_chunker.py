"""Chunking by headings: section paths, sizes, stable ids and content hashes."""

from __future__ import annotations

from assistant.pages.chunker import ChunkingPolicy, chunk_document
from assistant.pages.loader import parse_page

BODY = """---
title: Returns policy
owner: Customer Policy Team
tags: [returns]
---
Our returns promise in one line, with enough words to stand on its own as a passage here.

## Time limits
Most items can be returned within 30 days with a receipt. Plants have a separate guarantee.

### Large items
Sheds and greenhouses must be returned within 14 days and collected by our carrier.

```
## not a heading inside code
```

## Refund method
Refunds go back to the original payment method within five working days of the return.
"""


def _chunks(body: str = BODY, policy: ChunkingPolicy | None = None):
    return chunk_document(parse_page("en/customers/returns.md", body.encode()), policy)


def test_sections_keep_their_heading_path():
    # Short sections are packed into one passage; each keeps its heading path on its own window.
    sections = {c.section for c in _chunks() if c.kind in ("section", "window")}
    assert {"Time limits", "Time limits > Large items", "Refund method"} <= sections
    assert not any("not a heading" in s for s in sections)


def test_short_sections_are_packed_under_their_headings():
    passages = [c for c in _chunks() if c.kind == "section"]
    assert len(passages) == 1
    assert "Large items: Sheds and greenhouses" in passages[0].text
    assert "Refund method: Refunds go back" in passages[0].text
    unpacked = [c for c in _chunks(policy=ChunkingPolicy(pack_sections=False)) if c.kind == "section"]
    assert {"Time limits", "Time limits > Large items", "Refund method"} <= {c.section for c in unpacked}


def test_page_card_carries_tags():
    cards = [c for c in _chunks() if c.kind == "card"]
    assert len(cards) == 1 and "returns" in cards[0].text


def test_ids_are_stable_and_hashes_follow_content():
    first = {c.chunk_id: c.content_hash for c in _chunks()}
    again = {c.chunk_id: c.content_hash for c in _chunks()}
    assert first == again
    edited = {c.chunk_id: c.content_hash for c in _chunks(BODY.replace("five working days", "three days"))}
    assert edited.keys() == first.keys()
    changed = [cid for cid in first if first[cid] != edited[cid]]
    # The passage holding the edited section changes, and so does that section's window: nothing else.
    assert changed and len({cid.split("-w")[0] for cid in changed}) == 1
    assert len(changed) <= 2


def test_long_sections_are_split_into_passages_with_windows():
    sentences = " ".join(f"Rule number {i} says staff check the receipt date carefully." for i in range(80))
    chunks = _chunks(f"---\ntitle: Long\n---\n## Rules\n{sentences}\n", ChunkingPolicy(max_words=120, window_words=40))
    passages = [c for c in chunks if c.kind == "section"]
    windows = [c for c in chunks if c.kind == "window"]
    assert len(passages) >= 4
    assert all(len(p.text.split()) <= 120 for p in passages)
    assert windows and all(w.parent_id in {p.chunk_id for p in passages} for w in windows)
    assert all(len(w.text.split()) <= 40 for w in windows)


def test_tiny_section_is_folded_into_the_next():
    chunks = _chunks("---\ntitle: T\n---\n## Short\nSee below.\n\n## Full\n" + "word " * 30 + "\n")
    passages = [c for c in chunks if c.kind == "section"]
    assert len(passages) == 1 and passages[0].text.startswith("Short: See below.")


def test_each_phrasing_in_questions_is_its_own_question_chunk_and_short_items_stay_in_the_card():
    page = ("---\ntitle: Returns policy\nquestions:\n  - Can a customer bring back a used mower?\n  - people-ops\n"
            "  - someone@verdello.example\n---\n## Time limits\n\nThirty days from purchase for most items.\n")
    chunks = chunk_document(parse_page("en/customers/returns.md", page.encode()))
    assert [chunk.text for chunk in chunks if chunk.kind == "question"] == ["Can a customer bring back a used mower?"]
    [card] = [chunk for chunk in chunks if chunk.kind == "card"]
    assert "people-ops" in card.text


def test_passages_know_their_place_in_the_page_and_windows_their_passages():
    sentences = " ".join(f"Rule number {i} says staff check the receipt date carefully." for i in range(80))
    body = f"---\ntitle: Long\n---\n## Rules\n{sentences}\n"
    for policy in (ChunkingPolicy(max_words=120, window_words=40),
                   ChunkingPolicy(max_words=120, window_words=40, pack_sections=False)):
        chunks = _chunks(body, policy)
        passages = [c for c in chunks if c.kind == "section"]
        assert [p.position for p in passages] == list(range(len(passages))) and len(passages) >= 4
        # Their order is the text's: the first rule is in the first passage, the last in the last.
        assert "Rule number 0 " in passages[0].text and "Rule number 79 " in passages[-1].text
        position_of = {p.chunk_id: p.position for p in passages}
        windows = [c for c in chunks if c.kind == "window"]
        assert windows and all(w.position == position_of[w.parent_id] for w in windows)
        assert all(c.position is None for c in chunks if c.kind in ("card", "question"))


SIGNPOSTED = """---
title: Meal vouchers
owner: People Team
---
Colleagues in Italy get one electronic meal voucher for every worked day with a lunch break. This page explains who
gets them, what they are worth and where to spend them. UK colleagues have no equivalent allowance.

## Where to spend them
The card works in bars, restaurants and partner supermarkets that show the network's logo, up to 8 vouchers at once.
"""


def test_windows_leave_out_signposts_and_the_passage_keeps_them():
    chunks = _chunks(SIGNPOSTED)
    passage = next(c for c in chunks if c.kind == "section")
    windows = [c for c in chunks if c.kind == "window"]
    assert "This page explains who" in passage.text
    opening = next(w for w in windows if w.section == "")
    assert opening.text == ("Colleagues in Italy get one electronic meal voucher for every worked day with a lunch "
                            "break. UK colleagues have no equivalent allowance.")
    assert not any("This page" in w.text for w in windows)


def test_a_single_section_with_a_signpost_gets_a_window_without_it():
    body = SIGNPOSTED.split("## Where")[0]
    chunks = _chunks(body)
    windows = [c for c in chunks if c.kind == "window"]
    assert len(windows) == 1 and "This page" not in windows[0].text
    assert "This page" in next(c for c in chunks if c.kind == "section").text
    signpost = " This page explains who\ngets them, what they are worth and where to spend them."
    plain = _chunks(body.replace(signpost, ""))
    assert not [c for c in plain if c.kind == "window"], "a short section without a signpost stands as its own passage"
