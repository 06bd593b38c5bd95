"""`add_question`: a staff question becomes a page's alternative phrasing, and nothing else in the file changes."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from assistant.errors import (
    EmptyQuestionError,
    FrontMatterEditError,
    KnowledgeFileError,
    PageNotFoundError,
    PageOutsideKnowledgeError,
    QuestionTooLongError,
)
from assistant.models import Message
from assistant.pages.loader import parse_page
from assistant.pages.questions import MAX_QUESTION_CHARS, add_question
from assistant.privacy import Redactor
from connectors.app.services import build_services
from tests.conftest import make_settings

PAYMENTS = Path("en/customers/payment-methods.md")
CHEQUE = "Can a customer pay with a cheque?"
UNANSWERED = "Is Diners Club ok at the till?"
QUICK_REDACTOR = Redactor(use_ner=False)

BLOCK_LIST = """---
title: Accepted payment methods   # shown in citations
owner: Finance (payments@verdello.example)
questions:
  - "Do we take Amex?"
  - 'Can I split a payment?'
  # more to come
tags: [payment, cards]
review_by: 2027-05-31
---
Body text stays.
"""

FLOW_LIST = """---
title: Accepted payment methods
questions: ["Do we take Amex?", 'Can I split a payment?']  # phrasings staff use
tags: [payment, cards]
---
Body text stays.
"""

PLAIN_BLOCK_LIST = """---
title: Accepted payment methods
questions:
- Do we take Amex?
tags: [payment]
---
Body.
"""


def added_lines(before: str, after: str) -> list[str]:
    """The diff of two versions, as its changed lines: asserting on it shows only the added lines changed."""
    diff = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def write(knowledge: Path, relative: str, text: str) -> Path:
    path = knowledge / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def test_a_block_list_gets_one_line_in_its_own_quoting_and_nothing_else_changes(tmp_path):
    path = write(tmp_path, "en/pay.md", BLOCK_LIST)
    result = add_question(tmp_path, "en/pay.md", "  Can a customer   pay with a cheque? ", QUICK_REDACTOR)
    after = path.read_text(encoding="utf-8")
    assert (result.page, result.question, result.added, result.redacted) == ("en/pay.md", CHEQUE, True, 0)
    assert added_lines(BLOCK_LIST, after) == ["+  - 'Can a customer pay with a cheque?'\n"]
    assert after.index(CHEQUE) < after.index("# more to come")
    assert parse_page("en/pay.md", after.encode()).questions == ("Do we take Amex?", "Can I split a payment?", CHEQUE)


def test_a_flow_list_gets_one_more_item_on_the_same_line(tmp_path):
    path = write(tmp_path, "en/pay.md", FLOW_LIST)
    add_question(tmp_path, "en/pay.md", CHEQUE, QUICK_REDACTOR)
    after = path.read_text(encoding="utf-8")
    assert added_lines(FLOW_LIST, after) == [
        "-questions: [\"Do we take Amex?\", 'Can I split a payment?']  # phrasings staff use\n",
        "+questions: [\"Do we take Amex?\", 'Can I split a payment?', 'Can a customer pay with a cheque?']"
        "  # phrasings staff use\n"]
    assert parse_page("en/pay.md", after.encode()).questions[-1] == CHEQUE


def test_a_plain_block_list_keeps_plain_items_when_the_question_reads_back_exactly(tmp_path):
    path = write(tmp_path, "en/pay.md", PLAIN_BLOCK_LIST)
    add_question(tmp_path, "en/pay.md", CHEQUE, QUICK_REDACTOR)
    assert added_lines(PLAIN_BLOCK_LIST, path.read_text(encoding="utf-8")) == [f"+- {CHEQUE}\n"]
    add_question(tmp_path, "en/pay.md", "Cheques: yes or no?", QUICK_REDACTOR)
    assert path.read_text(encoding="utf-8").splitlines()[5] == '- "Cheques: yes or no?"'


def test_a_page_with_no_questions_key_gets_one_before_the_closing_marker(knowledge_copy):
    # The demo page as it was before it had phrasings: its own front matter, less the `questions` block.
    page = knowledge_copy / PAYMENTS
    page.write_text(re.sub(r"questions:\n(?:  - .*\n)+", "", page.read_text(encoding="utf-8")), encoding="utf-8")
    before = page.read_bytes()
    assert b"questions" not in before.split(b"---\n")[1]
    add_question(knowledge_copy, str(PAYMENTS), CHEQUE, QUICK_REDACTOR)
    after = page.read_bytes()
    assert added_lines(before.decode(), after.decode()) == ["+questions:\n", f'+  - "{CHEQUE}"\n']
    assert after.decode().split("---\n")[1].endswith(f'questions:\n  - "{CHEQUE}"\n')


def test_a_demo_page_with_phrasings_gets_the_question_at_the_end_of_its_block_list(knowledge_copy):
    page = knowledge_copy / PAYMENTS
    before = page.read_text(encoding="utf-8")
    add_question(knowledge_copy, str(PAYMENTS), CHEQUE, QUICK_REDACTOR)
    after = page.read_text(encoding="utf-8")
    assert added_lines(before, after) == [f'+  - "{CHEQUE}"\n']
    assert parse_page(str(PAYMENTS), after.encode()).questions[-1] == CHEQUE


def test_windows_line_endings_and_a_byte_order_mark_are_kept(tmp_path):
    original = "\ufeff---\r\ntitle: A\r\ntags: [x]\r\n---\r\nBody.\r\n"
    path = write(tmp_path, "en/a.md", original)
    add_question(tmp_path, "en/a.md", CHEQUE, QUICK_REDACTOR)
    assert path.read_bytes() == (
        f"\ufeff---\r\ntitle: A\r\ntags: [x]\r\nquestions:\r\n  - \"{CHEQUE}\"\r\n---\r\nBody.\r\n".encode())


def test_a_question_already_there_changes_nothing(tmp_path):
    path = write(tmp_path, "en/pay.md", BLOCK_LIST)
    result = add_question(tmp_path, "en/pay.md", "do we   TAKE amex?", QUICK_REDACTOR)
    assert not result.added and result.existing == "Do we take Amex?"
    assert path.read_text(encoding="utf-8") == BLOCK_LIST


def test_personal_data_is_redacted_before_it_is_written(tmp_path):
    path = write(tmp_path, "en/pay.md", FLOW_LIST)
    result = add_question(tmp_path, "en/pay.md", "Can customer John Smith (john.smith@mail.example) pay by cheque?",
                          QUICK_REDACTOR)
    text = path.read_text(encoding="utf-8")
    assert result.redacted == 2 and "John" not in text and "john.smith" not in text
    assert "[PERSON]" in result.question and "[EMAIL]" in result.question and result.question in text


@pytest.mark.parametrize(("page", "error"), [
    ("en/nowhere.md", PageNotFoundError),
    ("../outside.md", PageOutsideKnowledgeError),
    ("en/notes.txt", PageNotFoundError),
])
def test_unknown_pages_and_paths_outside_the_knowledge_folder_are_refused(tmp_path, page, error):
    knowledge = tmp_path / "knowledge"
    write(knowledge, "en/pay.md", BLOCK_LIST)
    write(knowledge, "en/notes.txt", "not a page")
    write(tmp_path, "outside.md", BLOCK_LIST)
    with pytest.raises(error):
        add_question(knowledge, page, CHEQUE, QUICK_REDACTOR)
    with pytest.raises(PageOutsideKnowledgeError):
        add_question(knowledge, tmp_path / "outside.md", CHEQUE, QUICK_REDACTOR)
    assert (tmp_path / "outside.md").read_text(encoding="utf-8") == BLOCK_LIST


@pytest.mark.parametrize(("question", "error"), [
    ("", EmptyQuestionError), ("   \n\t ", EmptyQuestionError), ("???", EmptyQuestionError),
    ("x" * (MAX_QUESTION_CHARS + 1), QuestionTooLongError),
])
def test_empty_and_oversized_questions_are_refused(tmp_path, question, error):
    path = write(tmp_path, "en/pay.md", BLOCK_LIST)
    with pytest.raises(error):
        add_question(tmp_path, "en/pay.md", question, QUICK_REDACTOR)
    assert path.read_text(encoding="utf-8") == BLOCK_LIST


@pytest.mark.parametrize(("text", "error"), [
    ("---\ntitle: [broken\n---\nBody.\n", KnowledgeFileError),
    ("---\ntitle: A\nBody with no closing marker.\n", KnowledgeFileError),
    ("---\ntitle: A\naudience: everyone\n---\nBody.\n", KnowledgeFileError),
    ("---\ntitle: A\nquestions: Just one, not a list\n---\nBody.\n", FrontMatterEditError),
])
def test_malformed_front_matter_is_refused_and_the_file_left_alone(tmp_path, text, error):
    path = write(tmp_path, "en/a.md", text)
    with pytest.raises(error):
        add_question(tmp_path, "en/a.md", CHEQUE, QUICK_REDACTOR)
    assert path.read_text(encoding="utf-8") == text


def test_after_add_question_and_an_ingest_a_former_gap_is_answered_from_that_page(tmp_path, knowledge_copy, embedder,
                                                                                  redactor):
    services = build_services(make_settings(tmp_path / "data", knowledge_dir=knowledge_copy), embedder=embedder,
                              redactor=redactor)
    try:
        services.ingestor().ingest(knowledge_copy)
        # Cheques have a phrasing of their own on the payment page now; the page names the cards it takes, not Diners.
        before = services.assistant.handle(Message(UNANSWERED))
        assert before.gap, f"the demo knowledge does not answer it (confidence {before.confidence})"

        result = add_question(knowledge_copy, str(PAYMENTS), UNANSWERED, redactor)
        assert result.added and result.redacted == 0
        assert services.ingestor().ingest(knowledge_copy).changed
        services.index.reload()
        after = services.assistant.handle(Message(UNANSWERED))

        assert not after.gap and after.citations[0].path == PAYMENTS.as_posix()
        assert UNANSWERED not in after.text, "the answer quotes the page's passage, never the phrasing"
    finally:
        services.close()
