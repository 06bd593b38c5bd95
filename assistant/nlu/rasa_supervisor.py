"""Run `rasa run --enable-api` as a supervised child process, restarted when it dies."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

import httpx

from assistant.nlu.errors import RasaStartError
from assistant.nlu.rasa_environment import rasa_environment, read_tail, require_executable

logger = logging.getLogger(__name__)

# On Linux the child asks the kernel for SIGTERM when its parent dies, then becomes Rasa
# (exec keeps the setting). Without it, a killed `assistant serve` would leave a Rasa server
# holding the port. prctl(PR_SET_PDEATHSIG=1, SIGTERM); exit if the parent is already gone.
_PARENT_DEATH_WRAPPER = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None).prctl(1, int(signal.SIGTERM))\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    sys.exit(0)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


class RasaSupervisor:
    """Starts a Rasa NLU server on `host:port` with `model_path`, and keeps it running.

    The server runs in its own process group, so `stop()` ends it with every process it
    started. A background thread restarts it whenever it exits, waiting `min_backoff_seconds`
    first and doubling that (up to `max_backoff_seconds`) on each further crash; a server
    that stayed up for `stable_after_seconds` starts again from the shortest wait. Rasa needs
    half a minute or more to import TensorFlow and load the model: call `wait_until_ready`.
    Its output goes to `log_path` (a file in the temporary directory by default).
    """

    def __init__(
        self,
        executable: Path,
        model_path: Path,
        port: int,
        host: str = "127.0.0.1",
        log_path: Path | None = None,
        *,
        env: Mapping[str, str] | None = None,
        extra_args: Sequence[str] = (),
        min_backoff_seconds: float = 1.0,
        max_backoff_seconds: float = 30.0,
        stable_after_seconds: float = 120.0,
    ) -> None:
        self.executable = Path(executable).absolute()
        self.model_path = Path(model_path).absolute()
        self.port = port
        self.host = host
        self.log_path = (
            Path(log_path).absolute()
            if log_path is not None
            else Path(tempfile.gettempdir()) / f"assistant-rasa-{port}.log"
        )
        self.min_backoff_seconds = min_backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.stable_after_seconds = stable_after_seconds
        self._env = env
        self._extra_args = tuple(extra_args)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._log: IO[bytes] | None = None
        self._starts = 0

    @property
    def base_url(self) -> str:
        """The URL to give `RasaNLUClient`."""
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        """The process id of the current Rasa server, if one is running."""
        with self._lock:
            process = self._process
        return process.pid if process is not None and process.poll() is None else None

    @property
    def restarts(self) -> int:
        """How many times the server was started again after exiting."""
        with self._lock:
            return max(0, self._starts - 1)

    def command(self) -> list[str]:
        """The `rasa run` command line (without the Linux parent-death wrapper)."""
        return [
            str(self.executable), "run",
            "--enable-api",
            "-m", str(self.model_path),
            "--port", str(self.port),
            "-i", self.host,
            *self._extra_args,
        ]  # fmt: skip

    def start(self) -> None:
        """Start the server and its watchdog thread; returns at once (see `wait_until_ready`).

        Raises `RasaNotInstalledError` when the executable is missing, and `RasaStartError`
        when the model file is missing, the port is taken or the supervisor was stopped.
        """
        require_executable(self.executable)
        if not self.model_path.is_file():
            raise RasaStartError(f"model {self.model_path} does not exist; run `assistant train`")
        if self._thread is not None or self._stopping.is_set():
            raise RasaStartError("this supervisor was already started or stopped; create a new one")
        if _port_is_open(self.host, self.port):
            raise RasaStartError(f"another process already listens on {self.host}:{self.port}")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop())
        first_spawned = threading.Event()
        self._thread = threading.Thread(
            target=self._supervise, args=(first_spawned,), name=f"rasa-supervisor-{self.port}", daemon=True
        )
        self._thread.start()
        first_spawned.wait(timeout=30)

    def wait_until_ready(self, timeout: float) -> None:
        """Block until the server answers with its model loaded and parses one text.

        Raises `RasaStartError` with the end of the Rasa log after `timeout` seconds.
        """
        deadline = time.monotonic() + timeout
        last_problem = "no answer yet"
        with httpx.Client(base_url=self.base_url, timeout=2.0, trust_env=False) as http:
            while True:
                if self._stopping.is_set() or self._thread is None:
                    raise RasaStartError("the supervisor is not running (call start() first)")
                try:
                    response = http.get("/status")
                    if response.status_code == 200:
                        break
                    last_problem = f"HTTP {response.status_code} from /status"
                except httpx.HTTPError as exc:
                    last_problem = f"{type(exc).__name__}"
                if time.monotonic() >= deadline:
                    raise RasaStartError(
                        f"not ready at {self.base_url} after {timeout:.0f} s ({last_problem}; "
                        f"{self.restarts} restart(s); log: {self.log_path})",
                        read_tail(self.log_path),
                    )
                time.sleep(0.5)
            # /status only says a model is loaded; one parse proves the whole pipeline answers.
            remaining = max(5.0, deadline - time.monotonic())
            try:
                response = http.post("/model/parse", json={"text": "hello"}, timeout=remaining)
            except httpx.HTTPError as exc:
                raise RasaStartError(
                    f"warm-up parse failed: {type(exc).__name__}: {exc}", read_tail(self.log_path)
                ) from exc
            if response.status_code != 200:
                raise RasaStartError(
                    f"warm-up parse answered HTTP {response.status_code}", read_tail(self.log_path)
                )

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the watchdog and terminate the server's process group (SIGTERM, then SIGKILL)."""
        with self._lock:
            self._stopping.set()
            process = self._process
        if process is not None:
            _terminate_group(process, timeout)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=timeout)
        with self._lock:
            if self._log is not None:
                self._log.close()
                self._log = None

    def __enter__(self) -> RasaSupervisor:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _supervise(self, first_spawned: threading.Event) -> None:
        backoff = self.min_backoff_seconds
        while not self._stopping.is_set():
            try:
                process = self._spawn()
            except OSError as exc:
                logger.error("could not start Rasa (%s); retrying in %.0f s", exc, backoff)
                process = None
            finally:
                first_spawned.set()
            if process is None:
                if self._stopping.wait(backoff):
                    return
                backoff = min(backoff * 2, self.max_backoff_seconds)
                continue
            started = time.monotonic()
            code = process.wait()
            # Whatever Rasa started must not outlive it (and keep holding the port).
            _kill_group(process.pid, signal.SIGKILL)
            if self._stopping.is_set():
                return
            uptime = time.monotonic() - started
            if uptime >= self.stable_after_seconds:
                backoff = self.min_backoff_seconds
            logger.warning(
                "Rasa server (pid %d) exited with code %s after %.0f s; restarting in %.0f s (log: %s)",
                process.pid, code, uptime, backoff, self.log_path,
            )  # fmt: skip
            if self._stopping.wait(backoff):
                return
            backoff = min(backoff * 2, self.max_backoff_seconds)

    def _spawn(self) -> subprocess.Popen[bytes] | None:
        command = self.command()
        if sys.platform.startswith("linux"):
            command = [sys.executable, "-c", _PARENT_DEATH_WRAPPER, str(os.getpid()), *command]
        with self._lock:
            if self._stopping.is_set() or self._log is None:
                return None
            self._starts += 1
            stamp = dt.datetime.now().isoformat(timespec="seconds")
            self._log.write(f"\n--- {stamp} starting Rasa (start {self._starts}) ---\n".encode())
            self._log.flush()
            process = subprocess.Popen(
                command,
                cwd=self.model_path.parent,
                env=rasa_environment(self._env),
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own session and process group
            )
            self._process = process
        logger.info("started Rasa pid %d on %s with %s", process.pid, self.base_url, self.model_path.name)
        return process


def _port_is_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _kill_group(pgid: int, sig: signal.Signals) -> None:
    # The group may be gone already; that is the outcome we want.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _terminate_group(process: subprocess.Popen[bytes], timeout: float) -> None:
    if process.poll() is None:
        _kill_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            logger.warning("Rasa server pid %d ignored SIGTERM for %.0f s; killing it", process.pid, timeout)
    _kill_group(process.pid, signal.SIGKILL)
    process.wait()
