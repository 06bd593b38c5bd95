"""Console sessions: an HMAC-signed cookie that names the key by a fingerprint (never the key itself), and the
CSRF tokens derived from it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

LOOPBACK = "loopback"
"""The fingerprint of a session opened from this machine while no API keys are configured."""


class SessionError(Exception):
    """A session cookie that is malformed, forged or expired: the browser must sign in again."""


@dataclass(frozen=True)
class Session:
    """A signed-in browser: which key it signed in with (fingerprint), until when, and its random id."""

    fingerprint: str
    expires: int
    session_id: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionSigner:
    """Signs and checks session cookies and CSRF tokens with one secret (derived from the deployment's salt)."""

    def __init__(self, secret: bytes, lifetime_seconds: int, clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 16:
            raise ValueError("the console's session secret must be at least 16 bytes")
        self._secret = secret
        self.lifetime_seconds = lifetime_seconds
        self._clock = clock

    def _mac(self, purpose: str, value: str) -> str:
        return hmac.new(self._secret, f"{purpose}\0{value}".encode(), hashlib.sha256).hexdigest()

    def fingerprint(self, key_secret: str) -> str:
        """A stable, non-reversible name for an API key, kept in the cookie instead of the key."""
        return self._mac("key", key_secret)[:32]

    def open(self, fingerprint: str) -> tuple[Session, str]:
        """A new session for `fingerprint` and its cookie value."""
        session = Session(fingerprint, int(self._clock()) + self.lifetime_seconds, secrets.token_urlsafe(18))
        payload = _b64(json.dumps({"k": session.fingerprint, "e": session.expires, "n": session.session_id},
                                  separators=(",", ":")).encode())
        return session, f"{payload}.{self._mac('session', payload)}"

    def read(self, cookie: str) -> Session:
        """The session a cookie holds; raises `SessionError` when it is forged, malformed or expired."""
        payload, _, mac = cookie.partition(".")
        if not payload or not hmac.compare_digest(mac.encode(), self._mac("session", payload).encode()):
            raise SessionError("the session cookie's signature does not match")
        try:
            data = json.loads(_unb64(payload))
            session = Session(str(data["k"]), int(data["e"]), str(data["n"]))
        except (ValueError, KeyError, TypeError, binascii.Error) as error:
            raise SessionError(f"the session cookie is malformed: {error}") from error
        if session.expires <= self._clock():
            raise SessionError("the session has expired")
        return session

    def csrf_token(self, session: Session) -> str:
        """The token every form and fetch of this session must send back."""
        return self._mac("csrf", session.session_id)

    def csrf_valid(self, session: Session, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(token.encode(), self.csrf_token(session).encode())

    def signin_token(self, nonce: str) -> str:
        """The sign-in form's token, bound to the short-lived cookie the sign-in page sets (`nonce`)."""
        return self._mac("signin", nonce)

    def signin_valid(self, nonce: str | None, token: str | None) -> bool:
        return bool(nonce) and bool(token) and hmac.compare_digest(token.encode(), self.signin_token(nonce).encode())
