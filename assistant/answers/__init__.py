"""The answer to a question: the Answer, explaining rows, caveats and numbers with units."""
