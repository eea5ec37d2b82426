"""Stage 3, compile: the plan (Frame) -> parameterised Cypher; no knowledge of words."""
