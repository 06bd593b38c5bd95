"""Servers run as child processes for the multi-process benchmarks: started, waited for, killed on purpose."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServedProcess:
    """One server in its own process group, its output in `log_path`; `ready_url` answers once it serves.

    `kill()` is the fault (SIGKILL, no clean-up), `stop()` the polite end; `start()` again restarts it with the
    same command, port and files, as an operator bringing a service back would.
    """

    def __init__(self, name: str, command: Sequence[str], *, ready_url: str, log_path: Path,
                 env: Mapping[str, str] | None = None, cwd: Path | None = None) -> None:
        self.name = name
        self._command = list(command)
        self._ready_url = ready_url
        self._log_path = log_path
        self._env = {**os.environ, **(env or {})}
        self._cwd = cwd
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> ServedProcess:
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen(self._command, stdout=log, stderr=subprocess.STDOUT, env=self._env,
                                             cwd=self._cwd, start_new_session=True)
        return self

    def wait(self, timeout: float | None = None) -> int:
        """Wait for a one-shot command (an ingest) to end; its exit code."""
        if self._process is None:
            raise RuntimeError(f"{self.name} was never started")
        return self._process.wait(timeout=timeout)

    def wait_until_ready(self, timeout: float, accept: Sequence[int] = (200,)) -> float:
        """Seconds it took until `ready_url` answered one of `accept`; raises with the log's tail otherwise."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self._process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(self._ready_url, timeout=2.0).status_code in accept:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def memory_mib(self) -> dict[str, float] | None:
        """Resident memory of the process group's leader now and at its peak (VmRSS, VmHWM), or None when gone."""
        if self._process is None or self._process.poll() is not None:
            return None
        figures = {}
        with open(f"/proc/{self._process.pid}/status", encoding="utf-8") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    figures["rss_mib" if key == "VmRSS" else "peak_rss_mib"] = round(int(value.split()[0]) / 1024, 1)
        return figures

    def kill(self) -> None:
        """SIGKILL to the whole process group: the process gets no chance to flush or say goodbye."""
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)

    def stop(self, timeout: float = 20.0) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self._log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError as error:
            return f"(no log: {error})"


class PostgresCluster:
    """A throwaway PostgreSQL cluster on 127.0.0.1 (Debian's server binaries), which can be stopped and started
    again on the same port and data, as an outage would. Runs as the `postgres` user when we are root."""

    def __init__(self, directory: Path) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name))
        if not bins:
            raise RuntimeError("no PostgreSQL server binaries in /usr/lib/postgresql (run under scripts/with-postgres "
                               "once, which installs them)")
        self._bin = bins[-1]
        self._directory = directory
        self.port = free_port()
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://assistant@127.0.0.1:{self.port}/postgres"

    def create(self) -> PostgresCluster:
        self._directory.mkdir(parents=True, exist_ok=True)
        if self._as_postgres:
            subprocess.run(["chown", "postgres", str(self._directory)], check=True)
        self._run("initdb", "-D", str(self._directory / "data"), "-A", "trust", "-U", "assistant")
        return self.start()

    def start(self) -> PostgresCluster:
        options = f"-p {self.port} -k {self._directory} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run("pg_ctl", "-D", str(self._directory / "data"), "-l", str(self._directory / "log"), "-w",
                  "-o", options, "start")
        return self

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self._directory / "data"), "-m", "fast", "-w", "stop")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self._as_postgres, str(self._bin / tool), *args], check=True, stdout=subprocess.DEVNULL)
