"""Checks an LLM's answer against its rows and the question: grounding, filters, domain rules, a cross-check."""
