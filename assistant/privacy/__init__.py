"""Privacy: removing personal data from text before it is stored or logged."""

from assistant.privacy.redaction import (
    DEFAULT_KEEP_TERMS,
    NameFinder,
    PiiKind,
    RedactionResult,
    Redactor,
    SpacyNameFinder,
    is_luhn_valid,
    is_valid_iban,
)

__all__ = [
    "DEFAULT_KEEP_TERMS",
    "NameFinder",
    "PiiKind",
    "RedactionResult",
    "Redactor",
    "SpacyNameFinder",
    "is_luhn_valid",
    "is_valid_iban",
]
