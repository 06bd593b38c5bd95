"""Train the Rasa NLU model, but only when the training data changed.

The model file is named after a hash of everything in the NLU data directory
(`nlu-<first 12 hex digits>.tar.gz`), so "is there a model for this data?" is a file check
and an unchanged directory never costs a training run.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.nlu.errors import NLUDataError, RasaTrainingError
from assistant.nlu.rasa_environment import rasa_environment, require_executable, tail_lines

logger = logging.getLogger(__name__)

MODEL_PREFIX = "nlu-"
MODEL_SUFFIX = ".tar.gz"
HASH_LENGTH = 12
CONFIG_FILE = "config.yml"
NOT_RASA_DATA = ("ex_dimensions.yml",)
"""Files in `nlu_data/` (paths relative to it) that are not Rasa training data and do not count in the model hash.

`ex_dimensions.yml` holds the labelled questions of the EX-dimension classifier (`assistant.insights.dimensions`);
Rasa skips it because it has no `nlu:` key, and leaving it out of the hash means editing it never retrains Rasa.
Spelled out here rather than imported, so loading the NLU code does not load scikit-learn.
"""


def nlu_data_files(nlu_data_dir: Path) -> list[Path]:
    """The files that define the model, sorted by relative path.

    Hidden files and folders (editor swap files, `.rasa` caches), `__pycache__` and `NOT_RASA_DATA` are left out.
    """
    root = Path(nlu_data_dir)
    files = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            continue
        if relative.as_posix() in NOT_RASA_DATA:
            continue
        if path.is_file():
            files.append(path)
    return sorted(files, key=lambda path: path.relative_to(root).as_posix())


def hash_nlu_data(nlu_data_dir: Path) -> str:
    """A SHA-256 (hex) over the relative paths and bytes of every NLU data file.

    Renaming, adding or removing a file changes it as much as editing one does. The Rasa
    pin (`requirements-rasa.txt`) lives in the directory too, so a new Rasa version, whose
    models are not compatible, also gets a new model.
    """
    root = Path(nlu_data_dir)
    digest = hashlib.sha256()
    for path in nlu_data_files(root):
        data = path.read_bytes()
        name = path.relative_to(root).as_posix().encode("utf-8")
        digest.update(b"%d:%s\0%d:" % (len(name), name, len(data)))
        digest.update(data)
    return digest.hexdigest()


def model_file(models_dir: Path, data_hash: str, suffix: str) -> Path:
    """The file in `models_dir` for a model of the NLU data with this hash (`nlu-<12 hex digits><suffix>`); every
    model trained from `nlu_data/` is named this way, so the ones from the same data sit side by side."""
    return Path(models_dir) / f"{MODEL_PREFIX}{data_hash[:HASH_LENGTH]}{suffix}"


@dataclass(frozen=True)
class TrainingResult:
    """The model for the current data, and whether this call had to train it."""

    model_path: Path
    data_hash: str
    trained: bool
    duration_seconds: float


class RasaTrainer:
    """Trains `nlu_data_dir` into `models_dir` with `rasa train nlu` when no model matches it.

    Training writes into a temporary folder inside `models_dir` and moves the finished file
    into place, so a reader never sees half a model; a lock file keeps two processes from
    training the same data at once. Old models are kept (a running server may still use one).
    """

    def __init__(
        self,
        executable: Path,
        nlu_data_dir: Path,
        models_dir: Path,
        *,
        timeout_seconds: float = 900.0,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.executable = Path(executable).absolute()
        self.nlu_data_dir = Path(nlu_data_dir).absolute()
        self.models_dir = Path(models_dir).absolute()
        self.timeout_seconds = timeout_seconds
        self._env = env

    def data_hash(self) -> str:
        """The hash of the NLU data as it is on disk now."""
        self._check_data()
        return hash_nlu_data(self.nlu_data_dir)

    def model_path_for(self, data_hash: str) -> Path:
        """Where the model trained from data with this hash lives."""
        return model_file(self.models_dir, data_hash, MODEL_SUFFIX)

    def current_model(self) -> Path | None:
        """The model trained from the data as it is now, or None if there is none yet."""
        path = self.model_path_for(self.data_hash())
        return path if path.is_file() else None

    def ensure_model(self) -> Path:
        """The path of a model for the current data, training one first if needed."""
        return self.train().model_path

    def train(self, *, force: bool = False) -> TrainingResult:
        """Train unless a model for the current data exists (or `force`); return where it is.

        Raises `NLUDataError` for a missing data directory or config, `RasaNotInstalledError`
        when the executable is missing, and `RasaTrainingError` (with the end of Rasa's
        output) when training fails or takes longer than `timeout_seconds`.
        """
        started = time.monotonic()
        data_hash = self.data_hash()
        target = self.model_path_for(data_hash)
        if target.is_file() and not force:
            return TrainingResult(target, data_hash, trained=False, duration_seconds=0.0)
        executable = require_executable(self.executable)
        self.models_dir.mkdir(parents=True, exist_ok=True)
        with self._training_lock():
            # Another process may have trained the same data while we waited for the lock.
            if target.is_file() and not force:
                return TrainingResult(target, data_hash, trained=False, duration_seconds=0.0)
            self._run_training(executable, target, data_hash)
        duration = time.monotonic() - started
        logger.info("trained Rasa NLU model %s in %.1f s", target.name, duration)
        return TrainingResult(target, data_hash, trained=True, duration_seconds=duration)

    def _check_data(self) -> None:
        if not self.nlu_data_dir.is_dir():
            raise NLUDataError(f"NLU data directory {self.nlu_data_dir} does not exist")
        if not (self.nlu_data_dir / CONFIG_FILE).is_file():
            raise NLUDataError(f"NLU data directory {self.nlu_data_dir} has no {CONFIG_FILE}")

    @contextmanager
    def _training_lock(self) -> Iterator[None]:
        with open(self.models_dir / ".training.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _run_training(self, executable: Path, target: Path, data_hash: str) -> None:
        work_dir = Path(tempfile.mkdtemp(prefix=".training-", dir=self.models_dir))
        name = target.name.removesuffix(MODEL_SUFFIX)
        command = [
            str(executable), "train", "nlu",
            "--config", str(self.nlu_data_dir / CONFIG_FILE),
            "--nlu", str(self.nlu_data_dir),
            "--out", str(work_dir / "out"),
            "--fixed-model-name", name,
        ]  # fmt: skip
        # Rasa's training cache would only duplicate what the hash check already gives us.
        env = rasa_environment(self._env, {"RASA_MAX_CACHE_SIZE": "0"})
        logger.info("training Rasa NLU model %s from %s", target.name, self.nlu_data_dir)
        try:
            # Rasa prints its own errors on stdout and library warnings on stderr: read both.
            completed = subprocess.run(
                command,
                cwd=work_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=self.timeout_seconds,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            output = (exc.output or b"").decode("utf-8", errors="replace")
            shutil.rmtree(work_dir, ignore_errors=True)
            raise RasaTrainingError(
                f"timed out after {self.timeout_seconds:.0f} s", tail_lines(output), command
            ) from exc
        try:
            output = completed.stdout.decode("utf-8", errors="replace")
            produced = work_dir / "out" / target.name
            if completed.returncode != 0:
                raise RasaTrainingError(f"exit code {completed.returncode}", tail_lines(output), command)
            if not produced.is_file():
                raise RasaTrainingError(
                    f"Rasa reported success but wrote no {produced.name}", tail_lines(output), command
                )
            # A model named after data it was not trained on would never be retrained.
            if hash_nlu_data(self.nlu_data_dir) != data_hash:
                raise RasaTrainingError("the NLU data changed during training; train again", "", command)
            os.replace(produced, target)
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
