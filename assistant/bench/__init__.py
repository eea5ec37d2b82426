"""The benchmark: ingest and question latency at catalog scale (``mrm3 bench``)."""
