"""The collector is paused inside the block and resumed by the last of nested or concurrent blocks."""

from __future__ import annotations

import gc
import threading

import pytest

from assistant.insights.gc_pause import cyclic_gc_paused


def test_the_collector_resumes_when_the_last_block_ends() -> None:
    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
        with cyclic_gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_concurrent_blocks_share_one_pause_and_an_error_still_resumes_it() -> None:
    inside, release = threading.Barrier(3), threading.Event()

    def report() -> None:
        with cyclic_gc_paused():
            inside.wait()
            release.wait(timeout=10)

    threads = [threading.Thread(target=report) for _ in range(2)]
    for thread in threads:
        thread.start()
    inside.wait()
    assert not gc.isenabled()
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cyclic_gc_paused():
        raise RuntimeError("a failing report")
    assert gc.isenabled()


def test_a_collector_turned_off_by_someone_else_stays_off() -> None:
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
