"""The question-file loader behind `assistant eval retrieval`."""

import json

import pytest

from assistant.evaluation.questions import QuestionFileError, load_questions

ANSWERABLE = {"id": "q-1", "question": "How long do refunds take?", "answerable": True,
              "expected_sources": ["returns.md"], "answer_contains": ["5 working days"], "kind": "policy"}
UNANSWERABLE = {"id": "q-2", "question": "Is there a staff gym?", "answerable": False}


def write_lines(tmp_path, lines, encoding="utf-8"):
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def test_reads_both_kinds_of_question_and_defaults_the_optional_fields(tmp_path):
    path = write_lines(tmp_path, [json.dumps(ANSWERABLE), "", json.dumps(UNANSWERABLE)])
    first, second = load_questions(path)
    assert first.expected_sources == ("returns.md",) and first.answer_contains == ("5 working days",)
    assert first.kind == "policy"
    assert second.answerable is False and second.expected_sources == () and second.kind == "other"


def test_a_file_saved_with_a_byte_order_mark_loads(tmp_path):
    path = write_lines(tmp_path, [json.dumps(ANSWERABLE)], encoding="utf-8-sig")
    assert [question.id for question in load_questions(path)] == ["q-1"]


@pytest.mark.parametrize("bad_line", ['{"id": "q-3", "question": "no label"}', "{not json", "[1, 2]"])
def test_a_bad_line_is_reported_with_its_number(tmp_path, bad_line):
    path = write_lines(tmp_path, [json.dumps(ANSWERABLE), bad_line])
    with pytest.raises(QuestionFileError, match=r"questions\.jsonl:2"):
        load_questions(path)


def test_a_file_without_questions_is_an_error(tmp_path):
    path = write_lines(tmp_path, ["", "  "])
    with pytest.raises(QuestionFileError, match="holds no questions"):
        load_questions(path)
