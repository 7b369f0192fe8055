"""Fuzzy matching with rapidfuzz: near-duplicate problems (title + question) and
duplicate institutions (name + city).

Pure Python (rapidfuzz + numpy), no Django import, so it can run in tests, in a
management command or in a background task alike.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Hashable, Iterable, Sequence
from itertools import chain

import numpy as np
from rapidfuzz import fuzz, process
from scipy import sparse

# Scorer: token_sort_ratio's idea (compare sorted bags of words, so word order does
# not matter) but over word stems instead of characters. Each distinct stem becomes one
# symbol and fuzz.ratio on the sorted symbols is the Dice coefficient of the two sets of
# stems, 2|A & B| / (|A| + |B|). Measured on 5,000 synthetic French problems (2 cores):
# character-level token_sort_ratio took 14 s and put about 250,000 pairs above 60,
# because aligning the letters of any two sorted French texts already scores 50-60;
# the stem version takes 0.5 s and finds about 7,000 pairs, mostly real rewordings.
# token_set_ratio was rejected too: it scores 100 whenever one text's words are a
# subset of the other's (a short title "duplicates" every text that mentions it).
SCORER = fuzz.ratio

DEFAULT_THRESHOLD = 60.0

# Row blocks keep the score matrix small: 1,000 x 5,000 float32 is 20 MB.
_ROWS_PER_CHUNK = 1000
# A text counts by its first distinct stems only: a real problem uses a few hundred, and a
# posted dictionary must not make every comparison of the call slow.
MAX_STEMS = 1000
_MAX_CHARS = 50 * MAX_STEMS  # and only so much of it is read to find them
# Light stemming: plural and feminine endings, then this prefix length, so that
# rural/rurale/ruraux or développer/développement count as the same word.
_STEM_LENGTH = 6

# Written without accents: normalize() strips accents before filtering.
STOPWORDS = frozenset(
    """
    a au aux avec ce ces cet cette comme dans de des du elle en entre est et etre il
    ils je la le les leur leurs lui mais me meme mes moi mon ne nos notre nous on ou
    par pas plus pour qu que qui sa sans se ses son sont sur ta te tes toi ton tu un
    une vos votre vous y c d j l m n s t quel quelle quels quelles comment ainsi afin
    dont ete sous tout tous toute toutes aussi cela ceci celle celui etc
    an and are as at be but by for from has have how in into is it its of on or our
    such that the their them these they this those to was we what when which who why
    will with within can could should would do does not no yes your you
    """.split()
)

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Whitespace ends words before and after NFKD, so each whitespace-separated token can be
# normalised once and remembered: normalising every word again in every text was most of
# the time of a 20,000-text call.
_TOKENS: dict[str, tuple[str, ...]] = {}
_CACHE_SIZE = 100_000  # a posted dictionary must not grow it forever


def _words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    no_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(no_accents)


def _token_stems(token: str) -> tuple[str, ...]:
    found = _TOKENS.get(token)
    if found is None:
        found = tuple(_stem(w) for w in _words(token) if w not in STOPWORDS)
        if len(_TOKENS) < _CACHE_SIZE:
            _TOKENS[token] = found
    return found


def normalize(text: str | None) -> str:
    """Lowercase, strip accents and punctuation, drop French/English stopwords."""
    if not text:
        return ""
    return " ".join(w for w in _words(text) if w not in STOPWORDS)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("aux"):
        word = word[:-3] + "al"
    elif len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    while len(word) > 3 and word[-1] == "e":
        word = word[:-1]
    return word[:_STEM_LENGTH]


def stems(text: str | None) -> list[str]:
    """Sorted distinct word stems of a text (its first MAX_STEMS), as compared by the scorer."""
    if not text:
        return []
    cache = _TOKENS
    parts = [
        cache[token] if token in cache else _token_stems(token)
        for token in text[:_MAX_CHARS].casefold().split()
    ]
    seen = dict.fromkeys(chain.from_iterable(parts))
    if len(seen) > MAX_STEMS:
        return sorted(list(seen)[:MAX_STEMS])
    return sorted(seen)


# The symbols: every code point from U+0100 except the UTF-16 surrogates.
_FIRST_SYMBOL = 0x100
_SURROGATES = (0xD800, 0xE000)
_SYMBOLS = 0x110000 - _FIRST_SYMBOL - (_SURROGATES[1] - _SURROGATES[0])


def _symbol(number: int) -> str:
    """The number-th symbol; past the last one, symbols are shared (scores can only rise)."""
    code = _FIRST_SYMBOL + number % _SYMBOLS
    if code >= _SURROGATES[0]:
        code += _SURROGATES[1] - _SURROGATES[0]
    return chr(code)


class _Encoder:
    """One private symbol per stem, shared by all texts compared in one call."""

    def __init__(self):
        self.symbols: dict[str, str] = {}

    def __call__(self, text: str | None) -> str:
        out = []
        for stem in stems(text):
            symbol = self.symbols.get(stem)
            if symbol is None:
                symbol = self.symbols[stem] = _symbol(len(self.symbols))
            out.append(symbol)
        return "".join(sorted(out))


def _prepare(items: Iterable[tuple[Hashable, str]], encode: _Encoder) -> tuple[list, list[str]]:
    keys, texts = [], []
    for key, text in items:
        keys.append(key)
        texts.append(encode(text))
    return keys, texts


def _sort_key(key: Hashable):
    # Keys may mix ints and strings; compare by type name first so sorting never fails.
    return (type(key).__name__, key)


def similar_pairs(
    items: Sequence[tuple[Hashable, str]], threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[Hashable, Hashable, float]]:
    """Pairs (key_a, key_b, score) with score >= threshold, each unordered pair once.

    Sorted by score descending, then by keys. Scores are on 0-100.
    """
    keys, texts = _prepare(items, _Encoder())
    n = len(keys)
    if n < 2:
        return []
    # Empty texts (only stopwords, or blank) must never match each other.
    usable = np.array([bool(t) for t in texts])
    found: list[tuple[Hashable, Hashable, float]] = []
    for start in range(0, n, _ROWS_PER_CHUNK):
        stop = min(start + _ROWS_PER_CHUNK, n)
        # Only columns after the block's first row are needed (upper triangle).
        scores = process.cdist(
            texts[start:stop],
            texts[start:],
            scorer=SCORER,
            score_cutoff=threshold,
            dtype=np.float32,
            workers=-1,
        )
        rows, cols = np.nonzero(scores)
        cols_abs = cols + start
        rows_abs = rows + start
        keep = (cols_abs > rows_abs) & usable[rows_abs] & usable[cols_abs]
        for i, j, score in zip(
            rows_abs[keep].tolist(),
            cols_abs[keep].tolist(),
            scores[rows[keep], cols[keep]].tolist(),
            strict=True,
        ):
            a, b = keys[i], keys[j]
            if _sort_key(b) < _sort_key(a):
                a, b = b, a
            found.append((a, b, round(float(score), 1)))
    found.sort(key=lambda p: (-p[2], _sort_key(p[0]), _sort_key(p[1])))
    return found


class ProblemSimilarity:
    """The scores of similar_pairs for the pairs asked only, as sparse matrix products.

    Each text is a row of 0/1 over the stems of all texts (CSR); X[a] @ X[b].T counts the
    stems two texts share, from which the Dice score follows. The selection only needs the
    pairs among its possible winners and those of the selected ones: computing every pair
    of a 20,000-text call took two thirds of a run.
    """

    def __init__(self, items: Iterable[tuple[Hashable, str]], threshold=DEFAULT_THRESHOLD):
        start = time.perf_counter()
        self.threshold = float(threshold)
        self.keys: list = []
        vocabulary: dict[str, int] = {}
        columns: list[int] = []
        lengths: list[int] = []
        for key, text in items:
            self.keys.append(key)
            found = stems(text)
            columns.extend(vocabulary.setdefault(stem, len(vocabulary)) for stem in found)
            lengths.append(len(found))
        self.position = {key: k for k, key in enumerate(self.keys)}
        self.lengths = np.array(lengths, dtype=np.int64)
        indptr = np.concatenate(([0], np.cumsum(self.lengths)))
        self.matrix = sparse.csr_array(
            (np.ones(len(columns), dtype=np.int32), np.array(columns, dtype=np.int64), indptr),
            shape=(len(self.keys), len(vocabulary)),
        )
        self._others, self._others_cols = None, None
        self.seconds = time.perf_counter() - start  # time spent here, for benchmarks

    def pairs(self, keys: Iterable[Hashable], others: Iterable[Hashable] | None = None):
        """Pairs (key_a, key_b, score) at or above the threshold, each unordered pair once,
        between `keys` and `others` (among `keys` when others is None). Unknown keys have no
        pairs. Same scores as similar_pairs, unsorted."""
        start = time.perf_counter()
        rows = self._positions(keys)
        found = []
        if others is None:
            cols, cols_t = rows, self.matrix[rows].T.tocsr()
        else:
            cols, cols_t = self._columns(others)
        if len(rows) and len(cols):
            # A pair asked both ways (keys and others overlap) is kept as (low, high) only.
            both = np.zeros(len(self.keys), dtype=bool)
            both[np.intersect1d(rows, cols)] = True
            for begin in range(0, len(rows), _ROWS_PER_CHUNK):
                block = rows[begin : begin + _ROWS_PER_CHUNK]
                shared = (self.matrix[block] @ cols_t).tocoo()
                found += self._scores(block[shared.row], cols[shared.col], shared.data, both)
        self.seconds += time.perf_counter() - start
        return found

    def _positions(self, keys) -> np.ndarray:
        found = {self.position[k] for k in keys if k in self.position}
        return np.array(sorted(found), dtype=np.int64)

    def _columns(self, others):
        # The selection asks again and again against the same list of all candidates.
        if self._others is not others:
            cols = self._positions(others)
            self._others, self._others_cols = others, (cols, self.matrix[cols].T.tocsr())
        return self._others_cols

    def _scores(self, i, j, shared, both):
        length = self.lengths[i] + self.lengths[j]
        # rapidfuzz's arithmetic (Indel normalized similarity), so scores are identical.
        similarity = 1.0 - (length - 2.0 * shared) / length
        keep = (similarity >= self.threshold / 100) & (i != j) & ~(both[i] & both[j] & (j < i))
        scores = (similarity[keep] * 100).astype(np.float32)
        out = []
        for a, b, score in zip(i[keep].tolist(), j[keep].tolist(), scores.tolist(), strict=True):
            key_a, key_b = self.keys[a], self.keys[b]
            if _sort_key(key_b) < _sort_key(key_a):
                key_a, key_b = key_b, key_a
            out.append((key_a, key_b, round(float(score), 1)))
        return out


def similar_to(
    query_text: str,
    items: Sequence[tuple[Hashable, str]],
    threshold: float = DEFAULT_THRESHOLD,
    limit: int | None = 5,
) -> list[tuple[Hashable, float]]:
    """The items most similar to one text, as (key, score), best first."""
    encode = _Encoder()
    query = encode(query_text)
    if not query or not items:
        return []
    keys, texts = _prepare(items, encode)
    scores = process.cdist(
        [query], texts, scorer=SCORER, score_cutoff=threshold, dtype=np.float32, workers=-1
    )[0]
    hits = [
        (keys[j], round(float(scores[j]), 1)) for j in np.nonzero(scores)[0].tolist() if texts[j]
    ]
    hits.sort(key=lambda h: (-h[1], _sort_key(h[0])))
    return hits if limit is None else hits[:limit]


# Institutions: the same body under another spelling ("C.P.A.S. Namur").

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
