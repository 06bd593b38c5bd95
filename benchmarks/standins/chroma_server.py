"""A real Chroma server (`chroma run`, shipped with the chromadb package) on 127.0.0.1, as a child process.

Shared by the tests of the server path and `benchmarks/bench_chroma_server.py`. `stop()` and `start()` again on
the same path and port stand for a server that went down and came back with its data.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def chroma_executable() -> str | None:
    """The `chroma` command beside this Python (the virtual environment's), else on PATH."""
    beside = Path(sys.executable).with_name("chroma")
    return str(beside) if beside.exists() else shutil.which("chroma")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ChromaServer:
    """`ChromaServer(path).start()` ... `.stop()`; `url` is known before it starts (a free port is picked)."""

    def __init__(self, path: Path, port: int | None = None, start_timeout: float = 60.0) -> None:
        executable = chroma_executable()
        if executable is None:
            raise FileNotFoundError("no `chroma` command: the chromadb package is not installed here")
        self._executable = executable
        self.path = Path(path)
        self.port = port or _free_port()
        self._start_timeout = start_timeout
        self._process: subprocess.Popen | None = None
        self._log = self.path.parent / f"{self.path.name}-chroma.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> ChromaServer:
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self._log, "ab") as log:
            self._process = subprocess.Popen(
                [self._executable, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
                start_new_session=True,
            )
        deadline = time.monotonic() + self._start_timeout
        while not self.alive():
            if self._process.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self._process.returncode}: see {self._log}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"chroma run did not answer its heartbeat within {self._start_timeout} s")
            time.sleep(0.1)
        return self

    def alive(self) -> bool:
        """The server answers its heartbeat."""
        try:
            with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1.0) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        """Stops the server (SIGTERM, then SIGKILL after 10 s) and waits until its port is free."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        self._process = None
        deadline = time.monotonic() + 10
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.05)

    def rss_mib(self) -> float | None:
        """The server process's resident memory now (Linux), or None."""
        if self._process is None:
            return None
        try:
            status = Path(f"/proc/{self._process.pid}/status").read_text(encoding="utf-8")
        except OSError:
            return None
        line = next((line for line in status.splitlines() if line.startswith("VmRSS:")), None)
        return round(int(line.split()[1]) / 1024, 1) if line else None

    def __enter__(self) -> ChromaServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
