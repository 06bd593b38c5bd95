"""RecentHealth: a burst of probes asks the part once; an answer older than `max_age` is asked again."""

from __future__ import annotations

import threading
import time

from assistant.health import PartHealth, RecentHealth
from tests.support.clock import ManualClock


class CountingCheck:
    def __init__(self, seconds: float = 0.0) -> None:
        self.calls = 0
        self.ok = True
        self._seconds = seconds

    def __call__(self) -> PartHealth:
        self.calls += 1
        time.sleep(self._seconds)
        return PartHealth("part", ok=self.ok, reason=None if self.ok else "down")


def test_probes_within_max_age_get_the_last_answer_and_a_later_one_asks_again():
    clock = ManualClock()
    check = CountingCheck()
    recent = RecentHealth(check, max_age=1.0, clock=clock)

    assert recent().ok and check.calls == 1
    check.ok = False
    clock.advance(0.9)
    assert recent().ok and check.calls == 1
    clock.advance(0.2)
    part = recent()
    assert not part.ok and part.reason == "down" and check.calls == 2


def test_a_max_age_of_zero_asks_every_time():
    check = CountingCheck()
    recent = RecentHealth(check, max_age=0.0, clock=ManualClock())
    for _ in range(3):
        recent()
    assert check.calls == 3


def test_probes_arriving_while_the_part_is_asked_wait_for_that_answer():
    check = CountingCheck(seconds=0.2)
    recent = RecentHealth(check, max_age=5.0)
    answers: list[PartHealth] = []
    threads = [threading.Thread(target=lambda: answers.append(recent())) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert check.calls == 1 and len(answers) == 16 and all(answer.ok for answer in answers)


def test_the_api_asks_each_part_at_most_once_within_the_settings_max_age(company_services):
    check = CountingCheck()
    ports = company_services.api_ports(extra_health=[check])
    assert company_services.settings.health_max_age_seconds == 1.0
    for _ in range(5):
        for health in ports.health_checks:
            health()
    assert check.calls == 1
