"""Parse a JSON list of texts with a trained Rasa model, in-process, one text at a time.

This file runs under Rasa's own Python 3.10 environment, never the assistant's:

    .venv-rasa/bin/python rasa_batch_parse.py MODEL.tar.gz TEXTS.json OUT.json [RANKING_LENGTH]

It loads the model with `rasa.core.agent.Agent`, parses each text as the server would, and
writes a JSON list with one object per text: {"ranking": [[intent, confidence], ...], "ms": float},
where `ms` is the wall time of that one parse. No HTTP is involved, so the times are Rasa's own.
It imports nothing from the assistant package and keeps to Python 3.10 syntax.
"""

import asyncio
import json
import logging
import sys
import time


def _quiet_rasa() -> None:
    logging.disable(logging.WARNING)
    try:
        from rasa.utils.log_utils import configure_structlog

        configure_structlog(logging.WARNING)
    except ImportError:  # older Rasa 3.x: plain logging only
        pass


async def _parse_all(model_path: str, texts: list, ranking_length: int) -> list:
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)
    await agent.parse_message("warm up")  # the first parse builds TensorFlow's graph
    results = []
    for text in texts:
        started = time.perf_counter()
        parsed = await agent.parse_message(text)
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        ranking = [[item["name"], float(item["confidence"])] for item in parsed.get("intent_ranking", [])]
        if not ranking and parsed.get("intent", {}).get("name"):
            ranking = [[parsed["intent"]["name"], float(parsed["intent"].get("confidence", 0.0))]]
        if ranking_length > 0:
            ranking = ranking[:ranking_length]
        results.append({"ranking": ranking, "ms": elapsed_ms})
    return results


def main(argv: list) -> int:
    if len(argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    model_path, texts_path, out_path = argv[1], argv[2], argv[3]
    ranking_length = int(argv[4]) if len(argv) == 5 else 0
    _quiet_rasa()
    with open(texts_path, encoding="utf-8") as handle:
        texts = json.load(handle)
    results = asyncio.run(_parse_all(model_path, texts, ranking_length))
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(results, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
