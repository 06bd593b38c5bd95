"""`assistant gaps digest`: the weekly gap summary, posted to a Slack channel and/or a Teams channel.

A sub-command of the `gaps` group (registered by `connectors/cli/gaps.py`), kept in its own module because it
wires both chat channels' posters. The channels (slack_sdk, botbuilder) are imported when the command runs, so
that other commands start without them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.errors import IndexNotReadyError
from assistant.insights.digest import DEFAULT_TOP, MAX_TOP, WeeklyDigest, build_weekly_digest
from assistant.settings import Settings, reveal
from connectors.reports.digest import render_digest_text

if TYPE_CHECKING:
    from connectors.app.services import Services

REPORT_PATH = "/v1/gaps/report?format=html"
NO_DESTINATION = (
    "no digest destination is configured: set ASSISTANT_DIGEST_CHANNEL (a Slack channel id, with SLACK_BOT_TOKEN) "
    "and/or ASSISTANT_DIGEST_TEAMS_CONVERSATION (a Teams channel or chat id, with ASSISTANT_TEAMS_SERVICE_URL and "
    "MICROSOFT_APP_ID/MICROSOFT_APP_PASSWORD), or use --dry-run to print the digest"
)
DRY_RUN_FORMATS = ("text", "json", "slack", "teams")


@dataclass(frozen=True)
class Destination:
    """Where the digest goes: a name for the messages, and how to post there (returning the message id)."""

    name: str
    post: Callable[[WeeklyDigest], Awaitable[str]]


class DestinationUnusableError(Exception):
    """A digest destination is configured, but not so that it can be posted to (the message says why)."""


def register(gap_commands: argparse._SubParsersAction) -> None:
    digest = gap_commands.add_parser(
        "digest", help="post the weekly gap summary to Slack (ASSISTANT_DIGEST_CHANNEL) and/or Teams "
                       "(ASSISTANT_DIGEST_TEAMS_CONVERSATION)")
    digest.add_argument("--since", type=_bounded(1, 366), default=7, metavar="DAYS",
                        help="the digest's week: the last DAYS days (default 7)")
    digest.add_argument("--top", type=_bounded(1, MAX_TOP), default=DEFAULT_TOP, metavar="N",
                        help=f"how many themes to rank by friction (default {DEFAULT_TOP})")
    digest.add_argument("--dry-run", action="store_true", help="print the digest instead of posting it")
    digest.add_argument("--format", choices=DRY_RUN_FORMATS, default="text",
                        help="what --dry-run prints: text, the digest as JSON, Slack's blocks or Teams' card")
    digest.set_defaults(handler=digest_gaps)


def digest_gaps(settings: Settings, args: argparse.Namespace, services: Services | None = None) -> int:
    """Build the digest and print it (`--dry-run`) or post it to every configured destination.

    Exit status: 0 when every destination got it, 1 when one failed (the others are still tried), 2 when no
    destination is configured. `services` lets a caller that already has them (the tests) skip building them.
    """
    destinations: list[Destination] = []
    failures: list[str] = []
    if not args.dry_run:
        destinations, failures = digest_destinations(settings)
        if not destinations and not failures:
            print(f"error: {NO_DESTINATION}", file=sys.stderr)
            return 2
    digest = make_digest(settings, since_days=args.since, top=args.top, services=services)
    if args.dry_run:
        sys.stdout.write(_dry_run(digest, args.format))
        return 0
    failures += asyncio.run(_post_everywhere(digest, destinations))
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


def make_digest(settings: Settings, *, since_days: int, top: int, services: Services | None = None) -> WeeklyDigest:
    """The digest of the last `since_days` days over the whole stored history (so "first seen" is true, and the
    theme ids are those of the HTML report its links point into)."""
    if services is None:
        from connectors.app.services import build_services

        built = build_services(settings)
        try:
            return make_digest(settings, since_days=since_days, top=top, services=built)
        finally:
            built.close()
    insights, gaps = services.insights().report(None)
    report_url = f"{settings.public_url.rstrip('/')}{REPORT_PATH}" if settings.public_url else None
    return build_weekly_digest(insights, gaps, since_days=since_days, top=top, report_url=report_url,
                               page_title=_page_titles(services))


def digest_destinations(settings: Settings) -> tuple[list[Destination], list[str]]:
    """The configured destinations, and what is wrong with those configured only in part (or unsafely)."""
    destinations: list[Destination] = []
    problems: list[str] = []
    for configured, build in ((settings.digest_channel, _slack_destination),
                              (settings.digest_teams_conversation, _teams_destination)):
        if not configured:
            continue
        try:
            destinations.append(build(settings))
        except DestinationUnusableError as error:
            problems.append(str(error))
    return destinations, problems


def _slack_destination(settings: Settings) -> Destination:
    from connectors.app.channel_mounts import slack_config
    from connectors.channels.slack.digest import SlackDigestPoster
    from connectors.channels.slack.errors import SlackConfigError

    try:
        slack = slack_config(settings, socket_mode=True)  # posting needs only the bot token
    except SlackConfigError as error:
        raise DestinationUnusableError(f"Slack: {error}") from error
    if slack is None:
        raise DestinationUnusableError("Slack: ASSISTANT_DIGEST_CHANNEL is set but SLACK_BOT_TOKEN is not")
    poster = SlackDigestPoster(slack)
    channel = settings.digest_channel or ""
    return Destination(f"Slack channel {channel}", lambda digest: poster.post(channel, digest))


def _teams_destination(settings: Settings) -> Destination:
    from connectors.channels.teams.digest import digest_card
    from connectors.channels.teams.errors import TeamsConfigurationError
    from connectors.channels.teams.proactive import TeamsPoster

    if not settings.teams_service_url:
        raise DestinationUnusableError(
            "Teams: ASSISTANT_DIGEST_TEAMS_CONVERSATION is set but ASSISTANT_TEAMS_SERVICE_URL is not")
    try:
        poster = TeamsPoster(settings.teams_service_url, app_id=settings.microsoft_app_id,
                             app_password=reveal(settings.microsoft_app_password),
                             tenant_id=settings.microsoft_app_tenant_id)
    except TeamsConfigurationError as error:
        raise DestinationUnusableError(str(error)) from error
    conversation = settings.digest_teams_conversation or ""
    return Destination(f"Teams conversation {conversation}",
                       lambda digest: poster.post(conversation, card=digest_card(digest)))


async def _post_everywhere(digest: WeeklyDigest, destinations: list[Destination]) -> list[str]:
    from connectors.channels.slack.digest import SlackPostError
    from connectors.channels.teams.errors import TeamsDeliveryError

    failures = []
    for destination in destinations:
        try:
            message_id = await destination.post(digest)
        except (SlackPostError, TeamsDeliveryError) as error:
            failures.append(f"the digest was not posted to {destination.name}: {error}")
        else:
            print(f"posted the digest to {destination.name} (message {message_id})")
    return failures


def _dry_run(digest: WeeklyDigest, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(digest.as_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "slack":
        from connectors.channels.slack.digest import digest_message

        text, blocks = digest_message(digest)
        return json.dumps({"text": text, "blocks": blocks}, indent=2, ensure_ascii=False) + "\n"
    if fmt == "teams":
        from connectors.channels.teams.digest import digest_card

        return json.dumps(digest_card(digest), indent=2, ensure_ascii=False) + "\n"
    return render_digest_text(digest)


def _page_titles(services: Services) -> Callable[[str], str | None]:
    """Page titles from the current index (none before the first ingest)."""
    try:
        snapshot = services.index.snapshot()
    except IndexNotReadyError:
        return lambda path: None
    titles = {chunk.path: chunk.title for chunk in snapshot.chunks}
    return titles.get


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from error
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {low} to {high}, got {value}")
        return value

    return parse
