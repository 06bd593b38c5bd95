"""Questions that ask for an amount of money, and passages that state one.

A near-miss question uses a page's words and asks what the page does not say: "how much does the gym cost per
month?" finds the page about the gym, which says where it is and when it opens; "what's the per-mile rate?" finds
the travel rules, which link to the rates. Search scores such a page as high as a page that answers, so the
answerability threshold cannot tell them apart. What does tell is the kind of answer asked for: a question about a
price, fee, rate or refund is answered only by a passage that states an amount (a figure with its currency or
percentage, or "free"). `misses_asked_amount` holds back an answer whose passage states none (in the question's
language or across languages); the nearest page is still suggested, and the question is logged for the page to gain
its figure. When the passage does state one, the reply's quote leads with the window that states it.

Matched on the handbook and the demo knowledge (docs/evaluation.md, "Questions asking for an amount"): two
unanswerable handbook questions answered before are held back, and every answerable one asking for an amount, whose
right page came first, kept its answer.
"""

from __future__ import annotations

import re

_NOT_MONEY = re.compile(
    r"\bpay ?(?:period|day|grade|stub|slip|check|cheque)s?\b|\bbusta paga\b"
    r"|\b(?:un)?paid (?:leave|time off|holidays?|vacation|sabbaticals?|absence|breaks?|days? off|parental|maternity"
    r"|paternity|sick)\b",
    re.IGNORECASE,
)

_MONEY_WORDS = (
    r"cost|costs|price|fee|fees|fare|fares|charge|charges|pay|paid|reimburs\w*|refund\w*|worth|deposit|salary|"
    r"stipend|allowance|per diem|budget|hire|rent|rental"
)
_RATE = (
    r"(?:mileage|mile|km|hourly|match|matching|reimbursement|commission|discount|exchange|interest|per diem)"
    r"[ -]rates?\b|\brates?\s+(?:per|a|an)\s+(?:mile|km|kilometre|kilometer|hour)\b|\bper[- ](?:mile|km)\b"
)
_ASKS_EN = re.compile(
    rf"\bhow much\b(?!\s+time\b)(?:\s+\w+){{0,8}}?\s+(?:{_MONEY_WORDS})\b"
    rf"|\bhow much money\b"
    rf"|\bwhat(?:'s|\s+is|\s+are|\s+was)?\s+(?:the\s+|our\s+|their\s+|my\s+)?(?:[\w&-]+\s+){{0,3}}?"
    rf"(?:price|cost|fee|fare|salary|stipend|allowance|per diem|deposit)s?\b"
    rf"|\b(?:cost|price|fee|fare|charge)s?\s+(?:per|a|an)\s+(?:mile|km|kilometre|kilometer|month|year|day|"
    rf"hour|night|week|session)\b"
    rf"|\b{_RATE}",
    re.IGNORECASE,
)
_ASKS_IT = re.compile(
    r"\bquanto\s+(?:\w+\s+){0,2}?(?:costa|costano|costerà|si paga|paga|pago|paghiamo|pagano|rimbors\w*|vale|valgono"
    r"|si spende)\b"
    r"|\bquanti soldi\b"
    r"|\b(?:qual è|quale è|quali sono|che)\s+(?:il |la |l'|i |le )?(?:prezzo|costo|tariffa|importo|rimborso|"
    r"cifra|valore)\w*\b"
    r"|\b(?:prezzo|costo|tariffa|importo|rimborso)\s+(?:al|per|a)\s+(?:km|chilometro|mese|anno|giorno|ora|notte)\b",
    re.IGNORECASE,
)

_STATES = re.compile(
    r"[$€£]\s?\\?\d|\d\s?[$€£]"
    r"|\b\d[\d,.]*\s?(?:dollars?|euros?|euro|pounds?|pence|cents?|centesimi|usd|eur|gbp|%|percent|per ?cent|"
    r"per cento)|\b\d+p\b(?!\.?m\b)"
    r"|\b(?:free|free of charge|no charge|at no cost|costs? nothing|gratis|gratuit[aoie]|senza costi|non costa nulla)\b"
    r"|\b(?:full|half|a third|a quarter) (?:of )?(?:the )?(?:refund|price|cost|amount)\b|\bin full\b"
    r"|\b(?:rimborso (?:completo|totale|integrale)|intero importo|metà del (?:costo|prezzo))\b"
    r"|\b(?:price|amount|sum) (?:paid|spent)\b|\bsame amount\b|\b(?:prezzo|importo) pagato\b"
    r"|\b(?:full|half|normal|usual|basic|standard|contractual) pay\b|\b(?:retribuzione|paga) (?:piena|intera)\b",
    re.IGNORECASE,
)


def asks_for_amount(question: str) -> bool:
    """Whether `question` (English or Italian) asks how much something costs, pays or is worth."""
    text = _NOT_MONEY.sub(" ", question)
    return bool(_ASKS_EN.search(text) or _ASKS_IT.search(text))


def states_amount(text: str) -> bool:
    """Whether `text` states an amount of money: a figure with a currency or percentage, or that it is free."""
    return bool(_STATES.search(text))


def misses_asked_amount(question: str, passage: str) -> bool:
    """True when `question` asks for an amount and `passage`, the one the reply would quote from, states none."""
    return asks_for_amount(question) and not states_amount(passage)
