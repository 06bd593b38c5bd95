"""RasaSupervisor: restarts a killed Rasa, stops its whole process group, refuses bad starts."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.errors import NLUUnavailableError
from assistant.nlu.circuit_breaker import CircuitBreakingNLU
from assistant.nlu.errors import RasaNotInstalledError, RasaStartError
from assistant.nlu.rasa_client import RasaNLUClient
from assistant.nlu.rasa_supervisor import RasaSupervisor
from tests.support.network import free_port

from .conftest import REPO, SERVER_READY_TIMEOUT
from .servers import SilentServer

# Stands in for `rasa` where only process handling is tested: it starts a grandchild,
# records both pids, and sleeps.
FAKE_RASA = """#!/bin/sh
sleep 600 &
echo "$$ $!" > "$(dirname "$0")/pids"
exec sleep 600
"""


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def fake_rasa(tmp_path: Path) -> tuple[Path, Path]:
    executable = tmp_path / "bin" / "rasa"
    executable.parent.mkdir()
    executable.write_text(FAKE_RASA)
    executable.chmod(executable.stat().st_mode | stat.S_IXUSR)
    model = tmp_path / "nlu-000000000000.tar.gz"
    model.write_bytes(b"not a model")
    return executable, model


def read_pids(executable: Path) -> tuple[int, int]:
    pid_file = executable.parent / "pids"
    assert wait_for(lambda: pid_file.is_file() and len(pid_file.read_text().split()) == 2)
    main, grandchild = pid_file.read_text().split()
    return int(main), int(grandchild)


@pytest.mark.slow  # waits for Rasa to start again
def test_restarts_rasa_after_it_is_killed(rasa_server: RasaSupervisor) -> None:
    breaker = CircuitBreakingNLU(RasaNLUClient(rasa_server.base_url, 2.0), cooldown_seconds=0.5)
    assert breaker.parse("hello").intent == "greet"
    old_pid = rasa_server.pid
    restarts = rasa_server.restarts
    assert old_pid is not None

    os.kill(old_pid, signal.SIGKILL)
    assert wait_for(lambda: not is_alive(old_pid)), "the killed server is reaped"
    with pytest.raises(NLUUnavailableError):
        breaker.parse("hello")
    assert breaker.degraded_reason is not None

    rasa_server.wait_until_ready(SERVER_READY_TIMEOUT)
    time.sleep(0.6)  # past the breaker's cool-down

    result = breaker.parse("any news on ORD-20481736?")
    assert result.intent == "order_status"
    assert result.entity_values("order_number") == ["ORD-20481736"]
    assert breaker.degraded_reason is None
    assert rasa_server.pid not in (None, old_pid)
    assert rasa_server.restarts == restarts + 1


def test_stop_ends_the_whole_process_group(fake_rasa: tuple[Path, Path], tmp_path: Path) -> None:
    executable, model = fake_rasa
    supervisor = RasaSupervisor(executable, model, free_port(), log_path=tmp_path / "rasa.log")
    supervisor.start()
    main, grandchild = read_pids(executable)
    assert supervisor.pid == main and is_alive(grandchild)

    started = time.monotonic()
    supervisor.stop()

    assert time.monotonic() - started < 5.0
    assert wait_for(lambda: not is_alive(main) and not is_alive(grandchild), timeout=5.0)
    assert supervisor.pid is None and supervisor.restarts == 0
    assert "starting Rasa (start 1)" in (tmp_path / "rasa.log").read_text()


def test_a_killed_parent_takes_its_rasa_child_along(fake_rasa: tuple[Path, Path], tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("parent-death signals are Linux-only")
    executable, model = fake_rasa
    parent_code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from assistant.nlu.rasa_supervisor import RasaSupervisor\n"
        f"RasaSupervisor(Path({str(executable)!r}), Path({str(model)!r}), {free_port()}).start()\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code], cwd=REPO)
    try:
        main, _ = read_pids(executable)
        parent.kill()
        parent.wait()
        assert wait_for(lambda: not is_alive(main), timeout=5.0)
    finally:
        parent.kill()
        for pid in (executable.parent / "pids").read_text().split():
            if is_alive(int(pid)):
                os.kill(int(pid), signal.SIGKILL)


def test_start_refuses_a_port_that_is_taken(fake_rasa: tuple[Path, Path]) -> None:
    executable, model = fake_rasa
    with SilentServer() as taken:
        port = int(taken.base_url.rsplit(":", 1)[1])
        with pytest.raises(RasaStartError, match="already listens"):
            RasaSupervisor(executable, model, port).start()


def test_start_refuses_a_missing_model_or_executable(fake_rasa: tuple[Path, Path], tmp_path: Path) -> None:
    executable, _ = fake_rasa
    with pytest.raises(RasaStartError, match="assistant train"):
        RasaSupervisor(executable, tmp_path / "missing.tar.gz", free_port()).start()
    with pytest.raises(RasaNotInstalledError, match="make rasa-env"):
        RasaSupervisor(tmp_path / "nowhere" / "rasa", tmp_path / "missing.tar.gz", free_port()).start()


def test_wait_until_ready_times_out_with_the_log_tail(fake_rasa: tuple[Path, Path], tmp_path: Path) -> None:
    executable, model = fake_rasa
    supervisor = RasaSupervisor(executable, model, free_port(), log_path=tmp_path / "rasa.log")
    with supervisor, pytest.raises(RasaStartError, match="not ready") as raised:
        supervisor.wait_until_ready(1.0)
    assert "starting Rasa" in raised.value.log_tail
