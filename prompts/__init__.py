"""Prompts, few-shot examples and vocabularies: data, not code."""
