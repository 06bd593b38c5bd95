"""A page with a section per country ("UK entitlement", "Italy entitlement") answers from the asker's country's.

A question that names no country matches both sections' words alike, and the quote used to be whichever window
scored best. When the asker's country is known (`assistant.countries.asker_country`), a window of a section for
another country gives way to the same topic's section for the asker's country, wherever on the page that is: its
twin has the same heading once the country's name is taken out ("Sick pay > UK" and "Sick pay > Italy"; "Italia" and
"Regno Unito"; `assistant.countries.twin_section`). `assistant knowledge check` reports sections with no twin.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.countries import twin_section
from assistant.models import Chunk


def in_country(windows: Sequence[Chunk], page_windows: Sequence[Chunk], country: str) -> list[Chunk]:
    """`windows` (best first), each of a section for another country replaced by the windows of its twin section
    for `country` among `page_windows` (all of its page's), where the page has one; the others as they are."""
    sections = list(dict.fromkeys(window.section for window in page_windows))
    chosen: list[Chunk] = []
    for window in windows:
        twin = twin_section(window.section, sections, country)
        chosen.extend([window] if twin == window.section
                      else [other for other in page_windows if other.section == twin])
    return list({window.chunk_id: window for window in chosen}.values())
