"""The HTTP API (FastAPI): /v1/ask, /v1/feedback, /v1/gaps, /healthz, plus the channel routers."""
