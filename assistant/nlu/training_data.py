"""The labelled examples of a Rasa 3.x NLU file, as the dense intent classifier and the evaluations read them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.nlu.errors import NLUDataError

NLU_FILE = "nlu.yml"
_MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Example:
    """One training line of nlu.yml: the raw line (with entity markup) and its intent."""

    raw: str
    intent: str

    @property
    def text(self) -> str:
        """The line as a person typed it: `[ORD-123456](order_number)` becomes `ORD-123456`."""
        return _MARKUP.sub(r"\1", self.raw)


def read_examples(nlu_file: Path) -> list[Example]:
    """Every intent example of a Rasa 3.x NLU file; `NLUDataError` when it cannot be read or has none."""
    try:
        document = yaml.safe_load(Path(nlu_file).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise NLUDataError(f"cannot read {nlu_file}: {error}") from error
    examples = []
    for block in (document or {}).get("nlu", []):
        if "intent" not in block:
            continue
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append(Example(line[2:].strip(), str(block["intent"])))
    if not examples:
        raise NLUDataError(f"{nlu_file} has no intent examples")
    return examples
