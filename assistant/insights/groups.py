"""Groups too small to hide a person are not shown: they are merged into "other"."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

OTHER = "other"
UNKNOWN = "unknown"
"""The group of askers the staff directory does not list."""


def group_namer(memberships: Iterable[tuple[str | None, str]], min_group_size: int) -> Callable[[str | None], str]:
    """A function naming the group a report may show for a raw group value.

    `memberships` are (group, asker hash) pairs over the report's period. A group with fewer than
    `min_group_size` distinct askers is shown as "other", so that nobody can be singled out by
    team, location or role; askers not in the directory are "unknown" (also subject to the rule).
    """
    askers: dict[str, set[str]] = defaultdict(set)
    for group, asker in memberships:
        askers[group or UNKNOWN].add(asker)
    shown = {group for group, members in askers.items() if len(members) >= min_group_size}

    def name(group: str | None) -> str:
        key = group or UNKNOWN
        return key if key in shown else OTHER

    return name
