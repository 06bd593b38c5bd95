"""A page with a section per country ("UK entitlement", "Italy entitlement") answers from the asker's country's.

A question that names no country matches both sections' words alike, and the quote used to be whichever window
scored best. When the asker's country is known (`assistant.countries.asker_country`), a window of a section for
another country gives way to the same topic's section for the asker's country, wherever on the page that is: its
twin has the same heading once the country's name is taken out ("Sick pay > UK" and "Sick pay > Italy"; "Italia" and
"Regno Unito").
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.countries import countries_named, without_country_names
from assistant.models import Chunk


def section_topic(section: str) -> str:
    """What a section is about whatever country it is for: its heading path without the names of countries."""
    return without_country_names(section)


def in_country(windows: Sequence[Chunk], page_windows: Sequence[Chunk], country: str) -> list[Chunk]:
    """`windows` (best first), each of a section for another country replaced by the windows of its twin section
    for `country` among `page_windows` (all of its page's), where the page has one; the others as they are."""
    chosen: list[Chunk] = []
    for window in windows:
        named = countries_named(window.section)
        if not named or country in named:
            chosen.append(window)
            continue
        topic = section_topic(window.section)
        twins = [other for other in page_windows
                 if country in countries_named(other.section) and section_topic(other.section) == topic]
        chosen.extend(twins or [window])
    return list({window.chunk_id: window for window in chosen}.values())
