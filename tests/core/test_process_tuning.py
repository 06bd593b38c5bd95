"""Entry points that answer questions run NumPy's BLAS on one thread (see connectors/process_tuning.py)."""

from __future__ import annotations

from threadpoolctl import threadpool_info


def test_services_leave_blas_on_one_thread(company_services):
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas, "NumPy's BLAS was not found"
    assert all(pool["num_threads"] == 1 for pool in blas)
