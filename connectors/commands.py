"""What each `assistant` subcommand does. `connectors.cli` parses the arguments."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from assistant.settings import Settings
from connectors.cli import print_json
from connectors.progress import TqdmProgress


def serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from connectors.server import build_server_app

    host = args.host or settings.host
    port = args.port or settings.port
    app = build_server_app(settings, host=host, use_nlu=not args.no_nlu)
    print(f"Assistant on http://{host}:{port}  (API docs: http://{host}:{port}/docs)", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower())
    return 0


def ingest(settings: Settings, args: argparse.Namespace) -> int:
    from connectors.composition import build_services

    directory = args.knowledge or settings.knowledge_dir
    services = build_services(settings)
    try:
        report = services.ingestor().ingest(directory, TqdmProgress())
    finally:
        services.close()
    for problem in report.problems:
        print(f"skipped {problem}", file=sys.stderr)
    state = "updated" if report.changed else "already up to date"
    print(f"{directory}: {report.documents} pages, {report.chunks} chunks; index {state} "
          f"({report.embedded} embedded, {report.reused} reused, {report.removed} removed) "
          f"in {report.seconds:.1f}s")
    return 1 if report.problems else 0


def ask(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.models import Message
    from connectors.composition import build_services
    from connectors.http.schemas import AskResponse

    services = build_services(settings)
    try:
        answer = services.assistant.handle(
            Message(text=args.text, asker="cli", channel="cli", language=args.language, audience=args.audience)
        )
    finally:
        services.close()
    if args.json:
        print_json(AskResponse.from_answer(answer).model_dump())
        return 0
    print(answer.text)
    if answer.citations:
        print(f"\n{answer.citations_heading}:")
        for citation in answer.citations:
            section = f" › {citation.section}" if citation.section else ""
            print(f"  - {citation.title}{section}  ({citation.path}, score {citation.score:.3f})")
    if answer.gap:
        print(f"\n(logged as a knowledge gap: {answer.gap_reason.value if answer.gap_reason else 'unknown'})")
    return 0


def train(settings: Settings, args: argparse.Namespace) -> int:
    from connectors.nlu_runtime import train_nlu_model

    started = time.perf_counter()
    path = train_nlu_model(settings)
    print(f"NLU model: {path} ({time.perf_counter() - started:.1f}s)")
    return 0


def evaluate(settings: Settings, args: argparse.Namespace) -> int:
    from connectors import evaluation_commands

    return {
        "retrieval": evaluation_commands.retrieval,
        "calibrate": evaluation_commands.calibrate,
        "nlu": evaluation_commands.nlu,
        "routing": evaluation_commands.routing,
    }[args.kind](settings, args)


def gaps(settings: Settings, args: argparse.Namespace) -> int:
    from connectors.composition import build_services
    from connectors.gap_report import render_gap_report

    services = build_services(settings)
    try:
        content = render_gap_report(services.interactions, args.since, args.format)
    finally:
        services.close()
    if args.out:
        Path(args.out).write_text(content, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(content)
    return 0


def knowledge(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.knowledge.checks import check_knowledge

    directory = args.directory or settings.knowledge_dir
    result = check_knowledge(directory)
    if args.json:
        print_json(result.as_dict())
        return 0 if result.ok else 1
    print(f"{directory}: {result.pages} pages loaded")
    for page in result.broken:
        print(f"BROKEN   {page['path']}: {page['reason']}")
    for page in result.incomplete:
        print(f"MISSING  {page['path']}: no {', '.join(page['missing'])}")
    for page in result.stale:
        print(f"STALE    {page['path']}: review was due {page['review_by']} ({page['days_overdue']} days ago), "
              f"owner {page['owner'] or 'unknown'}")
    if result.ok and not result.incomplete and not result.stale:
        print("all pages are readable, complete and current")
    return 0 if result.ok else 1


def slack(settings: Settings, args: argparse.Namespace) -> int:
    from connectors.channels import slack_config
    from connectors.composition import build_services
    from connectors.slack import run_socket_mode

    config = slack_config(settings, socket_mode=True)
    if config is None or not settings.slack_app_token:
        print("error: Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN", file=sys.stderr)
        return 2
    services = build_services(settings)
    try:
        run_socket_mode(services.assistant, config)
    finally:
        services.close()
    return 0
