"""The staff directory: which team, location, role, country and page audience a channel user id belongs to.

Read from a CSV or YAML file (`ASSISTANT_DIRECTORY_FILE`) with one row per user id (a Slack user
id, a Teams/Entra object id, or the `user` an API caller sends); columns `user_id`, `team`,
`location`, `role`, `audience`, `country`, all but `user_id` optional. Only the groups are kept, never a name:
group values pass through the redactor when loaded, so a stray name or e-mail in the file is masked
before it can reach the interaction store or a report. `country` (a code or name of `assistant.countries`)
chooses the section of a page with one per country; it is not a report group.
"""

from __future__ import annotations

import csv
import io
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from assistant.access import Audience
from assistant.countries import UnknownCountryError, country_code
from assistant.errors import ConfigurationError
from assistant.models import AskerProfile

logger = logging.getLogger(__name__)

COLUMNS = ("user_id", "team", "location", "role", "audience", "country")
GROUP_COLUMNS = ("team", "location", "role")


class DirectoryError(ConfigurationError):
    """The directory file cannot be read or holds a row that makes no sense."""


class StaffDirectory:
    """User id -> `AskerProfile`; an unknown id gets an empty profile (default audience, group "unknown")."""

    def __init__(self, profiles: dict[str, AskerProfile] | None = None) -> None:
        self._profiles = dict(profiles or {})

    def profile(self, user_id: str) -> AskerProfile:
        return self._profiles.get(user_id, AskerProfile())

    def __len__(self) -> int:
        return len(self._profiles)

    @classmethod
    def load(cls, path: Path, redact: Callable[[str], str] = lambda text: text) -> StaffDirectory:
        """Read a `.csv`, `.yml` or `.yaml` file; raises `DirectoryError` saying which row is wrong."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise DirectoryError(f"cannot read the staff directory {path}: {error}") from error
        if path.suffix.lower() == ".csv":
            rows = _csv_rows(path, text)
        elif path.suffix.lower() in (".yml", ".yaml"):
            rows = _yaml_rows(path, text)
        else:
            raise DirectoryError(f"the staff directory {path} must be a .csv, .yml or .yaml file")
        profiles: dict[str, AskerProfile] = {}
        for number, row in rows:
            user_id, profile = _profile(path, number, row, redact)
            if user_id in profiles:
                raise DirectoryError(f"{path}, entry {number}: user id {user_id!r} appears twice")
            profiles[user_id] = profile
        return cls(profiles)


class ReloadingDirectory:
    """A directory file re-read when it changes (checked at most every `check_seconds`).

    A file that breaks after a good load keeps the last good directory answering (and logs why);
    a file that is broken at start raises `DirectoryError`, so a mistake is seen at once.
    """

    def __init__(self, path: Path, redact: Callable[[str], str] = lambda text: text,
                 check_seconds: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._path = Path(path)
        self._redact = redact
        self._check_seconds = check_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._stamp = self._file_stamp()
        self._directory = StaffDirectory.load(self._path, redact)
        self._checked_at = clock()

    def profile(self, user_id: str) -> AskerProfile:
        self._refresh_if_due()
        return self._directory.profile(user_id)

    def __len__(self) -> int:
        return len(self._directory)

    def _file_stamp(self) -> tuple[float, int] | None:
        try:
            stat = self._path.stat()
        except OSError:
            return None
        return stat.st_mtime, stat.st_size

    def _refresh_if_due(self) -> None:
        if self._clock() - self._checked_at < self._check_seconds:
            return
        with self._lock:
            self._checked_at = self._clock()
            stamp = self._file_stamp()
            if stamp == self._stamp:
                return
            try:
                self._directory = StaffDirectory.load(self._path, self._redact)
            except DirectoryError as error:
                logger.error("staff directory not reloaded, the previous one stays in use: %s", error)
            else:
                logger.info("staff directory reloaded: %d entries", len(self._directory))
            self._stamp = stamp


def _csv_rows(path: Path, text: str) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "user_id" not in [name.strip() for name in reader.fieldnames]:
        raise DirectoryError(f"{path}: the first line must name the columns, including user_id ({', '.join(COLUMNS)})")
    # Line 1 is the header, so the first row is line 2.
    return [(number, {(key or "").strip(): value for key, value in row.items()})
            for number, row in enumerate(reader, start=2)]


def _yaml_rows(path: Path, text: str) -> list[tuple[int, dict]]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DirectoryError(f"{path}: not valid YAML: {error}") from error
    entries = document.get("staff") if isinstance(document, dict) else document
    if not isinstance(entries, list):
        raise DirectoryError(f"{path}: expected a list of entries (or a mapping with a `staff` list)")
    rows = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise DirectoryError(f"{path}, entry {number}: expected a mapping with user_id, team, ...")
        rows.append((number, entry))
    return rows


def _profile(path: Path, number: int, row: dict, redact: Callable[[str], str]) -> tuple[str, AskerProfile]:
    unknown = set(row) - set(COLUMNS)
    if unknown:
        raise DirectoryError(f"{path}, entry {number}: unknown column(s) {', '.join(sorted(map(str, unknown)))}")
    user_id = _text(row.get("user_id"))
    if user_id is None:
        raise DirectoryError(f"{path}, entry {number}: user_id is empty")
    audience = _text(row.get("audience"))
    if audience is not None and audience not in {level.value for level in Audience}:
        raise DirectoryError(
            f"{path}, entry {number}: audience {audience!r} is not one of {', '.join(a.value for a in Audience)}"
        )
    country = _text(row.get("country"))
    try:
        country = country_code(country) if country is not None else None
    except UnknownCountryError as error:
        raise DirectoryError(f"{path}, entry {number}: {error}") from error
    groups = {column: _group(row.get(column), redact) for column in GROUP_COLUMNS}
    return user_id, AskerProfile(audience=audience, country=country, **groups)


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _group(value: object, redact: Callable[[str], str]) -> str | None:
    text = _text(value)
    return redact(text) if text is not None else None
