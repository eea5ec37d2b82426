"""What both engines share about words: the vocabulary, units and measurements, entity linking."""
