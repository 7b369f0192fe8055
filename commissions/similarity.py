"""Fuzzy matching of institutions (duplicates on name + city); plain data in, plain data out."""

import re
import unicodedata

from rapidfuzz import fuzz, process

# Words that say nothing about which institution it is.
_NAME_STOPWORDS = {
    "de",
    "du",
    "des",
    "la",
    "le",
    "les",
    "l",
    "d",
    "et",
    "a",
    "au",
    "aux",
    "en",
    "asbl",
    "vzw",
    "aisbl",
    "sprl",
    "srl",
    "the",
    "of",
    "and",
}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def _fold(text):
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    # "C.P.A.S." must read as "cpas", not "c p a s".
    return text.replace(".", "")


def normalize_name(name):
    words = _NON_ALNUM.sub(" ", _fold(name)).split()
    return " ".join(w for w in words if w not in _NAME_STOPWORDS)


def normalize_city(city):
    return " ".join(_NON_ALNUM.sub(" ", _fold(city)).split())


def institution_score(name_a, city_a, name_b, city_b):
    """0–100: how likely two (name, city) pairs denote the same institution."""
    a, b = normalize_name(name_a), normalize_name(name_b)
    if not a or not b:
        return 0.0
    name = max(fuzz.token_sort_ratio(a, b), fuzz.token_set_ratio(a, b) - 5)
    ca, cb = normalize_city(city_a), normalize_city(city_b)
    city = fuzz.ratio(ca, cb) if ca and cb else 70.0
    return 0.8 * name + 0.2 * city


def institution_matches(name, city, candidates, threshold=85.0, limit=3):
    """Existing institutions that look like (name, city).

    candidates: iterable of (key, name, city). Returns [(key, score)], best first.
    """
    candidates = list(candidates)
    query = normalize_name(name)
    if not query or not candidates:
        return []
    names = {i: normalize_name(c[1]) for i, c in enumerate(candidates)}
    # A cheap name-only pass first, so thousands of institutions stay fast.
    shortlist = process.extract(
        query, names, scorer=fuzz.token_set_ratio, score_cutoff=60, limit=50
    )
    scored = []
    for _match, _score, index in shortlist:
        key, other_name, other_city = candidates[index]
        score = institution_score(name, city, other_name, other_city)
        if score >= threshold:
            scored.append((key, round(score, 1)))
    scored.sort(key=lambda item: (-item[1], str(item[0])))
    return scored[:limit]
