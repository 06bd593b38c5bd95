"""Whether the confidence an answer states means what it says, for same-language and cross-lingual answers.

Usage: .venv/bin/python benchmarks/bench_confidence.py [--knowledge DIR] [--questions FILE ...] [--json]

The demo knowledge (or DIR: `--knowledge ../shared/datasets/tts_handbook --questions
../shared/eval/handbook_dev.jsonl`) is indexed once; every question of the files (answerable or not) is asked
through the answering path (`PageAnswerSkill.answer`, the language guessed as the pipeline guesses it, every page
visible as in `assistant eval retrieval`). Each answered question counts once, with its stated `confidence`, as right
when it cites an expected page first (an unanswerable question answered is wrong). Answers are split by where they
came from: a page in the question's own language (`same_language`) or in another (`crossed`: `source_language`
set). For each, the reliability table (`assistant.evaluation.confidence_reliability`): answers per confidence bin,
the bin's mean confidence beside its accuracy, and the expected calibration error.

Several of the default files were used to choose the cross-lingual settings (the `_dev` files) or to fit the
answerability model (company_questions.jsonl), so accuracy here flatters unseen questions a little.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.confidence_reliability import reliability  # noqa: E402
from assistant.evaluation.questions import load_questions  # noqa: E402
from assistant.evaluation.retrieval_eval import EVERYONE  # noqa: E402
from assistant.retrieval.language import guess_language  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from benchmarks.machine import machine  # noqa: E402
from connectors.app.services import build_services  # noqa: E402

DATA = ROOT / "tests" / "data"
DEFAULT_FILES = ("crosslingual_questions", "crosslingual_dev", "crosslingual_dev_en", "company_questions",
                 "company_holdout", "italian_answers", "italian_answers_dev")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, nargs="+", default=[DATA / f"{name}.jsonl" for name in DEFAULT_FILES])
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    answered: dict[str, list[tuple[float, bool]]] = {"same_language": [], "crossed": []}
    asked = 0
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, knowledge_dir=args.knowledge, data_dir=Path(tmp), hash_salt="bench")
        services = build_services(settings)
        try:
            services.ingestor().ingest(settings.knowledge_dir)
            for path in args.questions:
                for question in load_questions(path):
                    asked += 1
                    answer = services.skill.answer(question.question, audience=EVERYONE,
                                                   language=guess_language(question.question))
                    if not answer.answerable:
                        continue
                    first = answer.citations[0].path if answer.citations else None
                    kind = "crossed" if answer.source_language is not None else "same_language"
                    answered[kind].append((answer.confidence, first in question.expected_sources))
        finally:
            services.close()
    report = {"benchmark": "confidence", "machine": machine(), "knowledge": str(args.knowledge),
              "files": [path.name for path in args.questions],
              "questions": asked, **{kind: reliability(pairs).as_dict() for kind, pairs in answered.items()}}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"machine: {report['machine']}")
    print(f"{asked} questions from {', '.join(report['files'])}")
    for kind in answered:
        table = report[kind]
        print(f"{kind}: {table['answers']} answered, mean confidence {table['mean_confidence']:.3f}, right "
              f"{table['accuracy']:.3f}, expected calibration error {table['calibration_error']:.3f}")
        for row in table["bins"]:
            print(f"  [{row['low']:.1f}, {row['high']:.1f}): {row['answers']:3d} answers, mean confidence "
                  f"{row['mean_confidence']:.3f}, right {row['accuracy']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
