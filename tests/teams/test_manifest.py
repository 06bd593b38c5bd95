"""The Teams app manifest and icons shipped in connectors/teams/."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import connectors.channels.teams

TEAMS_DIR = Path(connectors.channels.teams.__file__).parent


def manifest() -> dict:
    return json.loads((TEAMS_DIR / "manifest.json").read_text(encoding="utf-8"))


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_manifest_declares_the_bot_in_every_scope():
    data = manifest()
    assert data["manifestVersion"] == "1.16"
    assert "/v1.16/" in data["$schema"]
    [bot] = data["bots"]
    assert bot["botId"] == "{{MICROSOFT_APP_ID}}"
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert [command["title"] for command in bot["commandLists"][0]["commands"]] == ["ask"]
    assert data["validDomains"] == ["{{BOT_DOMAIN}}"]


def test_manifest_texts_fit_the_schema_limits():
    data = manifest()
    assert len(data["name"]["short"]) <= 30
    assert len(data["description"]["short"]) <= 80
    assert len(data["description"]["full"]) <= 4000
    for command in data["bots"][0]["commandLists"][0]["commands"]:
        assert len(command["title"]) <= 32 and len(command["description"]) <= 128


def test_icons_exist_at_the_sizes_teams_requires():
    icons = manifest()["icons"]
    assert png_size(TEAMS_DIR / icons["color"]) == (192, 192)
    assert png_size(TEAMS_DIR / icons["outline"]) == (32, 32)
