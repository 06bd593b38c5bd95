"""Whether the short reply holds the answer, per question language, with and without the multilingual reading.

Usage: .venv/bin/python benchmarks/bench_replies.py [--questions FILE ...] [--json]

The demo knowledge is indexed once; each file's questions are asked through the answering path
(`PageAnswerSkill.answer`, the language guessed as the pipeline guesses it, every page visible as in
`assistant eval retrieval`). For the answerable ones, per guessed language: Recall@1 (answered, with the expected
page cited first) and reply accuracy (that, and the short reply itself holds one of the question's
`answer_contains`). Each set runs twice in one process: as shipped, where a question in a language the main model
does not read natively (Italian) has its page's passage and windows chosen by multilingual-e5
(`multilingual_reading`), and with the main model choosing them for every language (`main_model_reading`).

tests/data/italian_answers_dev.jsonl (22 Italian questions over the 11 Italian pages) is the development set the
multilingual reading was chosen on; tests/data/italian_answers.jsonl (22 more, written at the same time by the same
rules) was run once it was built.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.crosslingual_eval import answering_figures  # noqa: E402
from assistant.evaluation.questions import load_questions  # noqa: E402
from assistant.retrieval.language import guess_language  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from benchmarks.machine import machine  # noqa: E402
from connectors.app.services import build_services  # noqa: E402

DATA = ROOT / "tests" / "data"
DEFAULT_FILES = ("italian_answers_dev", "italian_answers", "company_questions", "company_holdout")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, nargs="+", default=[DATA / f"{name}.jsonl" for name in DEFAULT_FILES])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report: dict[str, object] = {"benchmark": "replies", "machine": machine(), "files": {}}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, knowledge_dir=ROOT / "knowledge", data_dir=Path(tmp), hash_salt="bench")
        services = build_services(settings)
        try:
            services.ingestor().ingest(settings.knowledge_dir)
            skills = {"multilingual_reading": services.skill,
                      "main_model_reading": services.skill.without_multilingual_reading()}
            for path in args.questions:
                answerable = [question for question in load_questions(path) if question.answerable]
                by_language: dict[str, list] = {}
                for question in answerable:
                    by_language.setdefault(guess_language(question.question), []).append(question)
                report["files"][path.name] = {
                    language: {"answerable": len(questions), **{
                        name: {key: value for key, value in answering_figures(skill, questions).as_dict().items()
                               if key in ("recall_at_1", "reply_accuracy", "gap_rate")}
                        for name, skill in skills.items()}}
                    for language, questions in sorted(by_language.items())}
        finally:
            services.close()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"machine: {report['machine']}")
    for name, languages in report["files"].items():
        for language, figures in languages.items():
            shipped, plain = figures["multilingual_reading"], figures["main_model_reading"]
            print(f"{name} [{language}, {figures['answerable']} answerable]: Recall@1 {shipped['recall_at_1']:.3f}; "
                  f"reply accuracy {plain['reply_accuracy']:.3f} -> {shipped['reply_accuracy']:.3f} "
                  f"(main model's reading -> multilingual reading)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
