"""Python's cyclic garbage collector paused while a report builds hundreds of thousands of records.

Each few hundred allocations the collector walks the young objects, and now and then every live one; a report over
100,000 gaps allocates half a million records (gaps, answered turns, facts), none of them in a reference cycle, so
those walks find nothing and cost about a third of reading the rows (measured in benchmarks/bench_gap_report.py).
Memory is still freed by reference counting; cycles made meanwhile, anywhere in the process, are collected once
the last report running ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the collector for the block; nested and concurrent blocks resume it when the last one ends."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
