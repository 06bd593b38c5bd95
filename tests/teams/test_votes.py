"""Teams votes are recorded once: the same button pressed twice, on one replica or on two replicas over one database
(a SQLite file, and PostgreSQL under scripts/with-postgres), counts once; a change of mind counts every time."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity

from connectors.channels.teams import AssistantBot
from connectors.channels.teams.replies import feedback_thanks
from connectors.channels.teams.turn_errors import TurnErrorHandler
from tests.interactions.conftest import database_url, postgres_admin, postgres_url, sqlite_path  # noqa: F401
from tests.support.replicas import Replica, start_replica

from . import activities as teams
from .cards_read import card_of, submit_actions

SERVICE_URL = "https://smba.trafficmanager.net/emea/"  # never contacted: TestAdapter sends nothing


def send(bot: AssistantBot, *payloads: dict[str, Any]) -> list[Activity]:
    """Send each activity to `bot` through a TestAdapter; return everything the bot sent."""
    adapter = TestAdapter(bot.on_turn)
    adapter.on_turn_error = TurnErrorHandler()

    async def turns() -> None:
        for payload in payloads:
            await adapter.receive_activity(Activity().deserialize(payload))

    asyncio.run(turns())
    return list(adapter.activity_buffer)


@pytest.fixture
def replicas(database_url: str) -> Iterator[list[Replica]]:  # noqa: F811  (the fixture imported above)
    started = [start_replica(database_url), start_replica(database_url)]
    yield started
    for replica in started:
        replica.close()


def votes_on(replica: Replica, answer_id: str) -> list[bool]:
    turn = replica.store.turn(answer_id)
    assert turn is not None
    return [vote.helpful for vote in turn.feedback]


def test_the_same_vote_on_two_replicas_is_recorded_once_and_a_change_of_mind_always(replicas) -> None:
    a = AssistantBot(replicas[0].assistant, state=replicas[0].state)
    b = AssistantBot(replicas[1].assistant, state=replicas[1].state)
    [card_reply] = send(a, teams.personal_message(SERVICE_URL))
    actions = submit_actions(card_of(card_reply.serialize()))
    answer_id = actions["Helpful"]["answer_id"]

    thanks = [*send(a, teams.card_submission(SERVICE_URL, actions["Helpful"])),
              *send(b, teams.card_submission(SERVICE_URL, actions["Helpful"]))]

    assert [reply.text for reply in thanks] == [feedback_thanks(True)] * 2, "both presses are thanked"
    assert votes_on(replicas[0], answer_id) == [True]

    send(b, teams.card_submission(SERVICE_URL, actions["Not helpful"]))
    send(a, teams.card_submission(SERVICE_URL, actions["Helpful"]))
    send(a, teams.card_submission(SERVICE_URL, actions["Helpful"]))
    assert votes_on(replicas[1], answer_id) == [True, False, True]


def test_a_double_press_on_one_replica_counts_once_but_another_persons_vote_counts(replicas) -> None:
    bot = AssistantBot(replicas[0].assistant)  # this process's memory, as without a store
    [card_reply] = send(bot, teams.personal_message(SERVICE_URL))
    actions = submit_actions(card_of(card_reply.serialize()))
    colleague = teams.card_submission(SERVICE_URL, actions["Helpful"])
    colleague["from"] = {"id": "29:another-user", "name": "Ada", "aadObjectId": "0000-another-colleague"}

    send(bot, *(teams.card_submission(SERVICE_URL, actions["Helpful"]) for _ in range(3)), colleague)

    assert votes_on(replicas[0], actions["Helpful"]["answer_id"]) == [True, True]


def test_a_vote_that_could_not_be_recorded_can_be_tried_again(replicas) -> None:
    bot = AssistantBot(replicas[0].assistant, state=replicas[0].state)
    unknown = {"action": "feedback", "answer_id": "no-such-answer", "helpful": True}

    replies = send(bot, teams.card_submission(SERVICE_URL, unknown), teams.card_submission(SERVICE_URL, unknown))

    assert all("feedback wasn't recorded" in reply.text for reply in replies) and len(replies) == 2
