"""The console over HTTP, without a browser: sign-in, session cookie, CSRF, roles, loopback rule, escaping, assets."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from assistant.access import ApiKey
from assistant.countries import COUNTRY_LABELS, COUNTRY_NAMES
from assistant.insights.notices import Notice
from assistant.interactions import NoticeRequest
from assistant.models import Citation
from connectors.channels.api_ports import ApiPorts
from connectors.channels.http.app import create_app
from connectors.channels.web import ConsoleConfig, install_console
from connectors.channels.web.i18n import STRINGS
from connectors.channels.web.sessions import SessionError, SessionSigner
from connectors.channels.web.viewers import SESSION_COOKIE
from tests.web.console_support import (
    ENTRIES,
    KEYS,
    PLANTED,
    SECRET,
    CannedAnswers,
    NoGaps,
    RecordingHandoff,
    console_app,
    form_token,
    page_token,
    sign_in,
)

LOCAL = ("127.0.0.1", 50000)


@pytest.fixture
def client() -> TestClient:
    return TestClient(console_app(), client=LOCAL)


def test_the_root_sends_a_stranger_to_sign_in(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin"


def test_signing_in_sets_an_httponly_strict_signed_cookie_without_the_key(client: TestClient) -> None:
    token = form_token(client.get("/signin").text)
    response = client.post("/signin", data={"key": KEYS["staff"], "csrf": token}, follow_redirects=False)
    assert response.status_code == 303
    cookie = next(value for value in response.headers.get_list("set-cookie") if value.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    assert KEYS["staff"] not in cookie
    page = client.get("/")
    assert page.status_code == 200
    assert 'id="question"' in page.text


def test_a_wrong_key_is_refused_with_the_form_again(client: TestClient) -> None:
    token = form_token(client.get("/signin").text)
    response = client.post("/signin", data={"key": "nope", "csrf": token}, follow_redirects=False)
    assert response.status_code == 401
    assert "not valid" in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_the_sign_in_form_needs_its_own_token(client: TestClient) -> None:
    client.get("/signin")
    response = client.post("/signin", data={"key": KEYS["admin"], "csrf": "forged"}, follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 303


def test_signing_out_needs_the_csrf_token_and_ends_the_session(client: TestClient) -> None:
    token = sign_in(client, "staff")
    assert client.post("/signout", data={"csrf": "wrong"}, follow_redirects=False).status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200
    response = client.post("/signout", data={"csrf": token}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_tampered_or_expired_session_cookie_is_not_accepted() -> None:
    signer = SessionSigner(SECRET, 60, clock=lambda: 1000.0)
    _, cookie = signer.open("abc")
    payload, _, mac = cookie.partition(".")
    with pytest.raises(SessionError):
        signer.read(payload + "x." + mac)
    with pytest.raises(SessionError):
        SessionSigner(SECRET, 60, clock=lambda: 2000.0).read(cookie)
    assert signer.read(cookie).fingerprint == "abc"
    client = TestClient(console_app(), client=LOCAL)
    client.cookies.set(SESSION_COOKIE, cookie)  # signed, but for no configured key
    assert client.get("/", follow_redirects=False).status_code == 303


def test_every_post_needs_the_session_csrf_token(client: TestClient) -> None:
    token = sign_in(client, "staff")
    for path, body in [("/console/ask", {"text": "hello"}), ("/console/feedback", {"answer_id": "a1", "helpful": True}),
                       ("/console/notify", {"answer_id": "a1"})]:
        assert client.post(path, json=body).status_code == 403, path
        assert client.post(path, json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403, path
        assert client.post(path, json=body, headers={"X-CSRF-Token": token}).status_code == 200, path


def test_a_fetch_without_a_session_is_401(client: TestClient) -> None:
    assert client.post("/console/ask", json={"text": "hello"}).status_code == 401


def test_a_bearer_key_opens_pages_and_needs_no_csrf_token() -> None:
    client = TestClient(console_app(), client=LOCAL)
    headers = {"Authorization": f"Bearer {KEYS['ex']}"}
    assert client.get("/dashboard", headers=headers).status_code == 200
    assert client.post("/console/ask", json={"text": "hi"}, headers=headers).status_code == 200
    assert client.get("/", headers={"Authorization": "Bearer wrong"}, follow_redirects=False).status_code == 303


PAGES = ("/", "/knowledge", "/dashboard")
ROLE_MATRIX = {
    # role: expected status of /, /knowledge, /dashboard
    "staff": (200, 403, 403),
    "curator": (200, 200, 403),
    "ex": (200, 200, 200),
    "admin": (200, 200, 200),
}
NAV_LINKS = {"staff": set(), "curator": {"/knowledge"}, "ex": {"/knowledge", "/dashboard"},
             "admin": {"/knowledge", "/dashboard"}}


@pytest.mark.parametrize("role", list(ROLE_MATRIX))
def test_role_matrix_of_the_pages(role: str) -> None:
    client = TestClient(console_app(), client=LOCAL)
    sign_in(client, role)
    for path, expected in zip(PAGES, ROLE_MATRIX[role], strict=True):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == expected, (role, path)
        if expected == 403:
            assert "Not for your role" in response.text
    home = client.get("/").text
    shown = {path for path in ("/knowledge", "/dashboard") if f'href="{path}"' in home}
    assert shown == NAV_LINKS[role]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_stranger_to_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/signin")


def test_without_keys_only_this_machine_gets_the_console_as_admin() -> None:
    remote = TestClient(console_app(entries=()), client=("10.1.2.3", 50000))
    assert remote.get("/", follow_redirects=False).status_code == 403
    assert remote.get("/signin", follow_redirects=False).status_code == 403
    local = TestClient(console_app(entries=()), client=LOCAL)
    page = local.get("/")  # through /signin, which opens a loopback session
    assert page.status_code == 200
    assert ">admin<" in page.text
    assert local.get("/dashboard").status_code == 200
    token = page_token(page.text)
    assert local.post("/console/ask", json={"text": "hi"}).status_code == 403
    assert local.post("/console/ask", json={"text": "hi"}, headers={"X-CSRF-Token": token}).status_code == 200


def test_the_answer_fragment_escapes_the_question_and_the_page_title() -> None:
    answers = CannedAnswers()
    client = TestClient(console_app(answers=answers), client=LOCAL)
    token = sign_in(client, "staff")
    response = client.post("/console/ask", json={"text": f"refund {PLANTED}"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 200
    assert "<script>" not in response.text
    assert "<img" not in response.text
    assert "&lt;script&gt;" in response.text
    assert 'href="https://intranet.verdello.example/returns"' in response.text
    assert "javascript:" not in response.text.split("Hostile link")[0].rsplit("<li>", 1)[-1]
    assert 'href="javascript' not in response.text
    assert "We keep our promises." in response.text
    assert "may be less precise" in response.text
    assert answers.messages[-1].channel == "web"
    assert answers.messages[-1].max_audience == "staff"


def test_votes_hand_offs_and_notices_go_through_the_answering_port() -> None:
    answers, handoff = CannedAnswers(), RecordingHandoff()
    client = TestClient(console_app(answers=answers, handoff=handoff), client=LOCAL)
    token = sign_in(client, "staff")
    headers = {"X-CSRF-Token": token}
    fragment = client.post("/console/ask", json={"text": "hello"}, headers=headers).text
    assert 'data-action="handoff"' in fragment
    assert client.post("/console/feedback", json={"answer_id": "a1", "helpful": False}, headers=headers).json() == {
        "answer_id": "a1", "helpful": False, "gap": False}
    assert client.post("/console/feedback", json={"answer_id": "zz", "helpful": True},
                       headers=headers).status_code == 404
    assert client.post("/console/handoff", json={"answer_id": "a1"}, headers=headers).json()["handoff"] == "#store-help"
    assert client.post("/console/notify", json={"answer_id": "a1"}, headers=headers).status_code == 200
    assert answers.votes == [("a1", False)]
    assert [record.question for record in handoff.forwarded] == ["redacted question"]
    assert answers.notices[0][0] == "a1"
    assert answers.notices[0][2] == "web"


def test_without_a_hand_off_channel_there_is_no_ask_a_person_button(client: TestClient) -> None:
    token = sign_in(client, "staff")
    fragment = client.post("/console/ask", json={"text": "hello"}, headers={"X-CSRF-Token": token}).text
    assert 'data-action="handoff"' not in fragment
    assert client.post("/console/handoff", json={"answer_id": "a1"},
                       headers={"X-CSRF-Token": token}).status_code == 503


def test_the_ui_follows_accept_language_and_the_switch(client: TestClient) -> None:
    sign_in(client, "staff")
    assert "La tua domanda" in client.get("/", headers={"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"}).text
    assert "Your question" in client.get("/", headers={"Accept-Language": "de-DE,en;q=0.5"}).text
    switched = client.get("/?lang=it", headers={"Accept-Language": "en"})
    assert 'lang="it"' in switched.text
    assert "Domanda rapida" in client.get("/", headers={"Accept-Language": "en"}).text  # the switch is remembered


def test_pages_carry_a_strict_content_security_policy(client: TestClient) -> None:
    response = client.get("/signin")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


def test_static_files_are_cached_by_version_and_revalidated_by_etag(client: TestClient) -> None:
    page = client.get("/signin").text
    url = next(part.split('"')[0] for part in page.split('href="')[1:] if part.startswith("/console/static/"))
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-type"].startswith("text/css")
    again = client.get(url.split("?")[0], headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["cache-control"] == "public, max-age=300"
    assert client.get("/console/static/../console.py").status_code == 404


def test_the_api_is_untouched_by_the_console(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.post("/v1/ask", json={"text": "hi"}).status_code == 401
    assert client.post("/v1/ask", json={"text": "hi"},
                       headers={"Authorization": f"Bearer {KEYS['staff']}"}).status_code == 200


def test_answers_to_earlier_gaps_show_once_on_the_quick_ask_page() -> None:
    class Inbox:
        def __init__(self) -> None:
            self.asked: list[tuple[str, str]] = []

        def collect_notices(self, channel: str, asker: str) -> list[NoticeRequest]:
            self.asked.append((channel, asker))
            if len(self.asked) > 1:
                return []
            notice = Notice(question=f"bonus {PLANTED}", language="en", answered=True, text="Yes, £50 each.",
                            citations=(Citation("Referral bonus", "en/staff/referrals.md", "", 0.8,
                                                "https://intranet.verdello.example/referrals"),))
            return [NoticeRequest(1, "a1", dt.datetime(2026, 5, 1, tzinfo=dt.UTC), "web", {}, "staff", "bonus",
                                  "en", notice=notice.as_json())]

    inbox = Inbox()
    ports = replace(ApiPorts(answering=CannedAnswers(), gaps=NoGaps(),
                             api_keys=tuple(ApiKey.parse(entry) for entry in ENTRIES)), notices=inbox)
    app = create_app(ports)
    install_console(app, ports, ConsoleConfig(session_secret=SECRET))
    client = TestClient(app, client=LOCAL)
    token = form_token(client.get("/signin").text)
    client.post("/signin", data={"key": KEYS["staff"], "csrf": token}, follow_redirects=False)
    shown = client.get("/").text
    assert inbox.asked[0][0] == "web"
    assert inbox.asked[0][1].startswith("console-")
    assert "Yes, £50 each." in shown
    assert 'href="https://intranet.verdello.example/referrals"' in shown
    assert "<script>window" not in shown
    assert "Yes, £50 each." not in client.get("/").text


def test_an_answer_says_how_long_the_server_took_in_server_timing() -> None:
    client = TestClient(console_app(), client=LOCAL)
    response = client.post("/console/ask", json={"text": "hi"}, headers={"Authorization": f"Bearer {KEYS['staff']}"})
    timing = dict(part.strip().split(";dur=") for part in response.headers["server-timing"].split(","))
    assert set(timing) == {"answer", "render"} and all(float(value) >= 0 for value in timing.values())


def test_the_quick_ask_passes_the_chosen_countrys_rules_on() -> None:
    answers = CannedAnswers()
    client = TestClient(console_app(answers=answers), client=LOCAL)
    token = sign_in(client, "staff")
    page = client.get("/").text
    assert '<select id="country"' in page and '<option value="IT">Italy</option>' in page
    assert '<option value="GB">the UK</option>' in page and '<option value="">my country</option>' in page
    headers = {"X-CSRF-Token": token}
    assert client.post("/console/ask", json={"text": "ferie", "country": "IT"}, headers=headers).status_code == 200
    assert client.post("/console/ask", json={"text": "ferie", "country": None}, headers=headers).status_code == 200
    assert client.post("/console/ask", json={"text": "ferie", "country": "FR"}, headers=headers).status_code == 422
    assert [message.country for message in answers.messages] == ["IT", None]


def test_every_country_has_a_name_in_each_console_language() -> None:
    for language in STRINGS:
        assert set(COUNTRY_LABELS[language]) == set(COUNTRY_NAMES)
