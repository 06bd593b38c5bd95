"""Questions about the demo knowledge that tests in several folders rely on."""

MANAGERS_ONLY_QUESTION = "how many days does someone have to appeal a written warning?"
"""Only a page for managers answers it (en/staff/disciplinary-procedure.md)."""
