"""The function words the read stage knows by heart: prepositions, determiners, number words, months.

The one place for them; every content word (metrics, kinds, cues) is data in ``prompts/vocabulary.yaml``.
"""

from __future__ import annotations

PREPOSITIONS = ("on", "for", "with", "using", "from", "by", "of", "about", "trained on", "in", "at")
"""Words after which a name is expected ("on imagenet")."""
DETERMINERS = frozenset({"the", "a", "an", "my", "this", "that", "these", "those", "our", "their", "its"})
"""Words skipped between a preposition and the name ("on the imagenet dataset")."""
AUXILIARIES = ("did", "does", "do")
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "a couple": 2, "a few": 3, "couple": 2, "few": 3,
}  # fmt: skip
MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")]
    )
    for m in names
}  # fmt: skip
