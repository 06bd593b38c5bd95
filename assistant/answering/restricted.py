"""The reply when the answer is on a page the asker may not read (a managers-only page asked about by staff).

Saying "I don't know" there would be wrong twice: the asker would look no further, and the gap report would ask
knowledge managers for a page that exists. The reply says that guidance exists for a narrower audience, shows
none of it, and points to the people who can act on it; the page is kept with the gap for the EX team.
"""

from __future__ import annotations

from assistant.models import SearchHit

AUDIENCE_NAMES = {
    "en": {"staff": "colleagues", "managers": "managers"},
    "it": {"staff": "ai colleghi", "managers": "ai responsabili"},
}
RESTRICTED = {
    "en": "There is guidance on this, but it is written for {audience} only, so I can't show it here. Please ask "
          "your manager or the duty manager",
    "it": "Su questo c'è una guida, ma è riservata {audience} e non posso mostrartela qui. Chiedi al tuo "
          "responsabile o al responsabile di turno",
}
OWNER = {
    "en": ", or {owner}",
    "it": ", oppure {owner}",
}
LOGGED = {
    "en": "I've logged the question: it tells the company which guidance staff need too.",
    "it": "Ho registrato la domanda: dice all'azienda quali indicazioni servono anche al personale.",
}


def restricted_reply(withheld: SearchHit, language: str) -> str:
    """The reply naming the audience the answering page is for and its owner, quoting nothing of it."""
    language = language if language in RESTRICTED else "en"
    audience = AUDIENCE_NAMES[language].get(withheld.chunk.audience, withheld.chunk.audience)
    text = RESTRICTED[language].format(audience=audience)
    if withheld.chunk.owner:
        text += OWNER[language].format(owner=withheld.chunk.owner)
    return f"{text}. {LOGGED[language]}"
