"""The console's CSS and JavaScript, served from the package with a content hash for long-lived caching."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response

STATIC_DIR = Path(__file__).parent / "static"
MEDIA_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
LONG_CACHE = "public, max-age=31536000, immutable"
"""For a URL that names the file's version: the content behind it never changes."""
SHORT_CACHE = "public, max-age=300"


@dataclass(frozen=True)
class Asset:
    """One static file: its bytes, media type and content hash (the ETag and the `?v=` of its URL)."""

    name: str
    content: bytes
    media_type: str
    version: str

    @property
    def url(self) -> str:
        return f"/console/static/{self.name}?v={self.version}"


def load_assets(folder: Path = STATIC_DIR) -> dict[str, Asset]:
    """Every CSS and JS file in `folder`, read once."""
    assets = {}
    for path in sorted(folder.iterdir()):
        if path.suffix in MEDIA_TYPES:
            content = path.read_bytes()
            assets[path.name] = Asset(path.name, content, MEDIA_TYPES[path.suffix],
                                      hashlib.sha256(content).hexdigest()[:16])
    return assets


def asset_response(asset: Asset, request: Request) -> Response:
    """The file, or 304 when the browser has this version; cached for a year when the URL names the version."""
    etag = f'"{asset.version}"'
    cache = LONG_CACHE if request.query_params.get("v") == asset.version else SHORT_CACHE
    headers = {"Cache-Control": cache, "ETag": etag, "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(asset.content, media_type=asset.media_type, headers=headers)
