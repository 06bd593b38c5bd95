"""Real servers on 127.0.0.1 that stand in for the outside world (Slack's Web API, an app under uvicorn).

They live here, not in `tests/`, because both the benchmarks and the tests use them and nothing may
import `tests`.
"""
