"""Ingestion of MRM3 model cards into the knowledge graph."""
