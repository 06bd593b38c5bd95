"""`assistant gaps digest` end to end: gaps recorded through the real store and redactor (SQLite), themes from the
real model, the digest posted to the Slack stand-in and the Teams connector stand-in, both on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.interactions import InteractionStore
from assistant.interactions.records import Resolution
from assistant.models import Answer, AskerProfile, Citation, GapReason, Message, Route
from benchmarks.standins.slack import SlackStandIn
from connectors.app.services import Services, build_services
from connectors.cli import build_parser, main
from tests.conftest import make_settings
from tests.teams.connector_service import ConnectorServiceStandIn

PUBLIC_URL = "https://assistant.verdello.example"
REPORT = f"{PUBLIC_URL}/v1/gaps/report?format=html"
SLACK_CHANNEL = "C0DIGEST"
TEAMS_CHANNEL = "19:ex-team-digest@thread.tacv2"
PLANTED = ("Giulia", "Bianchi", "giulia.bianchi", "example.com", "+39 347")
SMALL_TEAMS = ("Warehouse", "Garden")
SLOW = pytest.mark.slow  # the first to run trains the EX-dimension classifier (about 40 s on 2 cores)
RETURNS = Citation(title="Returns policy", path="en/customers/returns.md", section="Time limits", score=0.41)


class Clock:
    """The time the seeding store records, moved by the test."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def days_ago(self, days: float) -> None:
        self.now = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)


def record_gap(store: InteractionStore, number: int, text: str, *, asker: str, team: str,
               citation: Citation | None = None) -> str:
    answer_id = f"digest-gap-{number}"
    answer = Answer(text="Sorry, I couldn't find that.", route=Route.KNOWLEDGE, confidence=0.3,
                    citations=[citation] if citation else [], gap=True,
                    gap_reason=GapReason.LOW_CONFIDENCE if citation else GapReason.NO_ANSWER, answer_id=answer_id)
    store.record_turn(Message(text, asker=asker, channel="slack", profile=AskerProfile(team=team)), answer, 120.0)
    return answer_id


def seed(database_url: str, redactor) -> None:
    """Three themes: gift card balances (this week, six people on the tills, one with personal data in the
    question), returns after 30 days (weeks old, asked again this week, two resolved this week by the returns
    page), and loyalty cards failing at the till (new this week, from a small team)."""
    clock = Clock()
    store = InteractionStore(database_url, redactor, salt="test-salt", clock=clock)
    try:
        gift = ["How do I check the balance on a gift card?", "how do i check a gift card balance",
                "How can I check the balance of a customer's gift card?", "check gift card balance how?",
                "Where do I see the balance left on a gift card?"]
        for number, text in enumerate(gift):
            clock.days_ago(1 + number % 3)
            record_gap(store, number, text, asker=f"U0TILLS{number}", team="Tills")
        clock.days_ago(2)
        record_gap(store, 5, "My name is Giulia Bianchi, giulia.bianchi@example.com, +39 347 123 4567: how do I "
                             "check the balance on a gift card?", asker="U0TILLS5", team="Tills")
        returns = ["Can a customer return a lawnmower after 30 days?", "return a lawnmower after 30 days",
                   "Customer wants to return a lawnmower after 30 days, allowed?"]
        resolved = []
        for number, text in enumerate(returns, start=10):
            clock.days_ago(20 + number % 3)
            resolved.append(record_gap(store, number, text, asker=f"U0TILLS{number}", team="Tills",
                                       citation=RETURNS))
        clock.days_ago(2)
        record_gap(store, 13, "can a customer return a lawnmower after 30 days", asker="U0WAREHOUSE1",
                   team="Warehouse", citation=RETURNS)
        clock.days_ago(1)
        for answer_id in resolved[:2]:
            store.resolve_gap(answer_id, RETURNS.path, Resolution.PERSON, by="admin")
        for number in range(3):
            clock.days_ago(0.5 + number)
            record_gap(store, 20 + number, "The till app won't accept the new loyalty cards", asker=f"U0GARDEN{number}",
                       team="Garden")
    finally:
        store.close()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, embedder, redactor) -> Iterator[tuple[Path, Services]]:
    data_dir = tmp_path_factory.mktemp("digest-data")
    settings = make_settings(data_dir)
    seed(settings.resolved_database_url, redactor)
    services = build_services(settings, embedder=embedder, redactor=redactor)
    services.dimension_classifier()  # trained once here, not inside whichever test runs first
    yield data_dir, services
    services.close()


@pytest.fixture
def teams_service() -> Iterator[ConnectorServiceStandIn]:
    with ConnectorServiceStandIn() as service:
        yield service


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        yield standin


def digest_command(seeded, *argv: str, **settings_values) -> int:
    data_dir, services = seeded
    args = build_parser().parse_args(["gaps", "digest", *argv])
    return args.handler(make_settings(data_dir, **settings_values), args, services=services)


def both(slack, teams_service) -> dict[str, str]:
    return {"public_url": PUBLIC_URL, "digest_channel": SLACK_CHANNEL, "slack_bot_token": "xoxb-digest-test",
            "slack_api_url": slack.api_url, "digest_teams_conversation": TEAMS_CHANNEL,
            "teams_service_url": teams_service.url}


@SLOW
def test_the_digest_is_posted_to_slack_and_teams(seeded, slack, teams_service, capsys):
    assert digest_command(seeded, **both(slack, teams_service)) == 0

    [slack_call] = slack.calls_to("chat.postMessage")
    assert slack_call.body["channel"] == SLACK_CHANNEL and slack_call.token == "xoxb-digest-test"
    blocks = json.dumps(slack_call.body["blocks"], ensure_ascii=False)
    [teams_post] = teams_service.activities()
    assert teams_post.creates_conversation and teams_post.conversation_id == TEAMS_CHANNEL
    card = json.dumps(teams_post.activity["attachments"][0]["content"], ensure_ascii=False)
    out = capsys.readouterr().out
    assert f"posted the digest to Slack channel {SLACK_CHANNEL}" in out
    assert f"posted the digest to Teams conversation {TEAMS_CHANNEL}" in out

    digest = dry_run_json(seeded, capsys)
    by_size = {theme["gaps"]: theme for theme in digest["top_themes"]}
    gift, returns, loyalty = by_size[6], by_size[4], by_size[3]
    assert digest["top_themes"][0] == gift, "six people this week, all new: the most friction"
    assert "gift" in gift["label"] and (gift["askers"], gift["open"]) == (6, 6)
    assert (loyalty["askers"], returns["askers"], returns["open"]) == (3, 4, 2)
    assert {theme["theme_id"] for theme in digest["new_themes"]} == {gift["theme_id"], loyalty["theme_id"]}
    [resolved] = digest["resolved"]
    assert resolved["theme_id"] == returns["theme_id"] and resolved["resolved"] == 2
    assert resolved["pages"] == [{"path": "en/customers/returns.md", "title": "Returns policy"}]
    assert (digest["gaps"], digest["askers"]) == (10, 10)

    for rendered in (blocks, card):
        assert f"{REPORT}#{gift['theme_id']}" in rendered and f"{REPORT}#{returns['theme_id']}" in rendered
        assert "Returns policy" in rendered and "en/customers/returns.md" in rendered
        assert "Top themes by friction" in rendered and "New this week" in rendered
        assert "Resolved this week" in rendered


@SLOW
def test_personal_data_and_small_teams_never_reach_the_digest(seeded, slack, teams_service, capsys):
    assert digest_command(seeded, **both(slack, teams_service)) == 0
    [slack_call] = slack.calls_to("chat.postMessage")
    [teams_post] = teams_service.activities()
    posted = json.dumps([slack_call.body, teams_post.body], ensure_ascii=False)
    printed = capsys.readouterr().out + dry_run_json_text(seeded, capsys)
    for text in (posted, printed):
        for planted in PLANTED:
            assert planted not in text
        for team in SMALL_TEAMS:
            assert team not in text
    assert "Tills" in posted  # six people on the tills: big enough to be named


def dry_run_json_text(seeded, capsys) -> str:
    capsys.readouterr()
    assert digest_command(seeded, "--dry-run", "--format", "json") == 0
    return capsys.readouterr().out


def dry_run_json(seeded, capsys) -> dict:
    return json.loads(dry_run_json_text(seeded, capsys))


@SLOW
def test_a_dry_run_prints_and_posts_nothing(seeded, slack, teams_service, capsys):
    assert digest_command(seeded, "--dry-run", **both(slack, teams_service)) == 0
    out = capsys.readouterr().out
    assert out.startswith("Knowledge gaps, ") and "Top themes by friction:" in out and "Resolved this week:" in out
    assert f"<{REPORT}#theme-" in out
    assert digest_command(seeded, "--dry-run", "--format", "slack", "--top", "1") == 0
    message = json.loads(capsys.readouterr().out)
    assert message["blocks"][0]["type"] == "header"
    assert sum("*1. " in block.get("text", {}).get("text", "") for block in message["blocks"]) == 1
    assert digest_command(seeded, "--dry-run", "--format", "teams") == 0
    assert json.loads(capsys.readouterr().out)["type"] == "AdaptiveCard"
    assert slack.calls == [] and teams_service.requests == []


def test_without_a_destination_the_command_names_the_settings(capsys):
    assert main(["gaps", "digest"]) == 2
    error = capsys.readouterr().err
    for setting in ("ASSISTANT_DIGEST_CHANNEL", "SLACK_BOT_TOKEN", "ASSISTANT_DIGEST_TEAMS_CONVERSATION",
                    "ASSISTANT_TEAMS_SERVICE_URL", "--dry-run"):
        assert setting in error


@SLOW
def test_when_slack_refuses_teams_still_gets_it(seeded, slack, teams_service, capsys):
    slack.fail("chat.postMessage", "channel_not_found")
    assert digest_command(seeded, **both(slack, teams_service)) == 1
    assert len(teams_service.activities()) == 1
    captured = capsys.readouterr()
    assert f"posted the digest to Teams conversation {TEAMS_CHANNEL}" in captured.out
    assert f"not posted to Slack channel {SLACK_CHANNEL}" in captured.err and "channel_not_found" in captured.err


@SLOW
def test_when_teams_is_down_slack_still_gets_it(seeded, slack, teams_service, capsys):
    teams_service.fail_with = 503
    assert digest_command(seeded, **both(slack, teams_service)) == 1
    assert len(slack.calls_to("chat.postMessage")) == 1
    captured = capsys.readouterr()
    assert f"posted the digest to Slack channel {SLACK_CHANNEL}" in captured.out
    assert f"not posted to Teams conversation {TEAMS_CHANNEL}" in captured.err and "HTTP 503" in captured.err


@SLOW
def test_a_destination_set_in_part_is_a_failure_naming_what_is_missing(seeded, slack, capsys):
    values = {"digest_channel": SLACK_CHANNEL, "slack_bot_token": "xoxb-digest-test",
              "slack_api_url": slack.api_url, "digest_teams_conversation": TEAMS_CHANNEL}
    assert digest_command(seeded, **values) == 1
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert "ASSISTANT_TEAMS_SERVICE_URL is not" in capsys.readouterr().err


@SLOW
def test_an_unusable_slack_setting_does_not_stop_teams(seeded, teams_service, capsys):
    values = {"digest_channel": SLACK_CHANNEL, "slack_bot_token": "xoxb-digest-test", "slack_api_url": "ftp://x",
              "digest_teams_conversation": TEAMS_CHANNEL, "teams_service_url": teams_service.url}
    assert digest_command(seeded, **values) == 1
    assert len(teams_service.activities()) == 1
    assert "SLACK_API_URL" in capsys.readouterr().err
