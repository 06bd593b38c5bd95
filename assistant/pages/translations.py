"""Pages that cover one topic in several languages, linked by `translation_of` in their front matter.

A link names one page; links chain (an Italian and a French page may both name the English one), so a page's
translations are every page its links reach, in either direction. `knowledge check` reports links that cannot hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class TranslationGroups:
    """Each linked page's translations, and each page's language."""

    groups: Mapping[str, frozenset[str]]
    """Page path → every page in its group, itself included (only pages with a link or linked to)."""
    languages: Mapping[str, str]

    @classmethod
    def from_links(cls, links: Mapping[str, str | None], languages: Mapping[str, str]) -> TranslationGroups:
        """`links`: page → the page its `translation_of` names (None: no link); links to pages not in
        `languages`, or between pages of one language, are left out (`link_problems` reports them)."""
        parent = {path: path for path in languages}

        def root(path: str) -> str:
            while parent[path] != path:
                parent[path] = parent[parent[path]]
                path = parent[path]
            return path

        for path, target in links.items():
            if target is not None and path in parent and target in parent and languages[path] != languages[target]:
                parent[root(path)] = root(target)
        members: dict[str, set[str]] = {}
        for path in parent:
            members.setdefault(root(path), set()).add(path)
        groups = {path: frozenset(members[root(path)]) for path in parent if len(members[root(path)]) > 1}
        return cls(groups, dict(languages))

    def counterpart(self, path: str, language: str) -> str | None:
        """The page translating `path` into `language` (None when there is none, or `path` is itself in it)."""
        if self.languages.get(path) == language:
            return None
        return next((other for other in sorted(self.groups.get(path, ()))
                     if other != path and self.languages.get(other) == language), None)


def link_problems(links: Mapping[str, str | None], languages: Mapping[str, str]) -> list[dict]:
    """`{"path", "translation_of", "reason"}` for each link that cannot hold: to a page that does not exist, to
    itself, to a page in the same language, or joining two pages of one language in one group."""
    problems = []
    for path, target in sorted(links.items()):
        if target is None:
            continue
        if target == path:
            reason = "a page cannot be its own translation"
        elif target not in languages:
            reason = f"no page {target} in the knowledge directory"
        elif languages[target] == languages[path]:
            reason = f"{target} is in the same language ({languages[path]})"
        else:
            continue
        problems.append({"path": path, "translation_of": target, "reason": reason})
    reported = {problem["path"] for problem in problems}
    groups = TranslationGroups.from_links({path: target for path, target in links.items() if path not in reported},
                                          languages)
    for group in sorted({members for members in groups.groups.values()}, key=sorted):
        for language in sorted({languages[path] for path in group}):
            same = sorted(path for path in group if languages[path] == language)
            if len(same) > 1:
                problems.append({"path": same[1], "translation_of": links.get(same[1]),
                                 "reason": f"linked through translations to {same[0]}, also in {language}: "
                                           "a topic has one page per language"})
    return problems
