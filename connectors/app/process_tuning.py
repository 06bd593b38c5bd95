"""Process-wide tuning that every entry point answering questions applies once."""

from __future__ import annotations

from threadpoolctl import threadpool_limits


def limit_blas_threads() -> None:
    """Give NumPy's BLAS one thread.

    A question costs a few small matrix products, and the embedding model runs on torch's own
    OpenMP threads. With OpenBLAS's threads left spinning after each product, the two pools
    fight over 2 cores: on the handbook index one search took p50 25.6 ms and p95 116 ms with
    two BLAS threads, 13.9 ms and 21.7 ms with one; concurrent requests wait on each other too.
    """
    threadpool_limits(limits=1, user_api="blas")
