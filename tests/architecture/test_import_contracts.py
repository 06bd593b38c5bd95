"""The import rules of pyproject.toml's [tool.importlinter] hold on the real code, and each one can fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run import-linter on the packages under `root`, which must come before any installed copy."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    script = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", script, "--no-cache"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_real_code_keeps_every_contract() -> None:
    result = lint_imports(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACTS['contracts'])} kept, 0 broken." in result.stdout


def test_every_runtime_part_of_the_core_is_checked_for_evaluation_imports() -> None:
    [contract] = [c for c in CONTRACTS["contracts"] if c["id"] == "evaluation-off-runtime"]
    parts = {path.stem for path in (PROJECT_ROOT / "assistant").iterdir()
             if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()}
    checked = {module.split(".")[1] for module in contract["source_modules"] if module.startswith("assistant.")}
    assert parts - {"evaluation"} == checked


PLANTED = [
    ("assistant/models.py", "import connectors.app.services", "The core imports nothing from the connectors"),
    ("assistant/pipeline.py", "import assistant.evaluation.retrieval_eval",
     "What answers staff never imports evaluation-only code"),
    ("connectors/channels/slack/text.py", "import connectors.channels.teams.cards", "Channels never import each other"),
    ("connectors/channels/http/schemas.py", "import connectors.app.services",
     "Channels, sources and reports do not import the composition root or the CLI"),
    ("benchmarks/machine.py", "import tests.conftest", "Nothing imports the tests"),
    ("assistant/pipeline.py", "import prometheus_client",
     "The core knows nothing of metrics: connectors/observability wraps its ports"),
]


@pytest.mark.parametrize(("path", "line", "contract"), PLANTED, ids=[p[2] for p in PLANTED])
def test_a_forbidden_import_breaks_its_contract(tmp_path: Path, path: str, line: str, contract: str) -> None:
    for package in ("assistant", "connectors", "benchmarks"):
        shutil.copytree(PROJECT_ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    planted = tmp_path / path
    planted.write_text(planted.read_text(encoding="utf-8") + f"\n{line}  # planted by the test\n", encoding="utf-8")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout, result.stdout
