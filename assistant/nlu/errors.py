"""Typed errors of the Rasa NLU parts: installing, training, starting and calling Rasa.

All of them mean "no intent classification right now", so they derive from
`NLUUnavailableError`: a caller that degrades gracefully catches that one class.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.errors import NLUUnavailableError


class RasaNotInstalledError(NLUUnavailableError):
    """The Rasa executable is missing or not executable."""

    def __init__(self, executable: Path) -> None:
        super().__init__(
            f"Rasa is not installed: {executable} does not exist or is not executable. "
            "Run `make rasa-env` to install it."
        )
        self.executable = executable


class NLUDataError(NLUUnavailableError):
    """The NLU training data directory is missing or lacks its pipeline config."""


class RasaTrainingError(NLUUnavailableError):
    """`rasa train nlu` failed or timed out; carries the end of Rasa's error output."""

    def __init__(self, reason: str, output_tail: str, command: Sequence[str] = ()) -> None:
        message = f"Rasa NLU training failed: {reason}"
        if output_tail:
            message += f"\n--- last lines of Rasa's output ---\n{output_tail}"
        super().__init__(message)
        self.reason = reason
        self.output_tail = output_tail
        self.command = tuple(command)


class RasaStartError(NLUUnavailableError):
    """The supervised Rasa server could not be started or did not become ready in time."""

    def __init__(self, reason: str, log_tail: str = "") -> None:
        message = f"Rasa server not available: {reason}"
        if log_tail:
            message += f"\n--- last lines of the Rasa log ---\n{log_tail}"
        super().__init__(message)
        self.reason = reason
        self.log_tail = log_tail


class NLUCircuitOpenError(NLUUnavailableError):
    """A recent call to the NLU server failed, so calls are skipped for a short cool-down."""

    def __init__(self, reason: str, retry_in_seconds: float) -> None:
        super().__init__(f"{reason} (not retrying for another {retry_in_seconds:.1f} s)")
        self.reason = reason
        self.retry_in_seconds = retry_in_seconds
