"""What every Rasa child process needs: a checked executable and a quiet environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from assistant.nlu.errors import RasaNotInstalledError

# Variables set for Rasa children unless the caller's environment already sets them.
QUIET_RASA_ENVIRONMENT: Mapping[str, str] = {
    # TensorFlow's C++ start-up chatter (CPU feature notices, oneDNN hints).
    "TF_CPP_MIN_LOG_LEVEL": "2",
    # No telemetry prompt, no calls home (they hang until timeout on machines without internet).
    "RASA_TELEMETRY_ENABLED": "false",
    # Rasa 3.6 uses SQLAlchemy 1.4 APIs that print a 2.0 migration warning on every start.
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}


def rasa_environment(
    base: Mapping[str, str] | None = None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment for a Rasa child: `base` (the parent's by default), quiet defaults, `extra`.

    Passing the parent's environment through is what `subprocess` does anyway (PATH, HOME,
    proxies); no setting of the assistant is read from it here.
    """
    env = dict(os.environ if base is None else base)
    for key, value in QUIET_RASA_ENVIRONMENT.items():
        env.setdefault(key, value)
    env.update(extra or {})
    return env


def require_executable(executable: Path) -> Path:
    """The absolute path of the Rasa executable; raises `RasaNotInstalledError` if unusable."""
    path = Path(executable).absolute()
    if not path.is_file() or not os.access(path, os.X_OK):
        raise RasaNotInstalledError(path)
    return path


_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
# "path.py:12: SomeDeprecationWarning: ..." and the indented source line Python prints after it.
# Rasa's dependencies print a dozen of these on every start (PYTHONWARNINGS does not silence
# them), and they would push Rasa's own error out of a short tail.
_LIBRARY_WARNING = re.compile(r"^\S+\.py:\d+: \w*(Deprecation|MovedIn20)Warning\b")
_WARNING_CONTINUATION = re.compile(r"^(\s|Implementing implicit namespace packages)")


def tail_lines(text: str, lines: int = 25) -> str:
    """The last `lines` meaningful lines of Rasa's output.

    Drops blank lines, colour codes, progress-bar redraws and library deprecation warnings.
    """
    kept: list[str] = []
    in_warning = False
    for raw in text.splitlines():
        line = _ANSI_ESCAPE.sub("", raw.rsplit("\r", 1)[-1]).rstrip()
        if _LIBRARY_WARNING.match(line):
            in_warning = True
            continue
        if in_warning and _WARNING_CONTINUATION.match(line):
            continue
        in_warning = False
        if line.strip():
            kept.append(line)
    return "\n".join(kept[-lines:])


def read_tail(path: Path, lines: int = 25, max_bytes: int = 64_000) -> str:
    """The last lines of a log file ("" when it does not exist yet)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - max_bytes))
            data = handle.read()
    except FileNotFoundError:
        return ""
    return tail_lines(data.decode("utf-8", errors="replace"), lines)
