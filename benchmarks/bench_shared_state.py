"""What the shared state costs a Slack event: the time of one claim (and of one put and one get) in the interaction
database, from two stores at once as two replicas would, and the time to purge a flood of expired rows.

Usage: .venv/bin/python benchmarks/bench_shared_state.py [--db URL] [--claims 2000] [--flood 50000] [--json]
Without --db, a SQLite file in a temporary directory; under scripts/with-postgres, pass
--db "$ASSISTANT_TEST_POSTGRES_URL" (the tables are created in it; the rows are removed afterwards).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.interactions import InteractionStore  # noqa: E402
from benchmarks.machine import machine, summary_ms  # noqa: E402

TTL_SECONDS = 3600.0


class KeepText:
    """No redaction: the benchmark stores no question."""

    def redact(self, text: str) -> str:
        return text


def timed(action, count: int) -> list[float]:
    timings = []
    for number in range(count):
        start = time.perf_counter()
        action(number)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def measure(url: str, claims: int, flood: int) -> dict:
    run = uuid.uuid4().hex[:8]
    stores = [InteractionStore(url, KeepText(), salt="bench") for _ in range(2)]
    try:
        states = [store.shared_state() for store in stores]
        by_replica: list[list[float]] = [[], []]
        wins = [0, 0]

        def replica(index: int) -> None:
            def claim(number: int) -> None:
                wins[index] += states[index].claim("bench.event", f"{run}:{number}", TTL_SECONDS)

            by_replica[index] = timed(claim, claims)

        workers = [threading.Thread(target=replica, args=(index,)) for index in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        puts = timed(lambda n: states[0].put("bench.answer", f"{run}:{n}", {"text": "x" * 400}, TTL_SECONDS), 500)
        gets = timed(lambda n: states[1].get("bench.answer", f"{run}:{n}"), 500)

        # A flood of entries that have all expired: how long a full purge takes, batch by batch.
        past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
        flooded = stores[0].shared_state(purge_every=10**9, clock=lambda: past)
        for number in range(flood):
            flooded.claim("bench.flood", f"{run}:{number}", 60)
        start = time.perf_counter()
        purged = states[0].purge(max_batches=10**6)
        purge_s = time.perf_counter() - start
        states[0].purge_expired()
        for namespace in ("bench.event", "bench.answer"):
            for number in range(claims):
                states[0].pop(namespace, f"{run}:{number}")
        return {
            "database": stores[0].database_url.split(":", 1)[0],
            "claims_per_replica": claims,
            "claim_winners": sum(wins),
            "claim_two_replicas_at_once": summary_ms(by_replica[0] + by_replica[1]),
            "put_400_bytes": summary_ms(puts),
            "get_400_bytes": summary_ms(gets),
            "flood_rows": flood,
            "purged_rows": purged,
            "purge_s": round(purge_s, 2),
        }
    finally:
        for store in stores:
            store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a SQLAlchemy URL (default: a SQLite file in a temporary directory)")
    parser.add_argument("--claims", type=int, default=2000, help="claims per replica (both claim the same keys)")
    parser.add_argument("--flood", type=int, default=50_000, help="expired rows to purge")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        url = args.db or f"sqlite:///{Path(directory) / 'bench.db'}"
        result = {"benchmark": "shared_state", "machine": machine(), **measure(url, args.claims, args.flood)}
    print(json.dumps(result, indent=2) if args.json else "\n".join(f"{key}: {value}" for key, value in result.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
