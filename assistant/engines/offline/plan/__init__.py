"""Stage 2, plan: readers fill the typed plan (Frame) from what was read; the intent is chosen by rules as data."""
