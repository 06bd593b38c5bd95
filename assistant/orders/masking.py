"""The customer's personal data as staff may see it: enough to check who they are talking to, never in full."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.orders.model import Customer


def initials(name: str | None) -> str | None:
    """`Giulia Rossi` -> `G. R.`; None for an empty name."""
    if not name:
        return None
    parts = [part for part in name.replace("-", " ").split() if part[:1].isalpha()]
    return " ".join(f"{part[0].upper()}." for part in parts) or None


def mask_email(email: str | None) -> str | None:
    """`giulia.rossi@example.com` -> `g***@example.com`; None when it is not an address."""
    if not email or email.count("@") != 1:
        return None
    local, domain = email.strip().split("@")
    if not local or not domain:
        return None
    return f"{local[0]}***@{domain}"


def mask_phone(phone: str | None) -> str | None:
    """`+44 7700 900456` -> `*** *** 0456`: only the last four digits; None with fewer than six digits."""
    digits = [ch for ch in phone or "" if ch.isdigit()]
    if len(digits) < 6:
        return None
    return "*** *** " + "".join(digits[-4:])


@dataclass(frozen=True)
class MaskedCustomer:
    """What staff see of the customer, to check identity ("is your email g***@example.com?")."""

    initials: str | None = None
    email: str | None = None
    phone: str | None = None

    @classmethod
    def of(cls, customer: Customer) -> MaskedCustomer:
        return cls(initials(customer.name), mask_email(customer.email), mask_phone(customer.phone))

    @property
    def empty(self) -> bool:
        return not (self.initials or self.email or self.phone)
