"""Evaluations behind `assistant eval`: retrieval quality and NLU accuracy."""
