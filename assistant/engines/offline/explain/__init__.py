"""Stage 4, explain: rows and the plan -> the answer text, its notes and "understood as"."""
