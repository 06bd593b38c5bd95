"""The OpenMP wait policy is chosen before the models' native libraries load, and an operator's choice is kept."""

from __future__ import annotations

import os
import subprocess
import sys

from assistant.native_threads import OPENMP_WAIT_POLICY, prefer_sleeping_idle_threads


def policy_after_importing_assistant(environ: dict[str, str]) -> str:
    """OMP_WAIT_POLICY as a fresh interpreter sees it once `assistant` is imported, before torch is."""
    probe = "import os, assistant, sys; print(os.environ['OMP_WAIT_POLICY']); print('torch' in sys.modules)"
    completed = subprocess.run([sys.executable, "-c", probe], env=environ, capture_output=True, text=True,
                               check=True, timeout=120)
    policy, torch_loaded = completed.stdout.split()
    assert torch_loaded == "False", "importing the package must not load torch before the policy is set"
    return policy


def test_importing_the_package_lets_idle_openmp_threads_sleep():
    environ = {key: value for key, value in os.environ.items() if key != "OMP_WAIT_POLICY"}
    assert policy_after_importing_assistant(environ) == OPENMP_WAIT_POLICY == "PASSIVE"


def test_an_operators_own_wait_policy_is_kept():
    assert policy_after_importing_assistant({**os.environ, "OMP_WAIT_POLICY": "ACTIVE"}) == "ACTIVE"


def test_only_an_unset_policy_is_filled_in():
    environ: dict[str, str] = {}
    prefer_sleeping_idle_threads(environ)
    assert environ == {"OMP_WAIT_POLICY": "PASSIVE"}
    environ["OMP_WAIT_POLICY"] = "ACTIVE"
    prefer_sleeping_idle_threads(environ)
    assert environ["OMP_WAIT_POLICY"] == "ACTIVE"
