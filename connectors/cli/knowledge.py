"""`assistant knowledge check`: broken, incomplete or stale pages in the knowledge directory;
`assistant knowledge add-question PAGE "QUESTION"`: a staff question becomes one of a page's phrasings."""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.settings import Settings
from connectors.cli.output import print_json


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("knowledge", help="knowledge base maintenance")
    knowledge_commands = parser.add_subparsers(dest="knowledge_command", required=True)
    check = knowledge_commands.add_parser(
        "check", help="report broken, incomplete or stale pages, pages missing phrasings in a language, and "
                 "country sections with no twin")
    check.add_argument("directory", nargs="?", type=Path, default=None)
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=check_pages)
    add = knowledge_commands.add_parser(
        "add-question", help="add a question to a page's `questions` front matter (answered after the next ingest)")
    add.add_argument("page", help="the page, relative to the knowledge folder (en/customers/returns.md) or as a path")
    add.add_argument("question")
    add.add_argument("--knowledge", type=Path, default=None, help="default ASSISTANT_KNOWLEDGE_DIR")
    add.set_defaults(handler=add_question)


def check_pages(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.pages.checks import check_pages, untwinned_reason

    directory = args.directory or settings.knowledge_dir
    result = check_pages(directory)
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
    for problem in result.values:
        print(f"VALUES   {problem['path']}: {problem['reason']}")
    for page in result.phrasings:
        print(f"PHRASING {page['path']}: no `questions` phrasing in {', '.join(page['missing'])}, "
              f"owner {page['owner'] or 'unknown'}")
    for problem in result.translations:
        print(f"LINK     {problem['path']}: translation_of {problem['translation_of']!r} ignored: {problem['reason']}"
              if problem["translation_of"] else f"LINK     {problem['path']}: {problem['reason']}")
    for problem in result.countries:
        print(f"COUNTRY  {problem['path']}: {untwinned_reason(problem)}, owner {problem['owner'] or 'unknown'}")
    if result.ok and not any((result.incomplete, result.stale, result.values, result.phrasings,
                              result.translations, result.countries)):
        print("all pages are readable, complete and current")
    return 0 if result.ok else 1


def add_question(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when the question was added or was already there; errors (exit 2) name what is wrong."""
    from assistant.pages.questions import add_question
    from assistant.privacy import Redactor

    directory = args.knowledge or settings.knowledge_dir
    result = add_question(directory, args.page, args.question, Redactor(keep_terms=settings.redaction_keep_terms))
    if result.redacted:
        print(f"redacted {result.redacted} item(s) of personal data: the question is written as {result.question!r}")
    if not result.added:
        print(f"{result.page} already has this question ({result.existing!r}); nothing changed")
        return 0
    print(f"added to {result.page}: {result.question!r}; run `assistant ingest` to answer it")
    return 0
