"""Markdown to plain text: a table keeps its rows and cells apart, so a quoted row reads as one."""

from __future__ import annotations

import re

from assistant.pages.markdown_text import markdown_to_text

PRICES = """Prices below.

| Service | Delivery time | Price |
|---|:---:|---:|
| Standard | 3 to 5 working days | **£4.95**, free over £50 |
| Next day | Order by 8 pm | £7.95 |

Gold members never pay."""


def test_a_table_is_its_header_once_then_one_sentence_per_row() -> None:
    assert markdown_to_text(PRICES) == (
        "Prices below.\n\n"
        "Service; Delivery time; Price:\n"
        "Standard; 3 to 5 working days; £4.95, free over £50.\n"
        "Next day; Order by 8 pm; £7.95.\n\n"
        "Gold members never pay.")


def test_every_word_of_the_table_is_kept_once_in_its_order() -> None:
    # Lexical search sees the same words as before tables were read row by row.
    assert re.findall(r"\w+", markdown_to_text(PRICES)) == re.findall(r"\w+", PRICES)


def test_empty_cells_are_skipped_and_a_table_without_outer_pipes_is_read_too() -> None:
    assert markdown_to_text("UK | Italy\n--- | ---\n | New Year's Day\nEaster Sunday | Easter Sunday\n") == \
        "UK; Italy:\nNew Year's Day.\nEaster Sunday; Easter Sunday."


def test_an_escaped_pipe_stays_inside_its_cell() -> None:
    assert markdown_to_text("| Key | Meaning |\n|---|---|\n| a \\| b | either |") == "Key; Meaning:\na b; either."


def test_a_pipe_outside_a_table_is_only_a_separator() -> None:
    assert markdown_to_text("Open 9 | 5 on weekdays.") == "Open 9 5 on weekdays."
