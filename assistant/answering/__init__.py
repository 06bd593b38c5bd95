"""Turning search results into answers: the answerability decision and the short answer."""
