"""`assistant eval retrieval | calibrate | nlu | intents | routing`: measure quality, fit the calibrated decisions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.retrieval.search import SearchMode
from assistant.settings import Settings
from connectors.app.process_tuning import limit_blas_threads
from connectors.app.services import build_embedder, load_answerability
from connectors.cli.output import print_json
from connectors.cli.progress import TqdmProgress

TABLE_METRICS = ("recall@1", "recall@5", "mrr@10", "answer_accuracy", "reply_accuracy", "gap_precision", "gap_recall",
                 "gap_f1", "gap_false_positive_rate", "latency_ms_p50", "latency_ms_p95")


def register(commands: argparse._SubParsersAction) -> None:
    evaluate = commands.add_parser("eval", help="measure retrieval or NLU quality")
    kinds = evaluate.add_subparsers(dest="kind", required=True)
    retrieval_parser = kinds.add_parser("retrieval", help="score questions against a knowledge directory")
    retrieval_parser.add_argument("--knowledge", type=Path, required=True)
    retrieval_parser.add_argument("--questions", type=Path, required=True)
    retrieval_parser.add_argument("--mode", choices=["hybrid", "dense", "bm25", "all"], default="hybrid")
    retrieval_parser.add_argument("--json", action="store_true")
    retrieval_parser.add_argument("--cache", type=Path, default=None,
                                  help="reuse passage vectors across runs from this directory")
    retrieval_parser.set_defaults(handler=retrieval)
    calibrate_parser = kinds.add_parser("calibrate", help="fit the answerability decision on labelled questions")
    calibrate_parser.add_argument("--pair", nargs=2, action="append", type=Path, metavar=("KNOWLEDGE", "QUESTIONS"),
                                  required=True, help="a knowledge directory and its question file (repeatable)")
    calibrate_parser.add_argument("--cache", type=Path, default=None)
    calibrate_parser.add_argument("--out", type=Path, default=None,
                                  help="default: answerability.json in ASSISTANT_MODELS_DIR, used from then on")
    calibrate_parser.set_defaults(handler=calibrate)
    nlu_parser = kinds.add_parser("nlu", help="train and score intent classification on CLINC150")
    nlu_parser.add_argument("--clinc", type=Path, required=True)
    nlu_parser.add_argument("--banking77", type=Path, default=None, help="also score BANKING77 (its folder)")
    nlu_parser.add_argument("--json", action="store_true")
    nlu_parser.set_defaults(handler=nlu)
    intents_parser = kinds.add_parser("intents", help="cross-validate the intent ensemble on nlu_data/ and "
                                                     "calibrate it")
    intents_parser.add_argument("--folds", type=int, default=3)
    intents_parser.add_argument("--json", action="store_true")
    intents_parser.add_argument("--write", action="store_true",
                                help="save the calibration to ASSISTANT_MODELS_DIR (or --out), used from then on")
    intents_parser.add_argument("--out", type=Path, default=None)
    intents_parser.set_defaults(handler=intents)
    routing_parser = kinds.add_parser("routing", help="choose the routing thresholds on nlu_data/ (out-of-fold)")
    routing_parser.add_argument("--folds", type=int, default=3)
    routing_parser.add_argument("--json", action="store_true")
    routing_parser.add_argument("--write", action="store_true",
                                help="save the chosen policy to ASSISTANT_MODELS_DIR, used from then on")
    routing_parser.set_defaults(handler=routing)


def _embedder(settings: Settings, cache):
    embedder = build_embedder(settings)
    if cache is None:
        return embedder
    from assistant.retrieval.embedding_cache import CachedEmbedder

    return CachedEmbedder(embedder, cache)


def retrieval(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.evaluation.retrieval_eval import run_retrieval_evaluation

    limit_blas_threads()
    modes = list(SearchMode) if args.mode == "all" else [SearchMode(args.mode)]
    answerability = load_answerability(settings)
    report = run_retrieval_evaluation(
        args.knowledge, args.questions, modes, _embedder(settings, args.cache), answerability, TqdmProgress(),
        on_mode=lambda mode: print(f"evaluating {mode} …", file=sys.stderr),
    )
    if args.json:
        print_json(report)
        return 0
    print(f"{report['documents']} documents, {report['chunks']} chunks, indexed in {report['index_seconds']}s; "
          f"answerability calibration shift {report['calibration_shift']:+.3f}")
    for problem in report["skipped_files"]:
        print(f"skipped {problem}")
    header = f"{'metric':<26}" + "".join(f"{mode:>12}" for mode in report["modes"])
    print(header)
    for metric in TABLE_METRICS:
        print(f"{metric:<26}" + "".join(f"{figures[metric]:>12.3f}" for figures in report["modes"].values()))
    for mode, figures in report["modes"].items():
        print(f"\n{mode} by kind:")
        for kind, per_kind in figures["by_kind"].items():
            print(f"  {kind:<9} n={per_kind['questions']:<3} R@5 {per_kind['recall@5']:.3f}  "
                  f"MRR {per_kind['mrr@10']:.3f}  acc {per_kind['answer_accuracy']:.3f}  "
                  f"gap F1 {per_kind['gap_f1']:.3f}")
    return 0


def calibrate(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.evaluation.retrieval_eval import run_answerability_calibration

    pairs = [(knowledge, questions) for knowledge, questions in args.pair]
    model = run_answerability_calibration(pairs, _embedder(settings, args.cache), TqdmProgress())
    out = args.out or settings.answerability_file
    model.save(out)
    print(f"wrote {out}: threshold {model.threshold:.3f}, weights {model.weights}, bias {model.bias:.3f}, "
          f"reference probe midpoint {model.reference_midpoint}")
    return 0


def nlu(settings: Settings, args: argparse.Namespace) -> int:
    import tempfile

    from assistant.evaluation.nlu_eval import run_banking77_evaluation, run_clinc_evaluation

    embedder = build_embedder(settings)
    with tempfile.TemporaryDirectory(prefix="assistant-nlu-eval-") as work_dir:
        report = run_clinc_evaluation(args.clinc, rasa_executable=settings.rasa_executable,
                                      work_dir=Path(work_dir), embedder=embedder)
    if args.banking77 is not None:
        report["banking77"] = run_banking77_evaluation(args.banking77, embedder=embedder)
    if args.json:
        print_json(report)
    else:
        for key, value in report.items():
            print(f"{key:<24} {value}")
    return 0


def intents(settings: Settings, args: argparse.Namespace) -> int:
    import tempfile

    from assistant.evaluation.intent_cross_validation import format_report, run_intent_evaluation
    from assistant.retrieval.multilingual_embedder import MultilingualEmbedder
    from connectors.app.nlu_runtime import intent_spaces

    limit_blas_threads()
    spaces = intent_spaces(settings, _embedder(settings, None), MultilingualEmbedder())
    with tempfile.TemporaryDirectory(prefix="assistant-intents-") as work_dir:
        report, calibration = run_intent_evaluation(
            settings.nlu_data_dir, rasa_executable=settings.rasa_executable, spaces=spaces,
            work_dir=Path(work_dir), folds=args.folds, progress=lambda message: print(message, file=sys.stderr),
        )
    if args.write or args.out is not None:
        target = args.out or settings.intent_ensemble_file
        calibration.save(target)
        report["written_to"] = str(target)
    if args.json:
        print_json(report)
        return 0
    print(format_report(report))
    if "written_to" in report:
        print(f"wrote {report['written_to']}")
    return 0


def routing(settings: Settings, args: argparse.Namespace) -> int:
    import tempfile

    from assistant.evaluation.routing_calibration import calibrate_routing, collect_routing_samples
    from assistant.retrieval.multilingual_embedder import MultilingualEmbedder
    from assistant.routing import RoutingPolicy
    from connectors.app.nlu_runtime import intent_spaces

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="assistant-routing-") as work_dir:
        embedder = _embedder(settings, None)
        spaces = intent_spaces(settings, embedder, MultilingualEmbedder())
        samples = collect_routing_samples(
            settings.nlu_data_dir, settings.knowledge_dir, embedder=embedder, intent_spaces=spaces,
            rasa_executable=settings.rasa_executable, work_dir=Path(work_dir),
            order_number_pattern=settings.order_number_pattern, folds=args.folds, progress=progress,
        )
    policy, report = calibrate_routing(samples, base=RoutingPolicy.load(settings.routing_policy_file))
    if args.write:
        policy.save(settings.routing_policy_file)
        report["written_to"] = str(settings.routing_policy_file)
    if args.json:
        print_json(report)
        return 0
    print(f"{report['samples']} examples, {args.folds}-fold out-of-fold intent ensemble predictions")
    print(f"best: min_intent_confidence {policy.min_intent_confidence}, "
          f"fallback_intent_confidence {policy.fallback_intent_confidence}: "
          f"macro route accuracy {report['macro_route_accuracy']:.3f} "
          f"(current policy {report['previous_policy_accuracy']:.3f})")
    for intent, share in report["per_intent"].items():
        print(f"  {intent:<20} {share:.3f}")
    if args.write:
        print(f"wrote {settings.routing_policy_file}")
    return 0
