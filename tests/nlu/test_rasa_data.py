"""The NLU training data: Rasa accepts it, and it has what the assistant relies on."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from assistant.nlu.intents import Intent
from assistant.nlu.rasa_environment import rasa_environment, tail_lines
from assistant.order_numbers import DEFAULT_ORDER_NUMBER_PATTERN
from assistant.settings import Settings

from .conftest import NLU_DATA, REPO

EXPECTED_INTENTS = {intent.value for intent in Intent}
ANNOTATION = re.compile(r"\[([^\]]+)\]\((\w+)\)")


def load_examples() -> dict[str, list[str]]:
    blocks = yaml.safe_load((NLU_DATA / "nlu.yml").read_text(encoding="utf-8"))["nlu"]
    examples: dict[str, list[str]] = {}
    for block in blocks:
        lines = [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
        examples.setdefault(block["intent"], []).extend(lines)
    return examples


def test_rasa_data_validate_passes(rasa_executable: Path) -> None:
    command = [
        str(rasa_executable), "data", "validate",
        "--data", "nlu_data",
        "--config", "nlu_data/config.yml",
        "--domain", "nlu_data/domain.yml",
    ]  # fmt: skip
    completed = subprocess.run(
        command,
        cwd=REPO,
        env=rasa_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, tail_lines(output)
    # An NLU-only project has no stories, so "not used in any story" is the only warning expected.
    warnings = [line for line in tail_lines(output, 1000).splitlines() if "UserWarning" in line]
    unexpected = [line for line in warnings if "is not used in any story or rule" not in line]
    assert not unexpected, "\n".join(unexpected)


def test_every_intent_has_enough_examples_and_is_in_the_domain() -> None:
    examples = load_examples()
    domain = yaml.safe_load((NLU_DATA / "domain.yml").read_text(encoding="utf-8"))

    assert set(examples) == EXPECTED_INTENTS
    assert set(domain["intents"]) == EXPECTED_INTENTS
    assert domain["entities"] == ["order_number"]
    for intent, texts in examples.items():
        assert len(texts) >= 30, f"{intent} has only {len(texts)} examples"
        assert len(set(texts)) == len(texts), f"{intent} repeats an example"


def test_order_numbers_follow_the_configured_pattern() -> None:
    pattern = Settings.model_fields["order_number_pattern"].default
    assert pattern == DEFAULT_ORDER_NUMBER_PATTERN
    regexes = yaml.safe_load((NLU_DATA / "regexes.yml").read_text(encoding="utf-8"))["nlu"]
    assert regexes == [{"regex": "order_number", "examples": f"- \\b{pattern}\\b\n"}]

    order_examples = load_examples()["order_status"]
    annotated = [ANNOTATION.findall(text) for text in order_examples]
    values = [value for found in annotated for value, label in found if label == "order_number"]
    assert len(values) >= 25
    assert all(re.fullmatch(pattern, value, flags=re.IGNORECASE) for value in values), values
    assert sum(1 for found in annotated if not found) >= 8, "some order questions carry no number"
