"""The benchmark's default settings, apart from the benchmark so that ``mrm3 --help`` can show them cheaply."""

from __future__ import annotations

DEFAULT_BASELINE_CARDS = 300
DEFAULT_REPEATS = 3
DEFAULT_SEED = 7
# Timed passes of the Cypher guard over the bench questions' statements: one guard call takes about
# a millisecond, so a few passes would give a noisy median.
GUARD_REPEATS = 20
