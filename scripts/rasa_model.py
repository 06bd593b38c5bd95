"""Train or serve the Rasa NLU model of `nlu_data/`, named by the assistant's own rule (`nlu-<hash>.tar.gz`).

This file runs under Rasa's Python 3.10, in the Rasa image (docker/rasa.Dockerfile), where it sits beside the few
`assistant` modules it imports; from a checkout, `PYTHONPATH=. .venv-rasa/bin/python scripts/rasa_model.py ...`:

    python rasa_model.py [--nlu-data DIR] [--models DIR] [--rasa PATH] train   # unless a model for the data is there
    python rasa_model.py [--nlu-data DIR] [--models DIR] [--rasa PATH] serve   # `rasa run --enable-api` on that model

It imports only `assistant.nlu.rasa_training` (standard library only), so the model `train` writes is the file the
assistant's `assistant train` and dense intent classifier expect beside it, and `serve` never picks an older model
left in the folder. Exit codes: 0 done, 1 no model or training failed, 2 Rasa missing.
"""

import argparse
import os
import shutil
import sys
from pathlib import Path

from assistant.errors import NLUUnavailableError
from assistant.nlu.errors import RasaNotInstalledError
from assistant.nlu.rasa_training import RasaTrainer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["train", "serve"])
    parser.add_argument("--nlu-data", type=Path, default=Path("nlu_data"), help="training data (default nlu_data)")
    parser.add_argument("--models", type=Path, default=Path("models"), help="models folder (default models)")
    parser.add_argument("--rasa", type=Path, default=None, help="the rasa executable (default: rasa on PATH)")
    parser.add_argument("--port", type=int, default=5005, help="port `serve` listens on (default 5005)")
    return parser


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    found = shutil.which("rasa")
    executable = args.rasa or (Path(found) if found else None)
    if executable is None:
        print("rasa_model: no `rasa` on PATH; pass --rasa", file=sys.stderr)
        return 2
    trainer = RasaTrainer(executable, args.nlu_data, args.models)
    try:
        if args.action == "train":
            result = trainer.train()
            state = f"trained in {result.duration_seconds:.1f}s" if result.trained else "up to date"
            print(f"Rasa NLU model: {result.model_path} ({state})", flush=True)
            return 0
        model = trainer.current_model()
    except RasaNotInstalledError as error:
        print(f"rasa_model: {error}", file=sys.stderr)
        return 2
    except NLUUnavailableError as error:  # the data folder or its config is missing, or training failed
        print(f"rasa_model: {error}", file=sys.stderr)
        return 1
    if model is None:
        print(f"rasa_model: no model for {args.nlu_data} in {args.models}; run `train` first", file=sys.stderr)
        return 1
    print(f"serving {model}", flush=True)
    command = [str(trainer.executable), "run", "--enable-api", "--port", str(args.port), "--model", str(model)]
    os.execv(command[0], command)
    return 1  # not reached: execv replaces this process


if __name__ == "__main__":
    sys.exit(main())
