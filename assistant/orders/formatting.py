"""Dates and money as people say them, in English and Italian, without depending on the machine's locale."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from assistant.orders.model import Money

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
           "novembre", "dicembre"),
}
WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "it": ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
}
SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def _lang(language: str) -> str:
    return language if language in MONTHS else "en"


def format_date(day: dt.date, language: str) -> str:
    """`Friday 27 November 2026` / `venerdì 27 novembre 2026`."""
    language = _lang(language)
    return f"{WEEKDAYS[language][day.weekday()]} {day.day} {MONTHS[language][day.month - 1]} {day.year}"


def format_datetime(moment: dt.datetime, language: str) -> str:
    """`Friday 27 November 2026 at 14:05` / `venerdì 27 novembre 2026 alle 14:05` (in the time zone given)."""
    joiner = " alle " if _lang(language) == "it" else " at "
    return f"{format_date(moment.date(), language)}{joiner}{moment:%H:%M}"


def format_money(money: Money, language: str) -> str:
    """`£1,249.00` in English; `1.249,00 €` in Italian; unknown currencies keep their code."""
    amount = money.amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):,.2f}".split(".")
    symbol = SYMBOLS.get(money.currency.upper())
    if _lang(language) == "it":
        number = f"{sign}{whole.replace(',', '.')},{cents}"
        return f"{number} {symbol or money.currency.upper()}"
    number = f"{whole}.{cents}"
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {money.currency.upper()}"
