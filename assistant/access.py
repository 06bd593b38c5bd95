"""Who may see and do what: page audiences, API roles and their permissions, in one table.

Pages are written for an audience (`all`, `staff`, `managers`); an asker sees the pages of their
own audience and of every audience below it. API keys carry a role; the role decides the
permissions and the highest audience its caller may ask for.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import SecretStr


class Audience(StrEnum):
    """Who a page is for, from the widest audience to the narrowest."""

    ALL = "all"
    STAFF = "staff"
    MANAGERS = "managers"


AUDIENCE_ORDER = (Audience.ALL, Audience.STAFF, Audience.MANAGERS)


def visible_audiences(audience: Audience | str) -> tuple[str, ...]:
    """The page audiences an asker of `audience` may read (their own and every wider one)."""
    rank = AUDIENCE_ORDER.index(Audience(audience))
    return tuple(level.value for level in AUDIENCE_ORDER[: rank + 1])


def capped_audience(audience: Audience | str, cap: Audience | str | None) -> Audience:
    """`audience`, lowered to `cap` when it is above it."""
    wanted = Audience(audience)
    if cap is None or AUDIENCE_ORDER.index(wanted) <= AUDIENCE_ORDER.index(Audience(cap)):
        return wanted
    return Audience(cap)


class Role(StrEnum):
    """The role an API key (or console session) acts in."""

    STAFF = "staff"
    CURATOR = "curator"
    EX = "ex"
    ADMIN = "admin"


class Permission(StrEnum):
    """Something a role may do."""

    ASK = "ask"
    VOTE = "vote"
    READ_KNOWLEDGE_HEALTH = "read_knowledge_health"
    READ_OWN_PAGES_GAPS = "read_own_pages_gaps"
    """Curators: the gaps whose nearest page they own."""
    READ_GAPS = "read_gaps"
    READ_REPORTS = "read_reports"
    CHANGE_GAP_STATE = "change_gap_state"


_EVERYONE = frozenset({Permission.ASK, Permission.VOTE})
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.STAFF: _EVERYONE,
    Role.CURATOR: _EVERYONE | {Permission.READ_KNOWLEDGE_HEALTH, Permission.READ_OWN_PAGES_GAPS},
    Role.EX: _EVERYONE | {Permission.READ_KNOWLEDGE_HEALTH, Permission.READ_GAPS, Permission.READ_REPORTS},
    Role.ADMIN: _EVERYONE | {Permission.READ_KNOWLEDGE_HEALTH, Permission.READ_GAPS, Permission.READ_REPORTS,
                             Permission.CHANGE_GAP_STATE},
}

ROLE_MAX_AUDIENCE: dict[Role, Audience] = {
    Role.STAFF: Audience.STAFF,
    Role.CURATOR: Audience.MANAGERS,
    Role.EX: Audience.MANAGERS,
    Role.ADMIN: Audience.MANAGERS,
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


@dataclass(frozen=True)
class ApiKey:
    """One entry of `ASSISTANT_API_KEYS`: the secret, its role, and for a curator the page owner they act for."""

    secret: SecretStr = field(repr=False)
    role: Role = Role.STAFF
    owner: str | None = None

    @classmethod
    def parse(cls, entry: str) -> ApiKey:
        """`KEY`, `KEY:ROLE` or `KEY:curator:OWNER` (a key without a role is a staff key)."""
        key, _, rest = entry.strip().partition(":")
        role_name, _, owner = rest.partition(":")
        if not key:
            raise ValueError("an API key entry is empty before its ':'")
        try:
            role = Role(role_name.strip().lower() or Role.STAFF)
        except ValueError:
            raise ValueError(
                f"API key role {role_name.strip()!r} is not one of {', '.join(r.value for r in Role)}"
            ) from None
        owner = owner.strip() or None
        if owner is not None and role is not Role.CURATOR:
            raise ValueError("only a curator key names a page owner (KEY:curator:OWNER)")
        return cls(SecretStr(key.strip()), role, owner)

    def matches(self, supplied: str) -> bool:
        """Constant-time comparison with what a caller sent."""
        return secrets.compare_digest(supplied.encode(), self.secret.get_secret_value().encode())
