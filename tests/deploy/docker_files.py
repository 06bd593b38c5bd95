"""Reading the Docker files the way Docker does, as far as the deploy tests need: instructions with their line
continuations joined, and `.dockerignore` patterns."""

from __future__ import annotations

import fnmatch
import json
import shlex
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DOCKER_DIR = PROJECT_ROOT / "docker"


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction: `COPY`, `USER`, ... and the rest of its (joined) line."""

    keyword: str
    arguments: str

    def words(self) -> list[str]:
        """The arguments as a list: the JSON (exec) form as written, the shell form split like a shell would."""
        if self.arguments.startswith("["):
            return json.loads(self.arguments)
        return shlex.split(self.arguments)


def instructions(dockerfile: Path) -> list[Instruction]:
    """The instructions of a Dockerfile, comments dropped and backslash continuations joined."""
    joined: list[str] = []
    pending = ""
    for raw in dockerfile.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    if pending:
        joined.append(pending)
    result = []
    for line in joined:
        keyword, _, arguments = line.partition(" ")
        result.append(Instruction(keyword.upper(), arguments.strip()))
    return result


def copy_sources(dockerfile: Path) -> list[str]:
    """What the Dockerfile's COPY instructions take from the build context (no `--from` stage copies)."""
    sources = []
    for instruction in instructions(dockerfile):
        if instruction.keyword != "COPY":
            continue
        words = instruction.words()
        if any(word.startswith("--from") for word in words):
            continue
        sources.extend(word for word in words[:-1] if not word.startswith("--"))
    return sources


def dockerignore_patterns(context: Path) -> list[str]:
    lines = (context / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether `.dockerignore` leaves `path` (relative to the context) out of the build context; the last matching
    pattern wins, `!` re-includes. A pattern matches the path or any folder above it."""
    parts = Path(path).parts
    candidates = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    verdict = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = pattern.lstrip("!").rstrip("/")
        body = body.removeprefix("**/")
        for candidate in candidates:
            name_only = candidate.rsplit("/", 1)[-1]
            if fnmatch.fnmatchcase(candidate, body) or ("/" not in body and pattern.lstrip("!").startswith("**/")
                                                        and fnmatch.fnmatchcase(name_only, body)):
                verdict = not negated
                break
    return verdict
