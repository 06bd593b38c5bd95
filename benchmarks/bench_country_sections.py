"""Whether a reply quotes the asker's own country's section of a page with one per country.

Usage: .venv/bin/python benchmarks/bench_country_sections.py [--questions FILE] [--json]

The demo knowledge is indexed once. Each question of tests/data/country_questions.jsonl (written for this check:
questions naming no country, over pages whose rules differ between the UK and Italy; half in Italian, some of them
answered from an English page) is asked as a UK and as an Italian colleague would ask it:

- `directory`: the staff directory gives the asker's country (`PageAnswerSkill.answer(country=...)`);
- `not_in_directory`: no country, so the question's language decides when one country speaks it (Italian) and
  nothing does for English, which is how every question was quoted before countries were read.

For each, per asker country: how many replies are answered from the expected page and quote that country's fact
without the other country's (`right_country`), how many quote only the other country's (`other_country`), and how
many cite a section for the other country (`cited_other_country`: the source shown is not the one the asker needs),
and how many say whose rules they quote (`says_whose_rules`: when nothing chose the country, `OTHER_COUNTRY`).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answering.composer import OTHER_COUNTRY  # noqa: E402
from assistant.countries import COUNTRY_NAMES, countries_named  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from benchmarks.machine import machine  # noqa: E402
from connectors.app.services import build_services  # noqa: E402

COUNTRIES = tuple(COUNTRY_NAMES)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "tests" / "data" / "country_questions.jsonl")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    questions = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    figures: dict[str, dict[str, dict[str, int]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, knowledge_dir=ROOT / "knowledge", data_dir=Path(tmp), hash_salt="bench")
        services = build_services(settings)
        try:
            services.ingestor().ingest(settings.knowledge_dir)
            services.warm_crosslingual()
            for mode in ("directory", "not_in_directory"):
                figures[mode] = {}
                for country in COUNTRIES:
                    counts = {"questions": len(questions), "right_country": 0, "other_country": 0,
                              "cited_other_country": 0, "says_whose_rules": 0}
                    for question in questions:
                        answer = services.skill.answer(question["question"], audience="managers",
                                                       language=question["language"],
                                                       country=country if mode == "directory" else None)
                        if not answer.answerable or answer.citations[0].path not in question["expected_sources"]:
                            continue
                        other = next(code for code in COUNTRIES if code != country)
                        mine, theirs = (question["facts"][code] in answer.text for code in (country, other))
                        counts["right_country"] += mine and not theirs
                        counts["other_country"] += theirs and not mine
                        counts["cited_other_country"] += countries_named(answer.citations[0].section) == {other}
                        counts["says_whose_rules"] += any(note.split("{")[0] in answer.text
                                                          for note in OTHER_COUNTRY.values())
                    figures[mode][country] = counts
        finally:
            services.close()
    report = {"benchmark": "country_sections", "machine": machine(), "figures": figures}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"machine: {report['machine']}")
    for mode, by_country in figures.items():
        for country, counts in by_country.items():
            print(f"{mode:17s} asker in {country}: own country's section {counts['right_country']} of "
                  f"{counts['questions']}, the other country's only {counts['other_country']}; "
                  f"citing the other country's section {counts['cited_other_country']}; saying whose rules "
                  f"{counts['says_whose_rules']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
