"""`assistant train`: train the NLU parts (the Rasa model and the intent ensemble's dense half) when `nlu_data/`
changed."""

from __future__ import annotations

import argparse
import time

from assistant.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("train", help="train the NLU models (Rasa and the dense intent classifier) when "
                                               "nlu_data/ changed")
    parser.set_defaults(handler=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.retrieval.multilingual_embedder import MultilingualEmbedder
    from connectors.app.nlu_runtime import intent_spaces, train_intent_classifier, train_nlu_model
    from connectors.app.services import build_embedder

    started = time.perf_counter()
    path = train_nlu_model(settings)
    print(f"Rasa NLU model: {path} ({time.perf_counter() - started:.1f}s)")
    if settings.intent_ensemble:
        spaces = intent_spaces(settings, build_embedder(settings), MultilingualEmbedder())
        result = train_intent_classifier(settings, spaces)
        state = f"trained in {result.duration_seconds:.1f}s" if result.trained else "up to date"
        print(f"dense intent classifier: {result.path} ({state})")
    return 0
