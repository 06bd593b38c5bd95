"""How commands print machine-readable results."""

from __future__ import annotations

import json
import sys


def print_json(value: object) -> None:
    """Pretty JSON on stdout (non-ASCII kept, dates as strings)."""
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
