"""Embedding, indexing and hybrid search over knowledge chunks."""
