"""mrm3-assistant: a Graph RAG assistant over MRM3 model-card metadata."""

__version__ = "0.1.0"
