"""A small multilingual glossary of the social sector, used to widen a request.

Each concept lists its usual words in French | German | English | Luxembourgish. A request
word that belongs to a concept brings the concept's other words to the lexical search (one
group: it counts once) and, as a French gloss, to the sentence encoder, which knows French,
German and English but not Luxembourgish. Written from the sector's common vocabulary, not
from the labelled set. Pure.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from network.finder import text as words

GLOSSARY = Path(__file__).with_name("glossary.txt")


def _word_stems(word):
    return frozenset({words.stem(word, lang) for lang in words.LANGUAGES} | {words.fold(word)})


@lru_cache(maxsize=1)
def concepts():
    """[(every stem of the concept, its phrases as lists of word-stem sets, its gloss)]."""
    found = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        columns = [c.strip() for c in line.split("|")]
        phrases = [p.strip() for column in columns for p in column.split(",") if p.strip()]
        shapes = [[_word_stems(w) for w in words.words(p)] for p in phrases]
        shapes = [shape for shape in shapes if shape]
        terms = frozenset().union(*(s for shape in shapes for s in shape))
        gloss = ", ".join(c.split(",")[0].strip() for c in columns[:3])
        found.append((terms, shapes, gloss))
    return found


def _inside(stems, long_words):
    return any(len(stem) >= 5 and stem in word for stem in stems for word in long_words)


def expand(request: str):
    """The concepts a request names (a phrase of several words needs them all).

    Returns (term groups to add to the lexical search, glosses for the sentence encoder).
    """
    groups, glosses = [], []
    request_terms = set().union(*words.query_terms(request)) if words.words(request) else set()
    # German and Luxembourgish compounds: "Musikworkshops" names music, "Pflegeheim" care.
    long_words = [words.fold(w) for w in words.words(request) if len(w) >= 9]
    for terms, shapes, gloss in concepts():
        if any(all(stems & request_terms for stems in shape) for shape in shapes) or any(
            len(shape) == 1 and _inside(shape[0], long_words) for shape in shapes
        ):
            groups.append(terms)
            glosses.append(gloss)
    return groups, glosses
