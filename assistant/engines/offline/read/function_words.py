"""The function words the read stage knows by heart: prepositions, determiners, number words, months.

The one place for them; every content word (metrics, kinds, cues) is data in ``prompts/vocabulary.yaml``.
"""

from __future__ import annotations

PREPOSITIONS = ("on", "for", "with", "using", "from", "by", "of", "about", "trained on", "in", "at")
"""Words after which a name is expected ("on imagenet")."""
DETERMINERS = frozenset({"the", "a", "an", "my", "this", "that", "these", "those", "our", "their", "its"})
"""Words skipped between a preposition and the name ("on the imagenet dataset")."""
AUXILIARIES = ("did", "does", "do")
CUE_PREPOSITIONS = ("from", "on", "of")
"""The preposition a lineage cue ends on ("fine-tuned from")."""
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

# Numbers, bounds and dates: the words around a number that make it a condition.
MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
INCLUSIVE_BOUNDS = frozenset(
    {"at least", "at most", "no more than", "no less than", "not more than", "not less than", "not exceeding",
     "up to", "within", "max", "maximum", "min", "minimum", "<=", ">="}
)  # fmt: skip
ABOVE = r"more|higher|greater|above|over|larger|bigger|up|upwards|longer|slower"
"""Words after "or" / "and" that make a number a lower bound ("5 g or more")."""
BELOW = r"less|lower|fewer|below|under|smaller|down|shorter|faster"
"""... and an upper bound ("0.001 or less")."""
SUPERLATIVE = r"(?:[a-z]+est|best|worst|most|least|top|largest|highest|lowest|cheapest)"
"""A superlative before or after "top k" ("the 3 greenest", "best 5 models")."""
DATE_PREPOSITION = (
    r"(?P<prep>on or after|on or before|no later than|no earlier than|older than|newer than|more recent than"
    r"|younger than|predates?|postdates?|in|during|from|since|after|before|until|till|by|on|of|prior to"
    r"|later than|earlier than)?\s*"
)
# The preposition before a date -> which end of its period bounds the range (the rest: the whole period).
DATE_BOUNDS = {
    **dict.fromkeys(("after", "later than", "newer than", "more recent than", "younger than", "postdate",
                     "postdates"), "from_after"),
    **dict.fromkeys(("since", "from", "on or after", "no earlier than"), "from_first"),
    **dict.fromkeys(("before", "prior to", "earlier than", "older than", "predate", "predates"), "until_first"),
    **dict.fromkeys(("until", "till", "by", "on or before", "no later than"), "until_after"),
}  # fmt: skip
