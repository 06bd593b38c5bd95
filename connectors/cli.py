"""The `assistant` command: serve, ingest, ask, train, eval, gaps, knowledge check, slack."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from assistant.errors import AssistantError
from assistant.settings import Settings

logger = logging.getLogger("assistant")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="Front-line staff assistant.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP API, Slack and Teams endpoints")
    serve.add_argument("--host", default=None, help="address to bind (default ASSISTANT_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default ASSISTANT_PORT, 8000)")
    serve.add_argument("--no-nlu", action="store_true", help="do not start or use Rasa (retrieval only)")

    ingest = commands.add_parser("ingest", help="index the knowledge directory (incremental)")
    ingest.add_argument("--knowledge", type=Path, default=None, help="default ASSISTANT_KNOWLEDGE_DIR")

    ask = commands.add_parser("ask", help="answer one question and print its sources")
    ask.add_argument("text")
    ask.add_argument("--audience", choices=["all", "staff", "managers"], default=None)
    ask.add_argument("--language", choices=["en", "it"], default=None)
    ask.add_argument("--json", action="store_true", help="print the API's JSON instead of text")

    commands.add_parser("train", help="train the Rasa NLU model when nlu_data/ changed")

    evaluate = commands.add_parser("eval", help="measure retrieval or NLU quality")
    kinds = evaluate.add_subparsers(dest="kind", required=True)
    retrieval = kinds.add_parser("retrieval", help="score questions against a knowledge directory")
    retrieval.add_argument("--knowledge", type=Path, required=True)
    retrieval.add_argument("--questions", type=Path, required=True)
    retrieval.add_argument("--mode", choices=["hybrid", "dense", "bm25", "all"], default="hybrid")
    retrieval.add_argument("--json", action="store_true")
    retrieval.add_argument("--cache", type=Path, default=None,
                           help="reuse passage vectors across runs from this directory")
    calibrate = kinds.add_parser("calibrate", help="fit the answerability decision on labelled questions")
    calibrate.add_argument("--pair", nargs=2, action="append", type=Path, metavar=("KNOWLEDGE", "QUESTIONS"),
                           required=True, help="a knowledge directory and its question file (repeatable)")
    calibrate.add_argument("--cache", type=Path, default=None)
    calibrate.add_argument("--out", type=Path, default=None, help="default: the shipped model file")
    nlu = kinds.add_parser("nlu", help="train and score intent classification on CLINC150")
    nlu.add_argument("--clinc", type=Path, required=True)
    nlu.add_argument("--banking77", type=Path, default=None, help="also score BANKING77 (its folder)")
    nlu.add_argument("--json", action="store_true")
    routing = kinds.add_parser("routing", help="choose the routing thresholds on nlu_data/ (out-of-fold)")
    routing.add_argument("--folds", type=int, default=3)
    routing.add_argument("--json", action="store_true")
    routing.add_argument("--write", action="store_true", help="save the chosen policy as the shipped one")

    gaps = commands.add_parser("gaps", help="knowledge gaps: questions the assistant could not answer well")
    gap_commands = gaps.add_subparsers(dest="gaps_command", required=True)
    report = gap_commands.add_parser("report", help="print or save the gap report")
    report.add_argument("--since", type=int, default=None, help="only the last N days")
    report.add_argument("--format", choices=["json", "csv", "html"], default="json")
    report.add_argument("--out", type=Path, default=None)

    knowledge = commands.add_parser("knowledge", help="knowledge base maintenance")
    knowledge_commands = knowledge.add_subparsers(dest="knowledge_command", required=True)
    check = knowledge_commands.add_parser("check", help="report broken, incomplete or stale pages")
    check.add_argument("directory", nargs="?", type=Path, default=None)
    check.add_argument("--json", action="store_true")

    slack = commands.add_parser("slack", help="run the Slack app")
    slack.add_argument("--socket", action="store_true", required=True, help="Socket Mode (SLACK_APP_TOKEN)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from connectors import commands

    handler = {
        "serve": commands.serve,
        "ingest": commands.ingest,
        "ask": commands.ask,
        "train": commands.train,
        "eval": commands.evaluate,
        "gaps": commands.gaps,
        "knowledge": commands.knowledge,
        "slack": commands.slack,
    }[args.command]
    try:
        return handler(settings, args)
    except AssistantError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def print_json(value: object) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    sys.exit(main())
