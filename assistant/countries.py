"""Which country an asker works in, which countries a text names, and a section's twin for another country.

Many pages hold a section per country ("UK entitlement", "Italy entitlement"; "Italia", "Regno Unito"). When a
question names no country, the reply quotes the asker's country's section, not whichever the words matched best.
The asker's country comes from the staff directory's `country` column, else from the question's language when that
language is spoken in only one of the company's countries (`LANGUAGE_COUNTRIES`). To add a country, add its code
and the words that name it, in every language of the knowledge, to `COUNTRY_NAMES`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "GB": ("uk", "u.k.", "united kingdom", "great britain", "britain", "british", "england",
           "scotland", "wales", "regno unito", "gran bretagna", "inghilterra", "britannico", "britannica",
           "britannici", "britanniche"),
    "IT": ("italy", "italian", "italia", "italiano", "italiana", "italiani", "italiane"),
}
"""ISO 3166 code -> the words (lower case, in English and Italian) that name the country in headings and questions."""
COUNTRY_LABELS: dict[str, dict[str, str]] = {
    "en": {"GB": "the UK", "IT": "Italy"},
    "it": {"GB": "il Regno Unito", "IT": "l'Italia"},
}
"""Language -> code -> how a reply or the console names the country after "for" / "per"."""
COUNTRY_CODE_PATTERN = "^(" + "|".join(COUNTRY_NAMES) + ")$"
"""A request field that names a country by its code (`POST /v1/ask`, the console's quick ask)."""
LANGUAGE_COUNTRIES = {"it": "IT"}
"""A question's language that is spoken in one of the company's countries only (Italian: Italy). English is asked in
both, so it says nothing of where the asker works."""


def _names_pattern(names: list[str]) -> re.Pattern[str]:
    """Any of `names` as whole words, longest first (so "united kingdom" is one name, not a word inside one)."""
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(r"(?<![\w.])(?:" + alternatives + r")(?!\w)", re.IGNORECASE)


_PATTERNS = {code: _names_pattern(list(names)) for code, names in COUNTRY_NAMES.items()}
_ANY_COUNTRY = _names_pattern([name for names in COUNTRY_NAMES.values() for name in names])


class UnknownCountryError(ValueError):
    """A country that is neither a code nor a name in `COUNTRY_NAMES`."""


def country_code(value: str) -> str:
    """`value` as a code of `COUNTRY_NAMES` ("GB", "uk", "Italy", "it" -> "GB", "GB", "IT", "IT"); raises
    `UnknownCountryError` for anything else."""
    cleaned = value.strip()
    if cleaned.upper() in COUNTRY_NAMES:
        return cleaned.upper()
    for code, names in COUNTRY_NAMES.items():
        if cleaned.lower() in names:
            return code
    raise UnknownCountryError(f"unknown country {value!r}: use one of {', '.join(COUNTRY_NAMES)} or a name of one")


def countries_named(text: str) -> frozenset[str]:
    """The codes of the countries `text` names."""
    return frozenset(code for code, pattern in _PATTERNS.items() if pattern.search(text))


def without_country_names(text: str) -> str:
    """`text` with the names of countries taken out, in lower case with its spacing evened out."""
    return " ".join(_ANY_COUNTRY.sub(" ", text.lower()).split())


def twin_section(section: str, page_sections: Iterable[str], country: str) -> str:
    """`section` when it is for no country or for `country`; else its twin for `country` among `page_sections` (the
    sections of its page: the same heading once the countries' names are taken out), when the page has one; else
    `section`."""
    named = countries_named(section)
    if not named or country in named:
        return section
    topic = without_country_names(section)
    return next((other for other in page_sections
                 if country in countries_named(other) and without_country_names(other) == topic), section)


def twin_countries(section: str, page_sections: Iterable[str]) -> list[str]:
    """The countries other than those `section` names for which its page (`page_sections`) has its twin, in
    `COUNTRY_NAMES` order; none for a section that names no country."""
    named = countries_named(section)
    if not named:
        return []
    sections = list(page_sections)
    return [code for code in COUNTRY_NAMES if code not in named and twin_section(section, sections, code) != section]


def asker_country(directory_country: str | None, language: str | None) -> str | None:
    """Where the asker works: the directory's country, else the one country of the question's language, else
    None (no preference)."""
    return directory_country or LANGUAGE_COUNTRIES.get(language or "")
