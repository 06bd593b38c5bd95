"""Shared by the benchmark scripts: a description of the machine and percentile helpers."""

from __future__ import annotations

import os
import platform
import resource
import statistics

from assistant.retrieval.embedder import native_bfloat16


def machine() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    memory_gib = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            kib = int(next(line.split()[1] for line in info if line.startswith("MemTotal")))
            memory_gib = round(kib / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        pass
    # Hosts behind the same CPU name differ: with native bfloat16 MiniLM embeds about twice as fast (the default
    # precision follows it), so figures from two hosts compare only when this matches.
    return {"platform": platform.platform(), "python": platform.python_version(), "cpu": cpu,
            "cpus": os.cpu_count(), "native_bfloat16": native_bfloat16(), "memory_gib": memory_gib,
            "load_average_1m": round(os.getloadavg()[0], 2)}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary_ms(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": round(statistics.median(values), 2),
            "p95_ms": round(percentile(values, 0.95), 2), "max_ms": round(max(values), 2)}


def peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
