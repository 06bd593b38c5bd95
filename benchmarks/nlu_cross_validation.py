"""Cross-validate the Rasa NLU model on nlu_data/ and print per-intent precision, recall and F1.

Runs `rasa test nlu --cross-validation` (3 folds by default) with the project's Rasa
environment, then reads the intent report Rasa writes. Each fold trains a full model, so
expect a few minutes on 2 cores.

    .venv/bin/python benchmarks/nlu_cross_validation.py [--folds 3] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from assistant.nlu.rasa_environment import rasa_environment, require_executable, tail_lines

REPO = Path(__file__).resolve().parents[1]
SUMMARY_ROWS = ("accuracy", "macro avg", "weighted avg", "micro avg")


def machine_description(rasa_executable: Path) -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    rasa_python = rasa_executable.parent / "python"
    rasa_version = subprocess.run(
        [
            str(rasa_python),
            "-c",
            "import importlib.metadata as m, sys; print(m.version('rasa'), sys.version.split()[0])",
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gib": memory_gib,
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "rasa": rasa_version[0] if rasa_version else "unknown",
        "rasa_python": rasa_version[1] if len(rasa_version) > 1 else "unknown",
    }


def run_cross_validation(rasa: Path, nlu_data: Path, config: Path, folds: int, out_dir: Path) -> float:
    command = [
        str(rasa), "test", "nlu",
        "--nlu", str(nlu_data),
        "--config", str(config),
        "--cross-validation", "--folds", str(folds),
        "--out", str(out_dir),
    ]  # fmt: skip
    started = time.monotonic()
    completed = subprocess.run(
        command,
        cwd=out_dir,
        env=rasa_environment(extra={"RASA_MAX_CACHE_SIZE": "0"}),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    (out_dir / "rasa_output.log").write_text(completed.stdout)
    if completed.returncode != 0:
        sys.exit(f"rasa test nlu failed (exit code {completed.returncode}):\n{tail_lines(completed.stdout)}")
    return time.monotonic() - started


def format_table(report: dict[str, Any]) -> str:
    rows = [f"{'intent':<20} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}", "-" * 54]
    intents = sorted(name for name in report if name not in SUMMARY_ROWS)
    for name in intents:
        scores = report[name]
        rows.append(
            f"{name:<20} {scores['precision']:>9.3f} {scores['recall']:>7.3f} "
            f"{scores['f1-score']:>6.3f} {scores['support']:>8}"
        )
    rows.append("-" * 54)
    for name in ("macro avg", "weighted avg"):
        if name in report:
            scores = report[name]
            rows.append(
                f"{name:<20} {scores['precision']:>9.3f} {scores['recall']:>7.3f} "
                f"{scores['f1-score']:>6.3f} {scores['support']:>8}"
            )
    if "accuracy" in report:
        rows.append(f"{'accuracy':<20} {report['accuracy']:>32.3f}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nlu-data", type=Path, default=REPO / "nlu_data")
    parser.add_argument("--rasa", type=Path, default=REPO / ".venv-rasa" / "bin" / "rasa")
    parser.add_argument("--config", type=Path, default=None, help="pipeline (default NLU_DATA/config.yml)")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="results folder (default benchmarks/results/)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)

    rasa = require_executable(args.rasa)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir = (args.out or REPO / "benchmarks" / "results" / f"nlu_cv-{stamp}").absolute()
    out_dir.mkdir(parents=True, exist_ok=True)

    machine = machine_description(rasa)
    config = (args.config or args.nlu_data / "config.yml").absolute()
    seconds = run_cross_validation(rasa, args.nlu_data.absolute(), config, args.folds, out_dir)
    report = json.loads((out_dir / "intent_report.json").read_text())
    summary = {
        "folds": args.folds,
        "config": str(config),
        "duration_seconds": round(seconds, 1),
        "machine": machine,
        "intents": {
            name: {key: scores[key] for key in ("precision", "recall", "f1-score", "support")}
            for name, scores in report.items()
            if name not in SUMMARY_ROWS
        },
        "accuracy": report.get("accuracy"),
        "macro_f1": report.get("macro avg", {}).get("f1-score"),
        "weighted_f1": report.get("weighted avg", {}).get("f1-score"),
        "results_dir": str(out_dir),
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2))

    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(
        f"Rasa NLU {args.folds}-fold cross-validation on {args.nlu_data} with {config.name} ({seconds:.0f} s)"
    )
    print(
        f"machine: {machine['cpu']}, {machine['usable_cores']} cores, {machine['memory_gib']} GiB, "
        f"{machine['platform']}; Rasa {machine['rasa']} on Python {machine['rasa_python']}"
    )
    print()
    print(format_table(report))
    print(f"\nreports: {out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
