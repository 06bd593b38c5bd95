"""Who is looking at the console: from `Authorization: Bearer KEY`, the signed session cookie, or (with no keys
configured) the loopback rule the API follows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import Request

from assistant.access import ApiKey, Permission, Role, allows
from connectors.channels.addresses import is_loopback_host
from connectors.channels.api_ports import matching_key
from connectors.channels.web.sessions import LOOPBACK, Session, SessionError, SessionSigner

SESSION_COOKIE = "console_session"
SIGNIN_COOKIE = "console_signin"
LANGUAGE_COOKIE = "console_lang"
CSRF_HEADER = "x-csrf-token"


class NotSignedInError(Exception):
    """The request carries no valid key or session: HTML pages send the browser to sign in."""


class LoopbackOnlyError(Exception):
    """No API keys are configured and the request did not come from this machine."""


class ForbiddenError(Exception):
    """The viewer's role may not do this, or a form came without its CSRF token."""


@dataclass(frozen=True)
class Viewer:
    """A signed-in person, as far as the console needs to know: the role, a curator's page owner, and the browser
    session (None when the request authenticated with a Bearer key, which needs no CSRF token)."""

    role: Role
    owner: str | None
    fingerprint: str
    session: Session | None = None
    csrf_token: str | None = None

    @property
    def asker(self) -> str:
        """Who asks, for the assistant and the notices inbox: the key, by its fingerprint (never a person)."""
        return f"console-{self.fingerprint[:16]}"

    def may(self, permission: Permission) -> bool:
        return allows(self.role, permission)

    def require(self, permission: Permission) -> None:
        if not self.may(permission):
            raise ForbiddenError(f"the {self.role.value} role may not {permission.value}")


class ViewerResolver:
    """Turns a request into a `Viewer`, and checks the CSRF token of the requests that change something."""

    def __init__(self, keys: Sequence[ApiKey], signer: SessionSigner) -> None:
        self._keys = list(keys)
        self._signer = signer
        self._by_fingerprint = {signer.fingerprint(key.secret.get_secret_value()): key for key in self._keys}

    @property
    def open_loopback(self) -> bool:
        """True when no keys are configured: this machine uses the console as an administrator, without signing in."""
        return not self._keys

    def key_for(self, supplied: str) -> tuple[ApiKey, str] | None:
        """The configured key and its fingerprint, or None for a wrong key."""
        key = matching_key(self._keys, supplied.strip())
        return (key, self._signer.fingerprint(key.secret.get_secret_value())) if key is not None else None

    def check_loopback(self, request: Request) -> None:
        """With no keys configured, refuse every caller but this machine (`LoopbackOnlyError`)."""
        if self.open_loopback:
            client = request.client.host if request.client else ""
            if not is_loopback_host(client):
                raise LoopbackOnlyError("no API keys are configured: the console answers this machine only")

    def viewer(self, request: Request) -> Viewer:
        """The viewer of `request`. Raises `LoopbackOnlyError` or `NotSignedInError`."""
        self.check_loopback(request)
        authorization = request.headers.get("authorization") or ""
        if authorization.lower().startswith("bearer ") and self._keys:
            found = self.key_for(authorization[7:])
            if found is None:
                raise NotSignedInError("wrong API key in the Authorization header")
            key, fingerprint = found
            return Viewer(key.role, key.owner, fingerprint)
        session = self._session(request)
        if session is None:
            raise NotSignedInError("no console session")
        if self.open_loopback:
            return Viewer(Role.ADMIN, None, LOOPBACK, session, self._signer.csrf_token(session))
        key = self._by_fingerprint.get(session.fingerprint)
        if key is None:
            raise NotSignedInError("the session's key is no longer configured")
        return Viewer(key.role, key.owner, session.fingerprint, session, self._signer.csrf_token(session))

    def _session(self, request: Request) -> Session | None:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        try:
            session = self._signer.read(cookie)
        except SessionError:
            return None
        if (session.fingerprint == LOOPBACK) != self.open_loopback:
            return None
        return session

    def check_csrf(self, viewer: Viewer, token: str | None) -> None:
        """A session's changes must carry its CSRF token; a Bearer request cannot be forged by another site."""
        if viewer.session is not None and not self._signer.csrf_valid(viewer.session, token):
            raise ForbiddenError("missing or wrong CSRF token")
