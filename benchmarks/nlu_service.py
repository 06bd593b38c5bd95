"""Rasa for the benchmarks that put NLU in the loop: started from the model `assistant train` made, ready to parse."""

from __future__ import annotations

from assistant.settings import Settings
from connectors.app.nlu_runtime import NLURuntime

READY_SECONDS = 300


def started_nlu(settings: Settings) -> NLURuntime:
    """The NLU runtime `assistant serve` would use, its Rasa child started and answering (stop it when done).

    Exits with a message when there is no trained model and no `ASSISTANT_RASA_URL`."""
    runtime = NLURuntime(settings)
    if runtime.supervisor is None and settings.rasa_url is None:
        raise SystemExit("no trained NLU model in models/: run `assistant train` (or `make train`) first")
    runtime.start()
    if runtime.supervisor is not None:
        runtime.supervisor.wait_until_ready(READY_SECONDS)
    return runtime
