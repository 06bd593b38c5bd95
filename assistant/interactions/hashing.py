"""Pseudonymises identifiers (askers, conversations) before they are stored."""

from __future__ import annotations

import hashlib
import hmac


class IdentifierHasher:
    """Turns an identifier into a salted SHA-256 digest (HMAC-SHA256 keyed with the salt).

    The same identifier and salt always give the same 64-character hex digest, so turns of
    one asker can be grouped without the store ever holding the raw id. Without the salt
    the digest cannot be recomputed from a guessed id.
    """

    def __init__(self, salt: str | bytes) -> None:
        key = salt.encode("utf-8") if isinstance(salt, str) else bytes(salt)
        if not key:
            raise ValueError("the identifier salt must not be empty")
        self._key = key

    def hash(self, identifier: str) -> str:
        """The hex digest of `identifier`."""
        return hmac.new(self._key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()
