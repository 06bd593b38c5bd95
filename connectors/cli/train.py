"""`assistant train`: train the Rasa NLU model when `nlu_data/` changed."""

from __future__ import annotations

import argparse
import time

from assistant.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("train", help="train the Rasa NLU model when nlu_data/ changed")
    parser.set_defaults(handler=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from connectors.app.nlu_runtime import train_nlu_model

    started = time.perf_counter()
    path = train_nlu_model(settings)
    print(f"NLU model: {path} ({time.perf_counter() - started:.1f}s)")
    return 0
