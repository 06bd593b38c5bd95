"""Runs the FastAPI app with the Slack router on 127.0.0.1, and sends it requests signed like Slack's."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI

from assistant.ports import AnswersQuestions, RecallsQuestions
from assistant.shared_state import SharedState
from benchmarks.standins.app_server import AppServer
from benchmarks.standins.slack import BOT_USER_ID, TEAM_ID, SlackStandIn
from connectors.channels.slack import SlackConfig, create_slack_router

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-test-verdello"
# Event and trigger ids are unique across clients, as Slack's are across a workspace: two clients standing in for
# one Slack in front of two replicas never send the same event id for different events.
_IDS = itertools.count(1)



@dataclass
class SlackHarness:
    """A running app with the Slack router, the stand-in it talks to, and a signed Slack client."""

    standin: SlackStandIn
    slack: SignedSlack
    server: AppServer
    config: SlackConfig

    def stop(self) -> None:
        self.slack.close()
        self.server.stop()


StartSlack = Callable[..., SlackHarness]


def start_harness(standin: SlackStandIn, assistant: AnswersQuestions, *, state: SharedState | None = None,
                  questions: RecallsQuestions | None = None, **config: Any) -> SlackHarness:
    """Serve a FastAPI app with `create_slack_router(assistant, config)` talking to `standin`; `state` and
    `questions` are passed on (a replica shares `state` with the others)."""
    slack_config = SlackConfig(
        bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_url=standin.api_url, **config
    )
    app = FastAPI()
    app.include_router(create_slack_router(assistant, slack_config, state=state, questions=questions))
    server = AppServer(app).start()
    return SlackHarness(standin, SignedSlack(server.url), server, slack_config)


def sign(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    """Slack's v0 request signature: HMAC-SHA256 of `v0:TIMESTAMP:BODY` with the signing secret."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SignedSlack:
    """Sends Events API, slash command and interactivity requests to `POST /slack/events`."""

    def __init__(self, base_url: str, secret: str = SIGNING_SECRET) -> None:
        self._url = base_url + "/slack/events"
        self._secret = secret
        self._http = httpx.Client(timeout=10)

    def close(self) -> None:
        self._http.close()

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        ts = int(time.time()) if timestamp is None else timestamp
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature or sign(body, ts, self._secret),
            **(headers or {}),
        }
        return self._http.post(self._url, content=body, headers=sent)

    def next_id(self) -> int:
        return next(_IDS)

    # ------------------------------------------------------------ Events API

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None, **kwargs: Any
    ) -> httpx.Response:
        body = event_body(event, event_id or f"Ev{self.next_id():08d}")
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return self.post(json.dumps(body).encode(), "application/json", headers=headers, **kwargs)

    # ------------------------------------------------------------ slash command

    def command(
        self, text: str, *, response_url: str, user: str = "U0ALICE", channel: str = "C0STORE"
    ) -> httpx.Response:
        form = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "team_domain": "verdello",
            "channel_id": channel,
            "channel_name": "store-42",
            "user_id": user,
            "user_name": "alice",
            "command": "/ask",
            "text": text,
            "api_app_id": "A0ASSIST",
            "response_url": response_url,
            "trigger_id": f"{self.next_id()}.1234.abcd",
        }
        return self.post(urlencode(form).encode(), "application/x-www-form-urlencoded")

    # ------------------------------------------------------------ interactivity

    def action(
        self,
        action_id: str,
        value: str,
        *,
        response_url: str,
        user: str = "U0ALICE",
        channel: str = "C0STORE",
        message: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """A button click on `message` (a posted message), or on an ephemeral message when None."""
        container: dict[str, Any] = {"type": "message", "channel_id": channel}
        if message is None:
            container.update(message_ts=f"{1_700_000_000 + self.next_id()}.000200", is_ephemeral=True)
        else:
            container.update(message_ts=message["ts"], is_ephemeral=False)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": "alice", "team_id": TEAM_ID},
            "api_app_id": "A0ASSIST",
            "token": "legacy",
            "container": container,
            "trigger_id": f"{self.next_id()}.5678.efgh",
            "team": {"id": TEAM_ID, "domain": "verdello"},
            "channel": {"id": channel, "name": "store-42"},
            "response_url": response_url,
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "answer_actions",
                    "value": value,
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        if message is not None:
            payload["message"] = message
        return self.post(
            urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"
        )


def event_body(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    """The Events API envelope around `event`."""
    return {
        "token": "legacy",
        "team_id": TEAM_ID,
        "api_app_id": "A0ASSIST",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}
        ],
    }


_ts = itertools.count(1)


def new_ts() -> str:
    """A fresh Slack message timestamp."""
    return f"{1_600_000_000 + next(_ts)}.{next(_ts):06d}"


def mention(
    text: str, *, channel: str = "C0STORE", user: str = "U0ALICE", thread_ts: str | None = None
) -> dict:
    """An `app_mention` event: `<@UBOT> text` in `channel`."""
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": new_ts(),
        "channel": channel,
        "event_ts": "",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    event["event_ts"] = event["ts"]
    return event


def message(
    text: str,
    *,
    channel: str = "C0STORE",
    user: str | None = "U0ALICE",
    thread_ts: str | None = None,
    channel_type: str = "channel",
    **extra: Any,
) -> dict:
    """A `message` event (`message.channels`, `message.im` with channel_type="im")."""
    event: dict[str, Any] = {"type": "message", "text": text, "ts": new_ts(), "channel": channel}
    event["event_ts"] = event["ts"]
    event["channel_type"] = channel_type
    if user:
        event["user"] = user
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event
