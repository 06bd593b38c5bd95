"""The `assistant` command in separate processes: ingest, ask (a restart in between), eval, knowledge check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import COMPANY_QUESTIONS, KNOWLEDGE_DIR, MULTILINGUAL_CACHE_DIR, PROJECT_ROOT

pytestmark = [pytest.mark.model, pytest.mark.slow]  # every test starts the CLI, which loads the model


def run_cli(*args: str, data_dir: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """Runs `assistant ARGS` in an empty directory, so that no `.env` file adds settings; the project's own
    directories are given by absolute path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_KNOWLEDGE_DIR": str(KNOWLEDGE_DIR),
                "ASSISTANT_MODELS_DIR": str(PROJECT_ROOT / "models"),
                "ASSISTANT_NLU_DATA_DIR": str(PROJECT_ROOT / "nlu_data"),
                "ASSISTANT_RASA_EXECUTABLE": str(PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"),
                "ASSISTANT_MULTILINGUAL_CACHE_DIR": str(MULTILINGUAL_CACHE_DIR),
                "ASSISTANT_HASH_SALT": "cli-test", "HF_HUB_OFFLINE": "1"})
    with tempfile.TemporaryDirectory(prefix="assistant-cli-cwd-") as workdir:
        return subprocess.run([sys.executable, "-m", "connectors.cli", *args], cwd=workdir, env=env,
                              capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("cli-data")
    result = run_cli("ingest", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "index updated" in result.stdout
    assert "answerability calibrated for this index" in result.stdout
    assert len(list((data_dir / "calibration").glob("answerability-*.json"))) == 1
    return data_dir


def test_ingest_twice_reports_up_to_date(ingested):
    result = run_cli("ingest", data_dir=ingested)
    assert result.returncode == 0, result.stderr
    assert "already up to date" in result.stdout and "0 embedded" in result.stdout


def test_ask_in_a_new_process_uses_the_persisted_index(ingested):
    result = run_cli("ask", "how long is the plant guarantee?", data_dir=ingested)
    assert result.returncode == 0, result.stderr
    assert "Sources:" in result.stdout and "plant-guarantee.md" in result.stdout
    output = result.stdout + result.stderr  # logs are JSON lines here: stderr is no terminal
    assert " DEBUG " not in output and '"level": "DEBUG"' not in output, "library debug lines leak at the default level"


def test_ask_json_matches_the_api_shape(ingested):
    result = run_cli("ask", "--json", "what are our company values", data_dir=ingested)
    body = json.loads(result.stdout)
    assert set(body) >= {"id", "answer", "route", "intent", "confidence", "citations", "gap", "gap_reason"}


def test_ask_for_another_countrys_rules(ingested):
    result = run_cli("ask", "--country", "IT", "how many days of holiday do I get?", data_dir=ingested)
    assert result.returncode == 0, result.stderr
    assert "26 working days of ferie" in result.stdout and "25 days of annual leave" not in result.stdout
    unknown = run_cli("ask", "--country", "FR", "how many days of holiday do I get?", data_dir=ingested)
    assert unknown.returncode == 2 and "--country" in unknown.stderr


def test_ask_with_empty_text_is_a_clear_error(ingested):
    result = run_cli("ask", "   ", data_dir=ingested)
    assert result.returncode == 2 and "empty" in result.stderr


def test_ask_before_any_ingest_says_what_to_do(tmp_path):
    result = run_cli("ask", "returns", data_dir=tmp_path)
    assert result.returncode == 2 and "assistant ingest" in result.stderr


def test_eval_retrieval_on_a_tiny_question_file(tmp_path):
    questions = tmp_path / "tiny.jsonl"
    lines = COMPANY_QUESTIONS.read_text(encoding="utf-8").splitlines()
    answerable = [line for line in lines if '"answerable": true' in line][:3]
    unanswerable = [line for line in lines if '"answerable": false' in line][:2]
    questions.write_text("\n".join(answerable + unanswerable) + "\n", encoding="utf-8")
    result = run_cli("eval", "retrieval", "--knowledge", str(KNOWLEDGE_DIR), "--questions", str(questions),
                     "--mode", "all", "--json", data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["documents"] >= 25 and report["chunks"] > report["documents"]
    assert set(report["modes"]) == {"hybrid", "dense", "bm25"}
    keys = {"questions", "recall@1", "recall@5", "mrr@10", "answer_accuracy", "reply_accuracy", "gap_precision",
            "gap_recall", "gap_f1", "latency_ms_p50", "latency_ms_p95"}
    for figures in report["modes"].values():
        assert keys <= set(figures) and figures["questions"] == 5
    assert report["modes"]["hybrid"]["recall@5"] >= 2 / 3
    assert not (tmp_path / "data" / "chroma").exists(), "evaluation must not touch the app's own index"


def test_knowledge_check_lists_stale_pages(tmp_path):
    result = run_cli("knowledge", "check", "--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["pages"] >= 25 and report["stale"]


def test_knowledge_check_fails_on_a_broken_page(tmp_path, knowledge_copy):
    (knowledge_copy / "en" / "bad.md").write_text("---\ntitle: [x\n---\n", encoding="utf-8")
    result = run_cli("knowledge", "check", str(knowledge_copy), data_dir=tmp_path)
    assert result.returncode == 1 and "BROKEN   en/bad.md" in result.stdout


def test_knowledge_check_warns_about_a_page_with_no_phrasing_in_one_language(tmp_path, knowledge_copy):
    (knowledge_copy / "en" / "english-only.md").write_text(
        "---\ntitle: Ladders\nowner: Store Operations\nlanguage: en\nreview_by: 2099-01-01\n"
        "questions:\n  - \"Who may use the tall ladders?\"\n---\nOnly trained colleagues use ladders.\n",
        encoding="utf-8")
    result = run_cli("knowledge", "check", str(knowledge_copy), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "PHRASING en/english-only.md: no `questions` phrasing in it, owner Store Operations" in result.stdout
    assert result.stdout.count("PHRASING") == 1, "every demo page has phrasings in English and Italian"


def test_knowledge_check_names_a_country_section_with_no_twin(tmp_path, knowledge_copy):
    (knowledge_copy / "en" / "uneven.md").write_text(
        "---\ntitle: Uniform allowance\nowner: People Team\nlanguage: en\nreview_by: 2099-01-01\n---\n"
        "## Allowance > UK\n\n£60 a year.\n\n## Italian allowance\n\n50 euro a year.\n", encoding="utf-8")
    result = run_cli("knowledge", "check", str(knowledge_copy), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ("COUNTRY  en/uneven.md: section 'Allowance > UK' is for GB and has no twin for IT (the same heading "
            "naming IT): askers there are quoted it, owner People Team") in result.stdout
    assert result.stdout.count("COUNTRY") == 2, "each of the two sections, and no demo page"


def test_gaps_report_lists_an_unanswered_question_redacted(ingested, tmp_path):
    asked = run_cli("ask", "Does mario.rossi@example.com get a discount on hot tubs at the Mars store?",
                    data_dir=ingested)
    assert asked.returncode == 0, asked.stderr
    out = tmp_path / "gaps.csv"
    result = run_cli("gaps", "report", "--format", "csv", "--level", "gaps", "--out", str(out), data_dir=ingested)
    assert result.returncode == 0, result.stderr
    report = out.read_text(encoding="utf-8")
    assert report.startswith("created_at,channel,gap_reason,state")
    assert "hot tubs" in report and "[EMAIL]" in report and "mario.rossi" not in report
    themes = run_cli("gaps", "report", "--format", "csv", data_dir=ingested)
    assert themes.stdout.startswith("label,gaps,askers,friction") and "mario.rossi" not in themes.stdout
    html = run_cli("gaps", "report", "--format", "html", data_dir=ingested)
    assert "<h1>Knowledge gaps" in html.stdout and "<svg" in html.stdout and "mario.rossi" not in html.stdout
    markdown = run_cli("gaps", "report", "--format", "md", data_dir=ingested)
    assert markdown.stdout.startswith("# Knowledge gaps") and "## Themes by friction" in markdown.stdout


def test_gaps_report_names_the_page_a_near_miss_came_closest_to(ingested):
    # Under the answerability threshold but over the suggestion floor (about 0.40, measured 2026-12-04).
    asked = run_cli("ask", "do i have to wear a name badge", data_dir=ingested)
    assert asked.returncode == 0, asked.stderr
    assert "May help:" in asked.stdout and "dress-code.md" in asked.stdout
    result = run_cli("gaps", "report", "--format", "json", data_dir=ingested)
    gaps = [gap for gap in json.loads(result.stdout)["gaps"] if gap["question"] == "do i have to wear a name badge"]
    assert gaps and gaps[0]["gap_reason"] == "low_confidence"
    assert (gaps[0]["nearest_title"], gaps[0]["nearest_path"]) == ("Dress code and uniform", "en/staff/dress-code.md")


def test_serve_without_api_keys_refuses_a_public_address(tmp_path):
    result = run_cli("serve", "--host", "0.0.0.0", "--no-nlu", data_dir=tmp_path, timeout=120)
    assert result.returncode == 2
    assert "ASSISTANT_API_KEYS" in result.stderr and "127.0.0.1" in result.stderr



def test_ask_prints_the_why_line_of_a_page_that_serves_a_value(ingested):
    result = run_cli("ask", "Can I lift a 25 kg bag of cement on my own?", data_dir=ingested)
    assert result.returncode == 0, result.stderr
    assert "\nWhy: Rooted in care: We look after customers" in result.stdout
    assert result.stdout.index("Why:") < result.stdout.index("Sources:")
