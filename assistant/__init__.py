"""The assistant's core: answering, retrieval, NLU, privacy and the stores' protocols."""

from assistant.native_threads import prefer_sleeping_idle_threads

prefer_sleeping_idle_threads()
