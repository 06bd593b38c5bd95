"""`assistant knowledge add-question` in this process: what it prints, its exit codes, and the file it edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.cli import main

pytestmark = pytest.mark.model  # the command's redactor loads spaCy

PAGE = "en/customers/payment-methods.md"


@pytest.fixture
def knowledge(knowledge_copy, tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(knowledge_copy))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    return knowledge_copy


def test_add_question_writes_the_question_and_says_to_ingest(knowledge, capsys):
    assert main(["knowledge", "add-question", PAGE, "Can a customer pay with a cheque?"]) == 0
    assert "added to en/customers/payment-methods.md" in capsys.readouterr().out
    assert '  - "Can a customer pay with a cheque?"\n---\n' in (knowledge / PAGE).read_text(encoding="utf-8")


def test_a_question_already_there_exits_0_and_changes_nothing(knowledge, capsys):
    assert main(["knowledge", "add-question", PAGE, "Can a customer pay with a cheque?"]) == 0
    before = (knowledge / PAGE).read_bytes()
    assert main(["knowledge", "add-question", PAGE, "can a CUSTOMER pay with a  cheque?"]) == 0
    assert "already has this question" in capsys.readouterr().out
    assert (knowledge / PAGE).read_bytes() == before


def test_the_output_says_when_something_was_redacted(knowledge, capsys):
    assert main(["knowledge", "add-question", PAGE, "Can customer Anna Bianchi pay with a cheque?"]) == 0
    out = capsys.readouterr().out
    assert "redacted 1 item(s)" in out and "Anna" not in (knowledge / PAGE).read_text(encoding="utf-8")


@pytest.mark.parametrize(("page", "question", "message"), [
    ("en/customers/nowhere.md", "Can a customer pay with a cheque?", "no page"),
    ("../outside.md", "Can a customer pay with a cheque?", "outside the knowledge folder"),
    (PAGE, "   ", "the question is empty"),
    (PAGE, "why " * 100, "the limit is 300"),
])
def test_refusals_exit_non_zero_with_a_clear_error(knowledge, capsys, page, question, message):
    (knowledge.parent / "outside.md").write_text("---\ntitle: Outside\n---\nText.\n", encoding="utf-8")
    before = (knowledge / PAGE).read_bytes()
    assert main(["knowledge", "add-question", page, question]) == 2
    assert message in capsys.readouterr().err
    assert (knowledge / PAGE).read_bytes() == before
