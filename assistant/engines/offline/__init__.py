"""The offline question engine: natural language to Cypher with no LLM.

``engine.OfflineEngine`` answers a question; ``understanding`` turns words into
an intent with slots, ``cypher_builder`` turns that into parameterized Cypher,
``explain`` writes the answer text. The word lists live in
``prompts/vocabulary.yaml``.
"""
