"""`assistant serve`: the HTTP API, the Slack and Teams endpoints, and the supervised NLU service."""

from __future__ import annotations

import argparse
import sys

from assistant.settings import Settings

KEEP_ALIVE_SECONDS = 75
"""How long an idle client connection stays open. Longer than the idle timeout of what sits in front (nginx's
upstream keep-alive and most load balancers: 60 s; httpx's pool: 5 s), so the client always closes first: with
uvicorn's default of 5 s, a proxy or client could send a request on a connection the server was just closing, and
that request failed (nginx does not retry a POST on another replica)."""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("serve", help="run the HTTP API, Slack and Teams endpoints")
    parser.add_argument("--host", default=None, help="address to bind (default ASSISTANT_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default ASSISTANT_PORT, 8000)")
    parser.add_argument("--no-nlu", action="store_true", help="do not start or use Rasa (retrieval only)")
    parser.add_argument("--demo-orders", action="store_true",
                        help="when ASSISTANT_ORDERS_URL is empty, answer orders from the demo database "
                             "(`assistant demo orders`; `make run` uses this)")
    parser.set_defaults(handler=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from connectors.app.server import build_server_app

    if args.demo_orders:
        from connectors.cli.demo import use_demo_orders

        if use_demo_orders(settings):
            print(f"Orders from the demo database: {settings.orders_url}", file=sys.stderr)
    host = args.host or settings.host
    port = args.port or settings.port
    app = build_server_app(settings, host=host, use_nlu=not args.no_nlu)
    print(f"Assistant on http://{host}:{port}  (API docs: http://{host}:{port}/docs)", file=sys.stderr)
    # log_config=None: uvicorn's own lines (start-up, access) go through the handler `assistant` set up, in the
    # format ASSISTANT_LOG_FORMAT names and with the request id.
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(), log_config=None,
                timeout_keep_alive=KEEP_ALIVE_SECONDS)
    return 0
