"""Enter to answer painted on the console's quick ask page, beside the server's own time for the same requests.

Usage: scripts/with-chromium .venv/bin/python benchmarks/bench_console.py [--knowledge DIR --questions FILE]
       [--count N] [--data-dir DIR] [--json]

Indexes the handbook (../shared/datasets/tts_handbook) into a temporary data directory, serves the API and the
console on 127.0.0.1, and drives the quick ask page in headless Chromium (Debian's, through Playwright, as the
browser tests do) over the first N questions of ../shared/eval/handbook_dev.jsonl. For each question it measures,
in the page, from the Enter keydown (performance.now()) to the first frame after the answer's node is in the page
(a MutationObserver, then requestAnimationFrame and a task, so the frame has been painted), and reads the
server's time for the same request from its Server-Timing header (`answer`: the assistant; `render`: the HTML
fragment). Goal: the page adds under 50 ms at p95 (Enter to painted minus the assistant's time).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.questions import load_questions  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from benchmarks.factories import index_knowledge  # noqa: E402
from benchmarks.machine import machine, summary_ms  # noqa: E402
from benchmarks.standins.app_server import AppServer  # noqa: E402
from connectors.app.services import build_services  # noqa: E402
from connectors.channels.http.app import create_app  # noqa: E402
from connectors.channels.web import ConsoleConfig, install_console  # noqa: E402

SHARED = ROOT.parent / "shared"
WARM_UP = 3
GOAL_MS = 50.0

# Installed once the page has loaded: marks Enter, then the first painted frame after the answer arrives.
INSTRUMENT = """() => {
  const bench = window.__bench = {start: null, waiting: false, done: null, resolve: null};
  document.getElementById('question').addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') { return; }
    bench.start = performance.now();
    bench.waiting = false;
    bench.done = new Promise((resolve) => { bench.resolve = resolve; });
  }, true);
  new MutationObserver(() => {
    if (bench.start === null || bench.waiting) { return; }
    if (!document.querySelector('#answer article .answer-text')) { return; }
    bench.waiting = true;
    const start = bench.start;
    requestAnimationFrame(() => setTimeout(() => bench.resolve(performance.now() - start), 0));
  }).observe(document.getElementById('answer'), {childList: true, subtree: true});
}"""

# The last /console/ask request's Server-Timing entries, in milliseconds.
SERVER_TIMING = """() => {
  const asks = performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('/console/ask'));
  const last = asks[asks.length - 1];
  const timing = {};
  (last ? last.serverTiming : []).forEach((entry) => { timing[entry.name] = entry.duration; });
  performance.clearResourceTimings();
  return timing;
}"""


def find_chromium() -> str | None:
    """Debian's Chromium, as scripts/with-chromium names it (Playwright never downloads a browser here)."""
    for candidate in (os.environ.get("CONSOLE_TEST_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def measure(base_url: str, chromium: str, questions: list[str]) -> list[dict[str, float]]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            page = browser.new_context(base_url=base_url, locale="en-GB").new_page()
            page.set_default_timeout(60_000)
            page.goto("/signin")  # no keys configured: this machine gets an admin session and the quick ask page
            page.wait_for_selector("#question")
            page.evaluate(INSTRUMENT)
            for number, question in enumerate(questions):
                page.fill("#question", question)
                page.focus("#question")
                page.keyboard.press("Enter")
                # A function (not an expression string): the page's CSP forbids eval, which Playwright would need.
                enter_to_paint = page.evaluate("() => window.__bench.done")
                server = page.evaluate(SERVER_TIMING)
                if number >= WARM_UP:
                    rows.append({"enter_to_paint": enter_to_paint, "answer": server.get("answer", float("nan")),
                                 "render": server.get("render", float("nan"))})
        finally:
            browser.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--knowledge", type=Path, default=SHARED / "datasets" / "tts_handbook")
    parser.add_argument("--questions", type=Path, default=SHARED / "eval" / "handbook_dev.jsonl")
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="keep the index here and reuse it next time (default: a temporary directory)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    for path in (args.knowledge, args.questions):
        if not path.exists():
            print(f"skipped: {path} is absent (the shared datasets are not beside the project)")
            return 0
    chromium = find_chromium()
    if chromium is None:
        print("skipped: no Chromium (run under scripts/with-chromium, or set CONSOLE_TEST_CHROMIUM)")
        return 0
    questions = [question.question for question in load_questions(args.questions)]
    warm_up = [f"{question} (warm-up)" for question in questions[:WARM_UP]]
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp)
        settings = Settings(_env_file=None, knowledge_dir=args.knowledge, data_dir=data_dir, hash_salt="bench")
        services = build_services(settings)
        try:
            index_knowledge(services, args.knowledge)
            services.embedder.warm_up()
            ports = services.api_ports()
            app = create_app(ports)
            install_console(app, ports, ConsoleConfig(session_secret=secrets.token_bytes(32)))
            with AppServer(app) as base_url:
                rows = measure(base_url, chromium, warm_up + questions[:args.count])
        finally:
            services.close()
    page = [row["enter_to_paint"] for row in rows]
    answer = [row["answer"] for row in rows]
    added = [row["enter_to_paint"] - row["answer"] for row in rows]
    result = {
        "benchmark": "console_enter_to_paint", "machine": machine(), "questions": len(rows),
        "enter_to_paint": summary_ms(page), "server_answer": summary_ms(answer),
        "server_render": summary_ms([row["render"] for row in rows]),
        "page_adds": summary_ms(added),
        "page_adds_p95_minus_p95": round(summary_ms(page)["p95_ms"] - summary_ms(answer)["p95_ms"], 2),
        "goal_ms": GOAL_MS, "goal_met": summary_ms(added)["p95_ms"] < GOAL_MS,
    }
    print(json.dumps(result, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
