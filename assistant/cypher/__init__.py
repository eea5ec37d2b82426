"""Cypher safety: the lexer, the pattern reader, the read-only guard and guarded execution."""
