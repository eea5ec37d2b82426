"""Stage 1, read: the question's words, numbers with units, dates, links to graph values and metric mentions."""
