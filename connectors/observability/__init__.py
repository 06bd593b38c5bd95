"""Metrics, structured logs and request ids: the operations view of the running assistant.

The core knows nothing of this package: it wraps the core's ports (answering, the NLU parser, the order source),
reads the parts' health checks when Prometheus scrapes, and carries a request id through a context variable.
"""
