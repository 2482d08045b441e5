"""How many hits a prompt asks for ("three knocks", "a single footstep", "dog barks twice").

A count of the sound is obeyed on the layer's own events: the engine fires the one-shot at that
many of the picture's contacts, the strongest (those the analysis is surest of), in time order,
and never off the picture. A count of the sources ("two dogs barking") says how many make the
sound, not how often, and is no count of hits; nor is a rhythm ("rapid knocking", "slow heavy
steps"), which the picture's own contacts keep.
"""

from __future__ import annotations

import itertools
import re

from . import vocabulary
from .synths import SoundModel

_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "eleven": 11, "twelve": 12}
# Only right before the one sound they count: "a double barrel shotgun" and "double doors" are kinds.
_ONE_SOUND = {"single": 1, "double": 2, "triple": 3}
_TIMES = {"once": 1, "twice": 2, "thrice": 3}
# Nouns of a hit whatever makes it: "five hammer blows", "two quick taps".
_HIT_NOUNS = frozenset({"hit", "hits", "blow", "blows", "strike", "strikes", "bang", "bangs", "thud", "thuds", "tap",
                        "taps", "knock", "knocks", "shot", "shots", "clap", "claps", "beep", "beeps", "beat", "beats",
                        "heartbeat", "heartbeats"})
# Words between a number and the sound it counts: "three quick beeps", "two loud gunshots"; not
# across a word that places or links ("step 3 on gravel" is a step's number, no three steps).
_BETWEEN = 2
_PLACING = frozenset({"on", "in", "into", "onto", "at", "of", "to", "from", "the", "a", "an", "and", "with", "by"})
# The most a prompt's count is read as: "a thousand footsteps" is a crowd, no count.
MAX_HITS = 12
# A number on its own ("5 hammer blows", "horn honks x3"), not a size or a calibre ("9mm pistol").
# A hyphen joins its words into one: a "one-shot" is a kind of sound, no count.
_WORD = re.compile(r"\bx\d+\b|[a-z]+(?:-[a-z]+)*|\b\d+\b")


def hits_asked(text: str, oneshot: SoundModel | None) -> int | None:
    """The number of hits of ``oneshot`` the prompt asks for, or None where it counts none."""
    if oneshot is None:
        return None
    words = _WORD.findall(text.lower())
    sources = set(vocabulary.ALIASES)
    # the sound's own nouns, not its sources' ("two dogs barking": two dogs)
    sounds = {k for k in oneshot.keywords if " " not in k and k not in sources and _singular(k) not in sources}
    sounds |= _HIT_NOUNS
    for i, word in enumerate(words):
        count = _TIMES.get(word)
        if count is None and word == "times" and i > 0:
            count = _number(words[i - 1])     # "rings three times"
        if count is None and word.startswith("x") and word[1:].isdigit():
            count = int(word[1:])             # "horn honks x3"
        after = words[i + 1] if i + 1 < len(words) else ""
        if (after in sources or _singular(after) in sources) and after not in _HIT_NOUNS:
            pass                              # "two dogs barking", "three cats": the sources counted
        elif count is None and word in _ONE_SOUND and after in sounds and not after.endswith("s"):
            count = _ONE_SOUND[word]          # "a single footstep", "double knock"
        elif count is None and (word in _NUMBERS or word.isdigit()):
            counted = list(itertools.takewhile(lambda w: w not in _PLACING, words[i + 1 : i + 2 + _BETWEEN]))
            if any(w in sounds or _singular(w) in sounds for w in counted):
                count = _number(word)
        if count is not None and 0 < count <= MAX_HITS:
            return count
    return None


def _number(word: str) -> int | None:
    return int(word) if word.isdigit() else _NUMBERS.get(word)


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") else word
