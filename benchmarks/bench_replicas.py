"""Load and faults on the production topology, on this machine: replicas of `assistant serve` sharing one PostgreSQL,
one Chroma server and one Rasa server, every part a real process on 127.0.0.1.

Usage: .venv/bin/python benchmarks/bench_replicas.py [--replicas 2] [--seconds 60] [--concurrency 32]
           [--fault none|rasa|replica|postgres|chroma] [--fault-seconds 10] [--compare-single] [--json]

The client stands in for the reverse proxy: requests go round-robin to the replicas, and a request a replica cannot
take (connection refused or reset) goes to the next one, as nginx's `proxy_next_upstream` does. A request counts as
failed when no replica answered it with 200. After the load the script waits for every replica's spool to drain,
then checks that each acknowledged answer id is stored exactly once in PostgreSQL.

Faults, one third into the load: `rasa` kills the Rasa server (SIGKILL) and starts it again at once; `replica`
kills the last replica for good; `postgres` stops PostgreSQL for --fault-seconds; `chroma` stops the Chroma server
for --fault-seconds. Needs PostgreSQL's server binaries (scripts/with-postgres installs them), Rasa's environment
(`make rasa-env`) and a model (`make train`); questions and knowledge default to ../shared's handbook.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.questions import load_questions  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from benchmarks.machine import machine, percentile  # noqa: E402
from benchmarks.standins.processes import PostgresCluster, ServedProcess, free_port  # noqa: E402
from connectors.app.nlu_runtime import trainer  # noqa: E402

SHARED = ROOT.parent / "shared"
VENV_BIN = Path(sys.executable).parent
FAULTS = ("none", "rasa", "replica", "postgres", "chroma")


@dataclass
class LoadResult:
    """What the clients saw: one latency per answered request, the ids acknowledged, what failed and why."""

    latencies_ms: list[float] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    degraded: int = 0
    failures: Counter = field(default_factory=Counter)
    by_replica: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def figures(self) -> dict:
        answered = len(self.latencies_ms)
        return {
            "answered": answered, "failed": sum(self.failures.values()), "failures": dict(self.failures),
            "degraded": self.degraded, "per_second": round(answered / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(statistics.median(self.latencies_ms), 1) if answered else None,
            "p95_ms": round(percentile(self.latencies_ms, 0.95), 1) if answered else None,
            "by_replica": dict(self.by_replica),
        }


class Topology:
    """PostgreSQL, a Chroma server, a Rasa server and N replicas, started in that order in `directory`."""

    def __init__(self, directory: Path, knowledge: Path, replicas: int,
                 max_concurrent_questions: int | None = None) -> None:
        self.directory = directory
        self.knowledge = knowledge
        self.max_concurrent_questions = max_concurrent_questions
        self.postgres = PostgresCluster(directory / "postgres")
        chroma_port = free_port()
        self.chroma_url = f"http://127.0.0.1:{chroma_port}"
        self.chroma = ServedProcess(
            "chroma", [str(VENV_BIN / "chroma"), "run", "--path", str(directory / "chroma"), "--host", "127.0.0.1",
                       "--port", str(chroma_port)],
            ready_url=f"{self.chroma_url}/api/v2/heartbeat", log_path=directory / "logs" / "chroma.log")
        settings = Settings(_env_file=None)
        model = trainer(settings).current_model()
        if model is None:
            raise SystemExit("no trained NLU model for nlu_data/: run `make train` first")
        rasa_port = free_port()
        self.rasa_url = f"http://127.0.0.1:{rasa_port}"
        self.rasa = ServedProcess(
            "rasa", [str(settings.rasa_executable.resolve()), "run", "--enable-api", "-m", str(model), "--port",
                     str(rasa_port), "-i", "127.0.0.1"],
            ready_url=f"{self.rasa_url}/status", log_path=directory / "logs" / "rasa.log", cwd=ROOT)
        self.replica_urls = [f"http://127.0.0.1:{free_port()}" for _ in range(replicas)]
        self.replicas = [
            ServedProcess(f"replica-{number}", [str(VENV_BIN / "assistant"), "serve", "--host", "127.0.0.1",
                                                "--port", url.rsplit(":", 1)[1]],
                          ready_url=f"{url}/healthz", log_path=directory / "logs" / f"replica-{number}.log",
                          env=self.environment(), cwd=ROOT)
            for number, url in enumerate(self.replica_urls, start=1)
        ]

    def environment(self) -> dict[str, str]:
        """What every assistant process shares: the servers, the knowledge, the salt, one data directory (its
        answerability calibration and multilingual cache are written by the ingest and read by the replicas)."""
        return {
            "ASSISTANT_DATABASE_URL": self.postgres.url, "ASSISTANT_CHROMA_URL": self.chroma_url,
            "ASSISTANT_RASA_URL": self.rasa_url, "ASSISTANT_KNOWLEDGE_DIR": str(self.knowledge),
            "ASSISTANT_DATA_DIR": str(self.directory / "data"), "ASSISTANT_HASH_SALT": "bench-replicas",
            "ASSISTANT_LOG_LEVEL": "WARNING",
            **({"ASSISTANT_MAX_CONCURRENT_QUESTIONS": str(self.max_concurrent_questions)}
               if self.max_concurrent_questions else {}),
        }

    def start(self) -> dict[str, float]:
        """Start everything; seconds each step took."""
        steps: dict[str, float] = {}
        began = time.monotonic()
        self.postgres.create()
        steps["postgres"] = time.monotonic() - began
        self.chroma.start()
        self.rasa.start()
        steps["chroma"] = self.chroma.wait_until_ready(60)
        began = time.monotonic()
        ingest = ServedProcess("ingest", [str(VENV_BIN / "assistant"), "ingest"], ready_url="",
                               log_path=self.directory / "logs" / "ingest.log", env=self.environment(), cwd=ROOT)
        if ingest.start().wait() != 0:
            raise RuntimeError(f"ingest failed:\n{ingest.log_tail()}")
        steps["ingest"] = time.monotonic() - began
        steps["rasa"] = self.rasa.wait_until_ready(300)
        for replica in self.replicas:
            replica.start()
        for replica in self.replicas:
            steps[replica.name] = replica.wait_until_ready(300, accept=(200, 503))
        return {name: round(seconds, 1) for name, seconds in steps.items()}

    def stop(self) -> None:
        for part in [*self.replicas, self.rasa, self.chroma]:
            part.stop()
        try:
            self.postgres.stop()
        except subprocess.CalledProcessError as error:  # already stopped by a fault: say so, go on
            print(f"stopping PostgreSQL: {error}", file=sys.stderr)

    def stored_ids(self) -> Counter:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.postgres.url)
        try:
            with engine.connect() as connection:
                return Counter(row[0] for row in connection.execute(text("SELECT id FROM turns")))
        finally:
            engine.dispose()


async def run_load(urls: list[str], questions: list[str], *, seconds: float, concurrency: int,
                   api_key: str | None = None) -> LoadResult:
    result = LoadResult()
    deadline = time.monotonic() + seconds
    counter = itertools.count()
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)

    async def worker(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            number = next(counter)
            question = questions[number % len(questions)]
            await ask_once(client, urls, number, question, result)

    began = time.monotonic()
    async with httpx.AsyncClient(timeout=30.0, limits=limits, headers=headers, trust_env=False) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    result.seconds = time.monotonic() - began
    return result


async def ask_once(client: httpx.AsyncClient, urls: list[str], number: int, question: str,
                   result: LoadResult) -> None:
    """One question, to the next replica in turn, passed on to the others when one cannot take it."""
    started = time.perf_counter()
    for attempt in range(len(urls)):
        url = urls[(number + attempt) % len(urls)]
        try:
            response = await client.post(f"{url}/v1/ask", json={"text": question, "user": f"load-{number % 500}"})
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError):
            continue
        except httpx.TimeoutException:
            result.failures["timeout"] += 1
            return
        if response.status_code != 200:
            result.failures[f"http {response.status_code}"] += 1
            return
        body = response.json()
        result.latencies_ms.append((time.perf_counter() - started) * 1000)
        result.acknowledged.append(body["id"])
        result.degraded += bool(body.get("degraded"))
        result.by_replica[url] += 1
        return
    result.failures["no replica answered"] += 1


def inject(fault: str, topology: Topology, at: float, hold: float, events: list[str]) -> threading.Thread:
    """The fault, in a thread, `at` seconds from now; what happened is appended to `events`."""

    def act() -> None:
        time.sleep(at)
        events.append(f"{time.strftime('%H:%M:%S')} fault {fault}")
        if fault == "rasa":
            topology.rasa.kill()
            topology.rasa.start()
            events.append(f"rasa back after {topology.rasa.wait_until_ready(300):.1f} s")
        elif fault == "replica":
            topology.replicas[-1].kill()
        elif fault == "postgres":
            topology.postgres.stop()
            time.sleep(hold)
            topology.postgres.start()
        elif fault == "chroma":
            topology.chroma.stop()
            time.sleep(hold)
            topology.chroma.start()
            topology.chroma.wait_until_ready(60)
        events.append(f"{time.strftime('%H:%M:%S')} fault {fault} over")

    thread = threading.Thread(target=act, name=f"fault-{fault}", daemon=True)
    thread.start()
    return thread


def index_size(topology: Topology) -> dict:
    """Passages in the active generation (from a replica's /healthz) and the Chroma server's files on disk."""
    health = httpx.get(f"{topology.replica_urls[0]}/healthz", timeout=10).json()
    index = health.get("index", {})
    disk = sum(path.stat().st_size for path in (topology.directory / "chroma").rglob("*") if path.is_file())
    return {"health": index, "chroma_disk_mib": round(disk / 2**20, 1)}


def wait_for_storage(topology: Topology, acknowledged: list[str], timeout: float) -> tuple[Counter, float]:
    """Poll PostgreSQL until every acknowledged turn is there (spools drained) or `timeout` passes."""
    began = time.monotonic()
    wanted = set(acknowledged)
    while True:
        stored = topology.stored_ids()
        if wanted <= set(stored) or time.monotonic() - began > timeout:
            return stored, time.monotonic() - began
        time.sleep(1.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--knowledge", type=Path, default=SHARED / "datasets" / "tts_handbook")
    parser.add_argument("--questions", type=Path, default=SHARED / "eval" / "handbook_dev.jsonl")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--fault", choices=FAULTS, default="none")
    parser.add_argument("--fault-seconds", type=float, default=10.0, help="how long postgres or chroma stay down")
    parser.add_argument("--compare-single", action="store_true",
                        help="first load one replica alone for the same time, for figures side by side")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (logs) afterwards")
    parser.add_argument("--max-concurrent-questions", type=int, default=None,
                        help="each replica's ASSISTANT_MAX_CONCURRENT_QUESTIONS (default: no bound)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.knowledge.is_dir() or not args.questions.is_file():
        print(f"needs {args.knowledge} and {args.questions} (../shared beside the project)", file=sys.stderr)
        return 2
    questions = [question.question for question in load_questions(args.questions)]
    directory = Path(tempfile.mkdtemp(prefix="bench-replicas-"))
    os.chmod(directory, 0o755)
    topology = Topology(directory, args.knowledge.resolve(), args.replicas, args.max_concurrent_questions)
    report: dict = {"machine": machine(), "replicas": args.replicas, "concurrency": args.concurrency,
                    "max_concurrent_questions": args.max_concurrent_questions,
                    "seconds": args.seconds, "fault": args.fault, "questions": len(questions)}
    try:
        report["start_seconds"] = topology.start()
        asyncio.run(run_load(topology.replica_urls, questions[:32], seconds=5, concurrency=4))  # warm every replica
        if args.compare_single:
            single = asyncio.run(run_load(topology.replica_urls[:1], questions, seconds=args.seconds,
                                          concurrency=args.concurrency))
            report["single_replica"] = single.figures()
        events: list[str] = []
        fault = (inject(args.fault, topology, args.seconds / 3, args.fault_seconds, events)
                 if args.fault != "none" else None)
        load = asyncio.run(run_load(topology.replica_urls, questions, seconds=args.seconds,
                                    concurrency=args.concurrency))
        if fault is not None:
            fault.join(timeout=400)
        report["load"] = load.figures()
        report["events"] = events
        report["memory"] = {part.name: part.memory_mib()
                            for part in [*topology.replicas, topology.rasa, topology.chroma]}
        report["index"] = index_size(topology)
        stored, waited = wait_for_storage(topology, load.acknowledged, timeout=120)
        acknowledged = set(load.acknowledged)
        report["storage"] = {
            "acknowledged": len(acknowledged), "missing": len(acknowledged - set(stored)),
            "stored_twice": sum(1 for answer_id in acknowledged if stored[answer_id] > 1),
            "seconds_to_drain": round(waited, 1),
        }
    finally:
        topology.stop()
        if args.keep:
            report["directory"] = str(directory)
        else:
            shutil.rmtree(directory, ignore_errors=True)
    print(json.dumps(report, indent=2) if args.json else _text(report))
    storage = report.get("storage", {})
    return 0 if storage and not storage["missing"] and not storage["stored_twice"] else 1


def _text(report: dict) -> str:
    lines = [f"machine: {report['machine']}", f"start: {report.get('start_seconds')}"]
    if "single_replica" in report:
        lines.append(f"one replica: {report['single_replica']}")
    lines += [f"{report['replicas']} replicas, fault {report['fault']}: {report.get('load')}",
              f"events: {report.get('events')}", f"storage: {report.get('storage')}"]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
