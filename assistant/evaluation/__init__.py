"""Scoring the engines against gold answers computed from the cards alone."""
